#include "manager/traps/decoded_trap.h"

#include "core/utf8.h"
#include "manager/mib/notifications.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>

namespace netpower::manager::traps {

namespace {

// Printable, well-formed UTF-8 (core/utf8.h; tabs and line ends allowed, no other C0 control or
// DEL): stored as text. Anything else is stored as hex, so that every byte survives and the JSON
// (and the database's text) is always valid.
bool printable_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return false;
    const std::size_t n = core::utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// An OCTET STRING in the summary: the text, or "0x<hex>" when it is not printable UTF-8.
std::string octets_text(const std::string& octets) {
  return printable_utf8(octets) ? octets : "0x" + hex(octets);
}

std::string value_text(const Varbind& vb) {
  switch (vb.type) {
    case ValueType::kInteger:
      return std::to_string(vb.integer);
    case ValueType::kCounter32:
    case ValueType::kGauge32:
    case ValueType::kTimeTicks:
    case ValueType::kCounter64:
      return std::to_string(vb.number);
    case ValueType::kOctetString:
      return octets_text(vb.octets);
    case ValueType::kOpaque:
      return "0x" + hex(vb.octets);
    case ValueType::kOid:
    case ValueType::kIpAddress:
      return vb.octets;
    default:
      return to_string(vb.type);
  }
}

}  // namespace

const char* to_string(TrapVersion v) {
  return v == TrapVersion::kV1 ? "1" : v == TrapVersion::kV2c ? "2c" : "3";
}

const char* to_string(NotificationKind k) {
  return k == NotificationKind::kInform ? "inform" : "trap";
}

const Varbind* DecodedTrap::find(const snmp::Oid& oid, bool prefix) const {
  for (const auto& vb : varbinds) {
    if (vb.oid == oid) return &vb;
    if (prefix && vb.oid.size() > oid.size() && snmp::starts_with(vb.oid, oid)) return &vb;
  }
  return nullptr;
}

namespace {

// A JSON string as nlohmann::json::dump() writes it: quotes, backslashes and control characters
// escaped, UTF-8 passed through.
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kDigits[c >> 4]);
          out.push_back(kDigits[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

// An OID's text ("1.3.6...", digits and dots: nothing to escape) in quotes, without a temporary.
void append_json_oid(std::string& out, const snmp::Oid& oid) {
  char digits[16];
  out.push_back('"');
  for (std::size_t i = 0; i < oid.size(); ++i) {
    if (i > 0) out.push_back('.');
    auto r = std::to_chars(digits, digits + sizeof digits, oid[i]);
    out.append(digits, r.ptr);
  }
  out.push_back('"');
}

}  // namespace

// Written directly rather than through a nlohmann::json tree: this runs for every trap on the
// decoder threads, and the tree cost more than the decoding (docs/performance.md). The output is
// byte for byte what nlohmann's dump() gives for the same items (keys in its sorted order), which
// the tests check against it.
std::string varbinds_json(const std::vector<Varbind>& varbinds) {
  std::string out;
  out.reserve(16 + varbinds.size() * 96);
  out.push_back('[');
  bool first = true;
  for (const auto& vb : varbinds) {
    if (!first) out.push_back(',');
    first = false;
    std::string_view text;
    std::string hexed;
    bool is_hex = false;
    switch (vb.type) {
      case ValueType::kOctetString:
      case ValueType::kOpaque:
        if (vb.type == ValueType::kOctetString && printable_utf8(vb.octets)) {
          text = vb.octets;
        } else {
          hexed = hex(vb.octets);
          text = hexed;
          is_hex = true;
        }
        break;
      default:
        text = vb.octets;
        break;
    }
    out.push_back('{');
    if (is_hex) out += "\"encoding\":\"hex\",";
    out += "\"oid\":";
    append_json_oid(out, vb.oid);
    out += ",\"type\":";
    append_json_string(out, to_string(vb.type));
    out += ",\"value\":";
    switch (vb.type) {
      case ValueType::kInteger:
        out += std::to_string(vb.integer);
        break;
      case ValueType::kCounter32:
      case ValueType::kGauge32:
      case ValueType::kTimeTicks:
      case ValueType::kCounter64:
        out += std::to_string(vb.number);
        break;
      case ValueType::kOctetString:
      case ValueType::kOpaque:
      case ValueType::kOid:
      case ValueType::kIpAddress:
        append_json_string(out, text);
        break;
      default:
        out += "null";
        break;
    }
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

const char* known_trap_name(std::string_view trap_oid) { return mib::notification_name(trap_oid); }

std::string summary(const DecodedTrap& trap) {
  constexpr std::size_t kMaxSummary = 512;
  const char* name = known_trap_name(trap.trap_oid);
  std::string text = name != nullptr ? name : trap.trap_oid;
  text += trap.kind == NotificationKind::kInform ? " (inform v" : " (v";
  text += to_string(trap.version);
  text += ") from ";
  text += trap.agent;
  if (trap.agent != trap.source_address) text += " (" + trap.source_address + ")";
  if (auto change = port_control_change(trap)) {
    text += ": port " + change->port + " " + octets_text(change->status);
  } else {
    const char* sep = ": ";
    for (const auto& vb : trap.varbinds) {
      if (vb.oid == kSnmpTrapAddress0 || vb.oid == kSnmpTrapEnterprise0) continue;
      text += sep + snmp::to_string(vb.oid) + " = " + value_text(vb);
      sep = ", ";
      if (text.size() > kMaxSummary) break;
    }
  }
  if (text.size() > kMaxSummary) {
    // Every piece is valid UTF-8; the cut must not split a character.
    text.resize(core::utf8_prefix(text, kMaxSummary).size());
    text += "...";
  }
  return text;
}

model::Event to_event(const DecodedTrap& trap) {
  model::Event event;
  event.agent = trap.agent;
  event.time = trap.received;
  event.kind = model::EventKind::kTrap;
  event.oid = trap.trap_oid;
  event.varbinds_json = varbinds_json(trap.varbinds);
  event.text = summary(trap);
  return event;
}

std::optional<PortControlChange> port_control_change(const DecodedTrap& trap) {
  return mib::port_control_change(trap.trap_oid, trap.varbinds);
}

}  // namespace netpower::manager::traps
