#include "manager/snmp/varbind.h"

#include <charconv>

namespace netpower::manager::snmp {

std::string to_string(const Oid& oid) {
  std::string out;
  out.reserve(oid.size() * 4);
  char digits[16];
  for (std::size_t i = 0; i < oid.size(); ++i) {
    if (i > 0) out.push_back('.');
    auto r = std::to_chars(digits, digits + sizeof digits, oid[i]);
    out.append(digits, r.ptr);
  }
  return out;
}

std::optional<Oid> parse_oid(std::string_view text) {
  if (!text.empty() && text.front() == '.') text.remove_prefix(1);
  Oid oid;
  while (!text.empty()) {
    const auto dot = text.find('.');
    const auto part = text.substr(0, dot);
    std::uint32_t arc = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), arc);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size()) return std::nullopt;
    oid.push_back(arc);
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
    if (text.empty()) return std::nullopt;  // trailing dot
  }
  if (oid.size() < 2 || oid.size() > 128 || oid[0] > 2 || (oid[0] < 2 && oid[1] >= 40) ||
      oid[1] > 0xFFFFFFFFu - 80) {
    return std::nullopt;
  }
  return oid;
}

bool starts_with(const Oid& oid, const Oid& prefix) {
  if (oid.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (oid[i] != prefix[i]) return false;
  }
  return true;
}

const char* to_string(ValueType type) {
  switch (type) {
    case ValueType::kInteger:
      return "INTEGER";
    case ValueType::kOctetString:
      return "STRING";
    case ValueType::kNull:
      return "NULL";
    case ValueType::kOid:
      return "OID";
    case ValueType::kIpAddress:
      return "IpAddress";
    case ValueType::kCounter32:
      return "Counter32";
    case ValueType::kGauge32:
      return "Gauge32";
    case ValueType::kTimeTicks:
      return "Timeticks";
    case ValueType::kOpaque:
      return "Opaque";
    case ValueType::kCounter64:
      return "Counter64";
    case ValueType::kNoSuchObject:
      return "noSuchObject";
    case ValueType::kNoSuchInstance:
      return "noSuchInstance";
    case ValueType::kEndOfMibView:
      return "endOfMibView";
  }
  return "?";
}

bool is_exception(ValueType type) {
  return type == ValueType::kNoSuchObject || type == ValueType::kNoSuchInstance ||
         type == ValueType::kEndOfMibView;
}

std::string Varbind::value_text() const {
  switch (type) {
    case ValueType::kInteger:
      return std::to_string(integer);
    case ValueType::kCounter32:
    case ValueType::kGauge32:
    case ValueType::kTimeTicks:
    case ValueType::kCounter64:
      return std::to_string(number);
    case ValueType::kOctetString:
    case ValueType::kOpaque:
    case ValueType::kOid:
    case ValueType::kIpAddress:
      return octets;
    default:
      return {};
  }
}

Varbind integer_value(Oid oid, std::int64_t value) {
  Varbind vb;
  vb.oid = std::move(oid);
  vb.type = ValueType::kInteger;
  vb.integer = value;
  return vb;
}

Varbind octets_value(Oid oid, std::string bytes) {
  Varbind vb;
  vb.oid = std::move(oid);
  vb.type = ValueType::kOctetString;
  vb.octets = std::move(bytes);
  return vb;
}

Varbind oid_value(Oid oid, const Oid& value) {
  Varbind vb;
  vb.oid = std::move(oid);
  vb.type = ValueType::kOid;
  vb.octets = to_string(value);
  return vb;
}

Varbind ip_value(Oid oid, std::string dotted_quad) {
  Varbind vb;
  vb.oid = std::move(oid);
  vb.type = ValueType::kIpAddress;
  vb.octets = std::move(dotted_quad);
  return vb;
}

Varbind unsigned_value(Oid oid, ValueType type, std::uint64_t v) {
  Varbind vb;
  vb.oid = std::move(oid);
  vb.type = type;
  vb.number = v;
  return vb;
}

Varbind null_value(Oid oid) {
  Varbind vb;
  vb.oid = std::move(oid);
  return vb;
}

}  // namespace netpower::manager::snmp
