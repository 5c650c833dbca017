#include "manager/snmp/notification.h"

#include <cstdio>

namespace netpower::manager::snmp {

namespace {

// VarBindList ::= SEQUENCE OF SEQUENCE { name OID, value }
bool decode_varbinds(const Tlv& list, std::vector<Varbind>& out, std::string& error) {
  if (list.tag != kTagSequence) {
    error = "varbind list is not a SEQUENCE";
    return false;
  }
  BerReader r(list.content);
  Tlv vb_tlv;
  while (!r.empty()) {
    if (!r.expect(kTagSequence, vb_tlv)) {
      error = "bad varbind #" + std::to_string(out.size() + 1);
      return false;
    }
    BerReader vr(vb_tlv.content);
    Tlv name, value;
    Varbind& vb = out.emplace_back();
    if (!vr.expect(kTagOid, name) || !decode_oid(name.content, vb.oid)) {
      error = "bad OID in varbind #" + std::to_string(out.size());
      return false;
    }
    if (!vr.next(value) || !vr.empty() || !decode_value(value, vb)) {
      error = "bad value of " + to_string(vb.oid);
      return false;
    }
  }
  return true;
}

// SNMPv1 Trap-PDU (RFC 1157) and its translation to a v2 notification (RFC 3584 3.1).
bool decode_trap_v1(const Tlv& pdu, Notification& n, std::string& error) {
  BerReader r(pdu.content);
  Tlv enterprise, agent_addr, generic, specific, stamp, list;
  std::string enterprise_oid;
  std::int64_t generic_trap = 0;
  std::int64_t specific_trap = 0;
  std::uint64_t ticks = 0;
  if (!r.expect(kTagOid, enterprise) || !decode_oid_text(enterprise.content, enterprise_oid)) {
    error = "bad enterprise";
    return false;
  }
  if (!r.expect(kTagIpAddress, agent_addr) || agent_addr.content.size() != 4) {
    error = "bad agent-addr";
    return false;
  }
  if (!r.expect(kTagInteger, generic) || !decode_integer(generic.content, generic_trap) ||
      generic_trap < 0 || generic_trap > 6) {
    error = "bad generic-trap";
    return false;
  }
  if (!r.expect(kTagInteger, specific) || !decode_integer(specific.content, specific_trap) ||
      specific_trap < 0 || specific_trap > 0x7fffffff) {
    error = "bad specific-trap";
    return false;
  }
  if (!r.expect(kTagTimeTicks, stamp) || !decode_unsigned(stamp.content, 4, ticks)) {
    error = "bad time-stamp";
    return false;
  }
  if (!r.next(list) || !r.empty() || !decode_varbinds(list, n.varbinds, error)) {
    if (error.empty()) error = "bad varbind list";
    return false;
  }
  n.kind = NotificationKind::kTrapV1;
  n.uptime = static_cast<std::uint32_t>(ticks);
  if (generic_trap < 6) {
    n.trap_oid = std::string(kSnmpTrapsText) + "." + std::to_string(generic_trap + 1);
  } else {
    n.trap_oid = enterprise_oid + ".0." + std::to_string(specific_trap);
  }
  Varbind& address = n.varbinds.emplace_back();
  decode_value(agent_addr, address);
  address.oid = kSnmpTrapAddress0;
  Varbind& ent = n.varbinds.emplace_back();
  ent.oid = kSnmpTrapEnterprise0;
  ent.type = ValueType::kOid;
  ent.octets = std::move(enterprise_oid);
  return true;
}

// SNMPv2-Trap-PDU and InformRequest-PDU: request-id, error-status, error-index, varbinds whose
// first two are sysUpTime.0 and snmpTrapOID.0 (RFC 3416 4.2.6).
bool decode_trap_v2(const Tlv& pdu, Notification& n, std::string& error) {
  BerReader r(pdu.content);
  Tlv request_id, error_status, error_index, list;
  std::int64_t status = 0, index = 0;
  if (!r.expect(kTagInteger, request_id) || !decode_int32(request_id.content, n.request_id) ||
      !r.expect(kTagInteger, error_status) || !decode_integer(error_status.content, status) ||
      !r.expect(kTagInteger, error_index) || !decode_integer(error_index.content, index)) {
    error = "bad request-id or error fields";
    return false;
  }
  auto& all = n.varbinds;
  if (!r.next(list) || !r.empty() || !decode_varbinds(list, all, error)) {
    if (error.empty()) error = "bad varbind list";
    return false;
  }
  if (all.size() < 2 || all[0].oid != kSysUpTime0 || all[0].type != ValueType::kTimeTicks ||
      all[1].oid != kSnmpTrapOid0 || all[1].type != ValueType::kOid) {
    error = "the first varbinds are not sysUpTime.0 and snmpTrapOID.0";
    return false;
  }
  n.kind = pdu.tag == kPduInform ? NotificationKind::kInform : NotificationKind::kTrapV2;
  n.uptime = static_cast<std::uint32_t>(all[0].number);
  n.trap_oid = std::move(all[1].octets);
  all.erase(all.begin(), all.begin() + 2);
  n.error_fields_zero = status == 0 && index == 0;
  return true;
}

NotificationMessage bad(std::string error) {
  NotificationMessage m;
  m.status = NotificationMessage::Status::kBad;
  m.error = std::move(error);
  return m;
}

}  // namespace

bool decode_notification_pdu(const Tlv& pdu, bool v1, Notification& out, std::string& error) {
  out.varbinds.clear();
  bool ok = false;
  if (v1 && pdu.tag == kPduTrapV1) {
    ok = decode_trap_v1(pdu, out, error);
  } else if (!v1 && (pdu.tag == kPduTrapV2 || pdu.tag == kPduInform)) {
    ok = decode_trap_v2(pdu, out, error);
  } else {
    error = "not a notification PDU";
  }
  if (!ok) out.varbinds.clear();
  return ok;
}

NotificationMessage decode_notification(std::span<const std::uint8_t> packet) {
  BerReader outer(packet);
  Tlv message;
  if (!outer.expect(kTagSequence, message)) return bad("not a BER SEQUENCE");
  if (!outer.empty()) return bad("bytes after the message");
  BerReader r(message.content);
  Tlv version, community, pdu;
  std::int64_t v = 0;
  if (!r.expect(kTagInteger, version) || !decode_integer(version.content, v)) {
    return bad("bad msgVersion");
  }
  NotificationMessage m;
  if (v == 3) {
    m.status = NotificationMessage::Status::kV3;
    return m;
  }
  if (v != 0 && v != 1) return bad("unknown msgVersion " + std::to_string(v));
  if (!r.expect(kTagOctetString, community)) return bad("bad community");
  if (!r.next(pdu) || !r.empty()) return bad("bad PDU");
  m.version = static_cast<int>(v);
  m.community = std::string_view(reinterpret_cast<const char*>(community.content.data()),
                                 community.content.size());
  m.pdu_offset = static_cast<std::size_t>(pdu.whole.data() - packet.data());
  const bool v1 = v == 0;
  if ((v1 && pdu.tag == kPduTrapV1) || (!v1 && (pdu.tag == kPduTrapV2 || pdu.tag == kPduInform))) {
    if (!decode_notification_pdu(pdu, v1, m.notification, m.error)) {
      m.status = NotificationMessage::Status::kBad;
      return m;
    }
    m.status = NotificationMessage::Status::kOk;
    return m;
  }
  if ((pdu.tag & 0xE0) == 0xA0) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02X", pdu.tag);
    m.status = NotificationMessage::Status::kNotNotification;
    m.error = std::string("not a notification (PDU type 0x") + hex + ")";
    return m;
  }
  return bad("bad PDU tag");
}

std::vector<std::uint8_t> inform_response(std::span<const std::uint8_t> packet,
                                          const NotificationMessage& message) {
  if (message.status != NotificationMessage::Status::kOk ||
      message.notification.kind != NotificationKind::kInform ||
      !message.notification.error_fields_zero || message.pdu_offset >= packet.size()) {
    return {};
  }
  std::vector<std::uint8_t> response(packet.begin(), packet.end());
  response[message.pdu_offset] = kPduResponse;
  return response;
}

}  // namespace netpower::manager::snmp
