#include "manager/traps/detail/trap_decoder.h"

#include <charconv>
#include <cstdio>

namespace netpower::manager::traps::detail {

namespace {

// BER tags (X.690 universal, RFC 2578 application, RFC 3416 context).
constexpr std::uint8_t kTagInteger = 0x02;
constexpr std::uint8_t kTagOctetString = 0x04;
constexpr std::uint8_t kTagNull = 0x05;
constexpr std::uint8_t kTagOid = 0x06;
constexpr std::uint8_t kTagSequence = 0x30;
constexpr std::uint8_t kTagIpAddress = 0x40;
constexpr std::uint8_t kTagCounter32 = 0x41;
constexpr std::uint8_t kTagGauge32 = 0x42;
constexpr std::uint8_t kTagTimeTicks = 0x43;
constexpr std::uint8_t kTagOpaque = 0x44;
constexpr std::uint8_t kTagCounter64 = 0x46;
constexpr std::uint8_t kTagNoSuchObject = 0x80;
constexpr std::uint8_t kTagNoSuchInstance = 0x81;
constexpr std::uint8_t kTagEndOfMibView = 0x82;
constexpr std::uint8_t kTagResponse = 0xA2;
constexpr std::uint8_t kTagTrapV1 = 0xA4;
constexpr std::uint8_t kTagInform = 0xA6;
constexpr std::uint8_t kTagTrapV2 = 0xA7;

constexpr std::size_t kMaxOidArcs = 128;  // RFC 2578

struct Tlv {
  std::uint8_t tag = 0;
  std::span<const std::uint8_t> content;
  std::size_t offset = 0;  // of the tag byte, relative to the reader's base
};

// Reads definite-length, single-byte-tag TLVs from a span; every length is bounded by the bytes
// present.
class Reader {
 public:
  Reader(std::span<const std::uint8_t> bytes, std::size_t base) : bytes_(bytes), base_(base) {}

  bool empty() const { return pos_ == bytes_.size(); }

  bool next(Tlv& tlv) {
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
    tlv.offset = base_ + start;
    pos_ += length;
    return true;
  }

  bool expect(std::uint8_t tag, Tlv& tlv) { return next(tlv) && tlv.tag == tag; }

  // Reader over a constructed TLV's content.
  static Reader inside(const Tlv& tlv, std::span<const std::uint8_t> packet) {
    const auto offset = static_cast<std::size_t>(tlv.content.data() - packet.data());
    return Reader(tlv.content, offset);
  }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t base_;
  std::size_t pos_ = 0;
};

bool decode_signed(std::span<const std::uint8_t> c, std::int64_t& out) {
  if (c.empty() || c.size() > 8) return false;
  std::uint64_t v = (c[0] & 0x80) ? ~std::uint64_t{0} : 0;
  for (auto b : c) v = (v << 8) | b;
  out = static_cast<std::int64_t>(v);
  return true;
}

bool decode_unsigned(std::span<const std::uint8_t> c, std::size_t max_bytes, std::uint64_t& out) {
  // An unsigned value may carry one leading zero byte (0x00 0xFF... for values with the top bit).
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

bool decode_value(const Tlv& tlv, TrapVarbind& vb) {
  const auto c = tlv.content;
  switch (tlv.tag) {
    case kTagInteger:
      vb.type = VarbindType::kInteger;
      return decode_signed(c, vb.integer) && c.size() <= 4;
    case kTagOctetString:
    case kTagOpaque:
      vb.type = tlv.tag == kTagOpaque ? VarbindType::kOpaque : VarbindType::kOctetString;
      vb.octets.assign(reinterpret_cast<const char*>(c.data()), c.size());
      return true;
    case kTagNull:
      vb.type = VarbindType::kNull;
      return c.empty();
    case kTagOid:
      vb.type = VarbindType::kOid;
      return decode_oid(c, vb.octets);
    case kTagIpAddress: {
      vb.type = VarbindType::kIpAddress;
      if (c.size() != 4) return false;
      char text[16];
      std::snprintf(text, sizeof text, "%u.%u.%u.%u", c[0], c[1], c[2], c[3]);
      vb.octets = text;
      return true;
    }
    case kTagCounter32:
    case kTagGauge32:
    case kTagTimeTicks:
      vb.type = tlv.tag == kTagCounter32 ? VarbindType::kCounter32
                : tlv.tag == kTagGauge32 ? VarbindType::kGauge32
                                         : VarbindType::kTimeTicks;
      return decode_unsigned(c, 4, vb.number);
    case kTagCounter64:
      vb.type = VarbindType::kCounter64;
      return decode_unsigned(c, 8, vb.number);
    case kTagNoSuchObject:
    case kTagNoSuchInstance:
    case kTagEndOfMibView:
      vb.type = tlv.tag == kTagNoSuchObject     ? VarbindType::kNoSuchObject
                : tlv.tag == kTagNoSuchInstance ? VarbindType::kNoSuchInstance
                                                : VarbindType::kEndOfMibView;
      return c.empty();
    default:
      return false;
  }
}

// VarBindList ::= SEQUENCE OF SEQUENCE { name OID, value }
bool decode_varbinds(const Tlv& list, std::span<const std::uint8_t> packet,
                     std::vector<TrapVarbind>& out, std::string& error) {
  if (list.tag != kTagSequence) {
    error = "varbind list is not a SEQUENCE";
    return false;
  }
  Reader r = Reader::inside(list, packet);
  Tlv vb_tlv;
  while (!r.empty()) {
    if (!r.expect(kTagSequence, vb_tlv)) {
      error = "bad varbind #" + std::to_string(out.size() + 1);
      return false;
    }
    Reader vr = Reader::inside(vb_tlv, packet);
    Tlv name;
    Tlv value;
    TrapVarbind vb;
    if (!vr.expect(kTagOid, name) || !decode_oid(name.content, vb.oid)) {
      error = "bad OID in varbind #" + std::to_string(out.size() + 1);
      return false;
    }
    if (!vr.next(value) || !vr.empty() || !decode_value(value, vb)) {
      error = "bad value of " + vb.oid;
      return false;
    }
    out.push_back(std::move(vb));
  }
  return true;
}

V1V2cMessage bad(std::string error) {
  V1V2cMessage m;
  m.status = V1V2cMessage::Status::kBad;
  m.error = std::move(error);
  return m;
}

// SNMPv1 Trap-PDU (RFC 1157) and its translation to a v2 notification (RFC 3584 3.1).
bool decode_trap_v1(const Tlv& pdu, std::span<const std::uint8_t> packet, V1V2cMessage& m) {
  Reader r = Reader::inside(pdu, packet);
  Tlv enterprise, agent_addr, generic, specific, stamp, list;
  std::string enterprise_oid;
  std::int64_t generic_trap = 0;
  std::int64_t specific_trap = 0;
  std::uint64_t ticks = 0;
  if (!r.expect(kTagOid, enterprise) || !decode_oid(enterprise.content, enterprise_oid)) {
    m.error = "bad enterprise";
    return false;
  }
  if (!r.expect(kTagIpAddress, agent_addr) || agent_addr.content.size() != 4) {
    m.error = "bad agent-addr";
    return false;
  }
  if (!r.expect(kTagInteger, generic) || !decode_signed(generic.content, generic_trap) ||
      generic_trap < 0 || generic_trap > 6) {
    m.error = "bad generic-trap";
    return false;
  }
  if (!r.expect(kTagInteger, specific) || !decode_signed(specific.content, specific_trap) ||
      specific_trap < 0 || specific_trap > 0x7fffffff) {
    m.error = "bad specific-trap";
    return false;
  }
  if (!r.expect(kTagTimeTicks, stamp) || !decode_unsigned(stamp.content, 4, ticks)) {
    m.error = "bad time-stamp";
    return false;
  }
  if (!r.next(list) || !r.empty() || !decode_varbinds(list, packet, m.trap.varbinds, m.error)) {
    if (m.error.empty()) m.error = "bad varbind list";
    return false;
  }
  auto& t = m.trap;
  t.kind = NotificationKind::kTrapV1;
  t.uptime = static_cast<std::uint32_t>(ticks);
  if (generic_trap < 6) {
    t.trap_oid = std::string(kSnmpTraps) + "." + std::to_string(generic_trap + 1);
  } else {
    t.trap_oid = enterprise_oid + ".0." + std::to_string(specific_trap);
  }
  TrapVarbind address;
  decode_value(agent_addr, address);
  address.oid = kSnmpTrapAddress0;
  t.varbinds.push_back(std::move(address));
  TrapVarbind ent;
  ent.oid = kSnmpTrapEnterprise0;
  ent.type = VarbindType::kOid;
  ent.octets = enterprise_oid;
  t.varbinds.push_back(std::move(ent));
  return true;
}

// SNMPv2-Trap-PDU and InformRequest-PDU: request-id, error-status, error-index, varbinds whose
// first two are sysUpTime.0 and snmpTrapOID.0 (RFC 3416 4.2.6).
bool decode_trap_v2(const Tlv& pdu, std::span<const std::uint8_t> packet, V1V2cMessage& m) {
  Reader r = Reader::inside(pdu, packet);
  Tlv request_id, error_status, error_index, list;
  std::int64_t id = 0, status = 0, index = 0;
  if (!r.expect(kTagInteger, request_id) || !decode_signed(request_id.content, id) ||
      request_id.content.size() > 4 || !r.expect(kTagInteger, error_status) ||
      !decode_signed(error_status.content, status) || !r.expect(kTagInteger, error_index) ||
      !decode_signed(error_index.content, index)) {
    m.error = "bad request-id or error fields";
    return false;
  }
  std::vector<TrapVarbind> all;
  if (!r.next(list) || !r.empty() || !decode_varbinds(list, packet, all, m.error)) {
    if (m.error.empty()) m.error = "bad varbind list";
    return false;
  }
  if (all.size() < 2 || all[0].oid != kSysUpTime0 || all[0].type != VarbindType::kTimeTicks ||
      all[1].oid != kSnmpTrapOid0 || all[1].type != VarbindType::kOid) {
    m.error = "the first varbinds are not sysUpTime.0 and snmpTrapOID.0";
    return false;
  }
  auto& t = m.trap;
  t.kind = pdu.tag == kTagInform ? NotificationKind::kInform : NotificationKind::kTrapV2;
  t.request_id = static_cast<std::int32_t>(id);
  t.uptime = static_cast<std::uint32_t>(all[0].number);
  t.trap_oid = std::move(all[1].octets);
  t.varbinds.assign(std::make_move_iterator(all.begin() + 2), std::make_move_iterator(all.end()));
  m.error_fields_zero = status == 0 && index == 0;
  return true;
}

}  // namespace

bool decode_oid(std::span<const std::uint8_t> content, std::string& out) {
  out.clear();
  if (content.empty()) return false;
  std::size_t arcs = 0;
  std::uint64_t value = 0;
  std::size_t bytes_in_arc = 0;
  char digits[24];
  for (std::size_t i = 0; i < content.size(); ++i) {
    const auto b = content[i];
    if (bytes_in_arc == 0 && b == 0x80) return false;  // non-minimal
    value = (value << 7) | (b & 0x7f);
    if (++bytes_in_arc > 5 || value > 0xffffffffull + 80) return false;
    if (b & 0x80) continue;
    if (arcs == 0) {
      // The first subidentifier packs the first two arcs: 40 * X + Y.
      const std::uint64_t first = value < 80 ? value / 40 : 2;
      const std::uint64_t second = value - first * 40;
      if (second > 0xffffffffull) return false;
      auto r = std::to_chars(digits, digits + sizeof digits, first);
      out.append(digits, r.ptr);
      out.push_back('.');
      r = std::to_chars(digits, digits + sizeof digits, second);
      out.append(digits, r.ptr);
      arcs = 2;
    } else {
      if (value > 0xffffffffull || ++arcs > kMaxOidArcs) return false;
      out.push_back('.');
      auto r = std::to_chars(digits, digits + sizeof digits, value);
      out.append(digits, r.ptr);
    }
    value = 0;
    bytes_in_arc = 0;
  }
  return bytes_in_arc == 0;  // the last subidentifier must be complete
}

int peek_version(std::span<const std::uint8_t> packet) {
  Reader outer(packet, 0);
  Tlv message;
  if (!outer.expect(kTagSequence, message)) return -1;
  Reader r = Reader::inside(message, packet);
  Tlv version;
  std::int64_t v = 0;
  if (!r.expect(kTagInteger, version) || !decode_signed(version.content, v)) return -1;
  return v == 0 || v == 1 || v == 3 ? static_cast<int>(v) : -1;
}

V1V2cMessage decode_v1v2c(std::span<const std::uint8_t> packet) {
  Reader outer(packet, 0);
  Tlv message;
  if (!outer.expect(kTagSequence, message)) return bad("not a BER SEQUENCE");
  if (!outer.empty()) return bad("bytes after the message");
  Reader r = Reader::inside(message, packet);
  Tlv version, community, pdu;
  std::int64_t v = 0;
  if (!r.expect(kTagInteger, version) || !decode_signed(version.content, v)) {
    return bad("bad msgVersion");
  }
  V1V2cMessage m;
  if (v == 3) {
    m.status = V1V2cMessage::Status::kV3;
    return m;
  }
  if (v != 0 && v != 1) return bad("unknown msgVersion " + std::to_string(v));
  if (!r.expect(kTagOctetString, community)) return bad("bad community");
  if (!r.next(pdu) || !r.empty()) return bad("bad PDU");
  m.community = std::string_view(reinterpret_cast<const char*>(community.content.data()),
                                 community.content.size());
  m.pdu_offset = pdu.offset;
  m.trap.version = v == 0 ? TrapVersion::kV1 : TrapVersion::kV2c;
  bool ok = false;
  if (v == 0 && pdu.tag == kTagTrapV1) {
    ok = decode_trap_v1(pdu, packet, m);
  } else if (v == 1 && (pdu.tag == kTagTrapV2 || pdu.tag == kTagInform)) {
    ok = decode_trap_v2(pdu, packet, m);
  } else if ((pdu.tag & 0xE0) == 0xA0) {
    m.status = V1V2cMessage::Status::kNotification;
    m.error = "not a notification (PDU type 0x" + [&] {
      char hex[3];
      std::snprintf(hex, sizeof hex, "%02X", pdu.tag);
      return std::string(hex);
    }() + ")";
    return m;
  } else {
    return bad("bad PDU tag");
  }
  if (!ok) {
    m.status = V1V2cMessage::Status::kBad;
    m.trap.varbinds.clear();
    return m;
  }
  m.status = V1V2cMessage::Status::kOk;
  return m;
}

std::vector<std::uint8_t> inform_response(std::span<const std::uint8_t> packet,
                                          const V1V2cMessage& message) {
  if (message.status != V1V2cMessage::Status::kOk ||
      message.trap.kind != NotificationKind::kInform || !message.error_fields_zero ||
      message.pdu_offset >= packet.size()) {
    return {};
  }
  std::vector<std::uint8_t> response(packet.begin(), packet.end());
  response[message.pdu_offset] = kTagResponse;
  return response;
}

}  // namespace netpower::manager::traps::detail
