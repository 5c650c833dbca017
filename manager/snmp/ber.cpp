#include "manager/snmp/ber.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace netpower::manager::snmp {

BerEncoder::BerEncoder(std::size_t capacity) : buf_(capacity), start_(capacity) {}

std::uint8_t* BerEncoder::grow(std::size_t n) {
  if (n > start_) {
    const std::size_t used = size();
    std::size_t capacity = buf_.size() * 2;
    while (capacity - used < n) capacity *= 2;
    std::vector<std::uint8_t> bigger(capacity);
    std::memcpy(bigger.data() + capacity - used, buf_.data() + start_, used);
    buf_.swap(bigger);
    start_ = capacity - used;
  }
  start_ -= n;
  return buf_.data() + start_;
}

void BerEncoder::raw(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return;
  std::memcpy(grow(bytes.size()), bytes.data(), bytes.size());
}

void BerEncoder::header(std::uint8_t tag, std::size_t length) {
  if (length < 0x80) {
    auto* p = grow(2);
    p[0] = tag;
    p[1] = static_cast<std::uint8_t>(length);
    return;
  }
  std::size_t count = 0;
  for (std::size_t v = length; v != 0; v >>= 8) ++count;
  auto* p = grow(2 + count);
  p[0] = tag;
  p[1] = static_cast<std::uint8_t>(0x80 | count);
  for (std::size_t i = 0; i < count; ++i) {
    p[1 + count - i] = static_cast<std::uint8_t>(length >> (8 * i));
  }
}

void BerEncoder::wrap(std::uint8_t tag, std::size_t mark) { header(tag, size() - mark); }

void BerEncoder::integer(std::int64_t value, std::uint8_t tag) {
  // Minimal two's complement: drop leading bytes that only repeat the sign.
  std::uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (8 * (7 - i)));
  int first = 0;
  while (first < 7 && ((bytes[first] == 0x00 && !(bytes[first + 1] & 0x80)) ||
                       (bytes[first] == 0xFF && (bytes[first + 1] & 0x80)))) {
    ++first;
  }
  raw({bytes + first, static_cast<std::size_t>(8 - first)});
  header(tag, static_cast<std::size_t>(8 - first));
}

void BerEncoder::unsigned_integer(std::uint64_t value, std::uint8_t tag) {
  std::uint8_t bytes[9] = {0};
  for (int i = 0; i < 8; ++i) bytes[1 + i] = static_cast<std::uint8_t>(value >> (8 * (7 - i)));
  int first = 0;
  while (first < 8 && bytes[first] == 0 && !(bytes[first + 1] & 0x80)) ++first;
  raw({bytes + first, static_cast<std::size_t>(9 - first)});
  header(tag, static_cast<std::size_t>(9 - first));
}

void BerEncoder::octets(std::span<const std::uint8_t> bytes, std::uint8_t tag) {
  raw(bytes);
  header(tag, bytes.size());
}

void BerEncoder::octets(std::string_view bytes, std::uint8_t tag) {
  octets({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, tag);
}

void BerEncoder::null(std::uint8_t tag) { header(tag, 0); }

bool BerEncoder::oid(const Oid& oid) {
  if (oid.size() < 2 || oid.size() > kMaxOidArcs || oid[0] > 2 || (oid[0] < 2 && oid[1] >= 40) ||
      oid[1] > 0xFFFFFFFFu - 80) {
    return false;
  }
  std::uint8_t bytes[kMaxOidArcs * 5];
  std::size_t n = 0;
  auto put = [&](std::uint64_t v) {
    std::uint8_t tmp[10];
    std::size_t k = 0;
    do {
      tmp[k++] = static_cast<std::uint8_t>(v & 0x7F);
      v >>= 7;
    } while (v != 0);
    while (k > 0) {
      --k;
      bytes[n++] = static_cast<std::uint8_t>(tmp[k] | (k > 0 ? 0x80 : 0));
    }
  };
  put(std::uint64_t{oid[0]} * 40 + oid[1]);
  for (std::size_t i = 2; i < oid.size(); ++i) put(oid[i]);
  raw({bytes, n});
  header(kTagOid, n);
  return true;
}

bool BerReader::next(Tlv& tlv) {
  if (bytes_.size() - pos_ < 2) return false;
  const std::size_t start = pos_;
  tlv.tag = bytes_[pos_++];
  if ((tlv.tag & 0x1f) == 0x1f) return false;  // multi-byte tags: not in SNMP
  std::size_t length = bytes_[pos_++];
  if (length & 0x80) {
    const std::size_t count = length & 0x7f;
    if (count == 0 || count > 4 || bytes_.size() - pos_ < count) return false;  // indefinite
    length = 0;
    for (std::size_t i = 0; i < count; ++i) length = (length << 8) | bytes_[pos_++];
  }
  if (length > bytes_.size() - pos_) return false;
  tlv.content = bytes_.subspan(pos_, length);
  pos_ += length;
  tlv.whole = bytes_.subspan(start, pos_ - start);
  return true;
}

bool decode_integer(std::span<const std::uint8_t> c, std::int64_t& out) {
  if (c.empty() || c.size() > 8) return false;
  std::uint64_t v = (c[0] & 0x80) ? ~std::uint64_t{0} : 0;
  for (auto b : c) v = (v << 8) | b;
  out = static_cast<std::int64_t>(v);
  return true;
}

bool decode_int32(std::span<const std::uint8_t> c, std::int32_t& out) {
  std::int64_t v = 0;
  if (c.size() > 4 || !decode_integer(c, v)) return false;
  out = static_cast<std::int32_t>(v);
  return true;
}

bool decode_unsigned(std::span<const std::uint8_t> c, std::size_t max_bytes, std::uint64_t& out) {
  if (c.empty()) return false;
  if (c.size() > max_bytes) {
    if (c.size() != max_bytes + 1 || c[0] != 0) return false;
    c = c.subspan(1);
  }
  std::uint64_t v = 0;
  for (auto b : c) v = (v << 8) | b;
  out = v;
  return true;
}

bool decode_oid(std::span<const std::uint8_t> content, Oid& out) {
  out.clear();
  if (content.empty()) return false;
  out.reserve(std::min(content.size() + 1, kMaxOidArcs));  // one allocation: arcs <= bytes + 1
  std::uint64_t value = 0;
  std::size_t bytes_in_arc = 0;
  for (const auto b : content) {
    if (bytes_in_arc == 0 && b == 0x80) return false;  // non-minimal
    value = (value << 7) | (b & 0x7f);
    if (++bytes_in_arc > 5 || value > 0xffffffffull + 80) return false;
    if (b & 0x80) continue;
    if (out.empty()) {
      // The first subidentifier packs the first two arcs: 40 * X + Y.
      // Limited to 32 bits as the encoder (and parse_oid) are, so that what decodes re-encodes.
      if (value > 0xffffffffull) return false;
      const std::uint64_t first = value < 80 ? value / 40 : 2;
      const std::uint64_t second = value - first * 40;
      out.push_back(static_cast<std::uint32_t>(first));
      out.push_back(static_cast<std::uint32_t>(second));
    } else {
      if (value > 0xffffffffull || out.size() >= kMaxOidArcs) return false;
      out.push_back(static_cast<std::uint32_t>(value));
    }
    value = 0;
    bytes_in_arc = 0;
  }
  return bytes_in_arc == 0;  // the last subidentifier must be complete
}

bool decode_oid_text(std::span<const std::uint8_t> content, std::string& out) {
  Oid oid;
  if (!decode_oid(content, oid)) return false;
  out = to_string(oid);
  return true;
}

bool decode_value(const Tlv& tlv, Varbind& vb) {
  const auto c = tlv.content;
  switch (tlv.tag) {
    case kTagInteger:
      vb.type = ValueType::kInteger;
      return c.size() <= 4 && decode_integer(c, vb.integer);
    case kTagOctetString:
    case kTagOpaque:
      vb.type = tlv.tag == kTagOpaque ? ValueType::kOpaque : ValueType::kOctetString;
      vb.octets.assign(reinterpret_cast<const char*>(c.data()), c.size());
      return true;
    case kTagNull:
      vb.type = ValueType::kNull;
      return c.empty();
    case kTagOid:
      vb.type = ValueType::kOid;
      return decode_oid_text(c, vb.octets);
    case kTagIpAddress: {
      vb.type = ValueType::kIpAddress;
      if (c.size() != 4) return false;
      char text[16];
      std::snprintf(text, sizeof text, "%u.%u.%u.%u", c[0], c[1], c[2], c[3]);
      vb.octets = text;
      return true;
    }
    case kTagCounter32:
    case kTagGauge32:
    case kTagTimeTicks:
      vb.type = tlv.tag == kTagCounter32 ? ValueType::kCounter32
                : tlv.tag == kTagGauge32 ? ValueType::kGauge32
                                         : ValueType::kTimeTicks;
      return decode_unsigned(c, 4, vb.number);
    case kTagCounter64:
      vb.type = ValueType::kCounter64;
      return decode_unsigned(c, 8, vb.number);
    case kTagNoSuchObject:
    case kTagNoSuchInstance:
    case kTagEndOfMibView:
      vb.type = tlv.tag == kTagNoSuchObject     ? ValueType::kNoSuchObject
                : tlv.tag == kTagNoSuchInstance ? ValueType::kNoSuchInstance
                                                : ValueType::kEndOfMibView;
      return c.empty();
    default:
      return false;
  }
}

bool encode_value(BerEncoder& out, const Varbind& vb) {
  switch (vb.type) {
    case ValueType::kInteger:
      if (vb.integer < INT32_MIN || vb.integer > INT32_MAX) return false;
      out.integer(vb.integer);
      return true;
    case ValueType::kOctetString:
      out.octets(vb.octets);
      return true;
    case ValueType::kOpaque:
      out.octets(vb.octets, kTagOpaque);
      return true;
    case ValueType::kNull:
      out.null();
      return true;
    case ValueType::kOid: {
      auto oid = parse_oid(vb.octets);
      return oid && out.oid(*oid);
    }
    case ValueType::kIpAddress: {
      unsigned a = 0, b = 0, c = 0, d = 0;
      char tail = 0;
      if (std::sscanf(vb.octets.c_str(), "%3u.%3u.%3u.%3u%c", &a, &b, &c, &d, &tail) != 4 ||
          a > 255 || b > 255 || c > 255 || d > 255) {
        return false;
      }
      const std::uint8_t bytes[4] = {static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b),
                                     static_cast<std::uint8_t>(c), static_cast<std::uint8_t>(d)};
      out.octets(std::span<const std::uint8_t>(bytes, 4), kTagIpAddress);
      return true;
    }
    case ValueType::kCounter32:
    case ValueType::kGauge32:
    case ValueType::kTimeTicks: {
      if (vb.number > 0xFFFFFFFFull) return false;
      const std::uint8_t tag = vb.type == ValueType::kCounter32 ? kTagCounter32
                               : vb.type == ValueType::kGauge32 ? kTagGauge32
                                                                : kTagTimeTicks;
      out.unsigned_integer(vb.number, tag);
      return true;
    }
    case ValueType::kCounter64:
      out.unsigned_integer(vb.number, kTagCounter64);
      return true;
    case ValueType::kNoSuchObject:
      out.null(kTagNoSuchObject);
      return true;
    case ValueType::kNoSuchInstance:
      out.null(kTagNoSuchInstance);
      return true;
    case ValueType::kEndOfMibView:
      out.null(kTagEndOfMibView);
      return true;
  }
  return false;
}

}  // namespace netpower::manager::snmp
