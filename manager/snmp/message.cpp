#include "manager/snmp/message.h"

namespace netpower::manager::snmp {

bool encode_pdu(BerEncoder& out, const PduRequest& request) {
  const std::size_t pdu_mark = out.mark();
  const std::size_t list_mark = out.mark();
  for (auto it = request.varbinds.rbegin(); it != request.varbinds.rend(); ++it) {
    const std::size_t vb_mark = out.mark();
    if (!encode_value(out, *it) || !out.oid(it->oid)) return false;
    out.wrap(kTagSequence, vb_mark);
  }
  if (request.varbinds.empty()) {
    for (auto it = request.oids.rbegin(); it != request.oids.rend(); ++it) {
      const std::size_t vb_mark = out.mark();
      out.null();
      if (!out.oid(*it)) return false;
      out.wrap(kTagSequence, vb_mark);
    }
  }
  out.wrap(kTagSequence, list_mark);
  // GETBULK's two fields take the places of error-status and error-index (RFC 3416 3).
  const bool bulk = request.type == kPduGetBulk;
  out.integer(bulk ? request.max_repetitions : 0);
  out.integer(bulk ? request.non_repeaters : 0);
  out.integer(request.request_id);
  out.wrap(request.type, pdu_mark);
  return true;
}

std::vector<std::uint8_t> encode_v2c(std::string_view community, const PduRequest& request) {
  BerEncoder out(64 + community.size() + (request.oids.size() + request.varbinds.size()) * 24);
  if (!encode_pdu(out, request)) return {};
  out.octets(community);
  out.integer(1);
  out.wrap(kTagSequence, 0);
  return out.take();
}

bool decode_pdu(const Tlv& pdu, Pdu& out, std::string& error) {
  if ((pdu.tag & 0xE0) != 0xA0 || pdu.tag == 0xA4) {
    error = "not an SNMPv2 PDU";
    return false;
  }
  out.type = pdu.tag;
  BerReader r(pdu.content);
  Tlv id, status, index, list;
  if (!r.expect(kTagInteger, id) || !decode_int32(id.content, out.request_id)) {
    error = "bad request-id";
    return false;
  }
  if (!r.expect(kTagInteger, status) || !decode_int32(status.content, out.error_status) ||
      !r.expect(kTagInteger, index) || !decode_int32(index.content, out.error_index)) {
    error = "bad error-status or error-index";
    return false;
  }
  if (!r.expect(kTagSequence, list) || !r.empty()) {
    error = "bad varbind list";
    return false;
  }
  BerReader vr(list.content);
  Tlv vb_tlv;
  out.varbinds.reserve(out.varbinds.size() + list.content.size() / 24);  // a typical varbind
  while (!vr.empty()) {
    if (!vr.expect(kTagSequence, vb_tlv)) {
      error = "bad varbind #" + std::to_string(out.varbinds.size() + 1);
      return false;
    }
    BerReader fr(vb_tlv.content);
    Tlv name, value;
    Varbind& vb = out.varbinds.emplace_back();
    if (!fr.expect(kTagOid, name) || !decode_oid(name.content, vb.oid)) {
      error = "bad OID in varbind #" + std::to_string(out.varbinds.size());
      out.varbinds.pop_back();
      return false;
    }
    if (!fr.next(value) || !fr.empty() || !decode_value(value, vb)) {
      error = "bad value of " + to_string(vb.oid);
      out.varbinds.pop_back();
      return false;
    }
  }
  return true;
}

int peek_version(std::span<const std::uint8_t> packet) {
  BerReader outer(packet);
  Tlv message, version;
  std::int64_t v = 0;
  if (!outer.expect(kTagSequence, message)) return -1;
  BerReader r(message.content);
  if (!r.expect(kTagInteger, version) || !decode_integer(version.content, v)) return -1;
  return v == 0 || v == 1 || v == 3 ? static_cast<int>(v) : -1;
}

bool decode_v2c(std::span<const std::uint8_t> packet, V2cMessage& out, std::string& error) {
  BerReader outer(packet);
  Tlv message, version, community, pdu;
  if (!outer.expect(kTagSequence, message) || !outer.empty()) {
    error = "not a BER SEQUENCE";
    return false;
  }
  BerReader r(message.content);
  if (!r.expect(kTagInteger, version) || !decode_int32(version.content, out.version) ||
      (out.version != 0 && out.version != 1)) {
    error = "not an SNMPv1/v2c message";
    return false;
  }
  if (!r.expect(kTagOctetString, community)) {
    error = "bad community";
    return false;
  }
  out.community = std::string_view(reinterpret_cast<const char*>(community.content.data()),
                                   community.content.size());
  if (!r.next(pdu) || !r.empty()) {
    error = "bad PDU";
    return false;
  }
  return decode_pdu(pdu, out.pdu, error);
}

bool decode_v3(std::span<const std::uint8_t> packet, V3Message& out, std::string& error) {
  BerReader outer(packet);
  Tlv message, version, header, sec, data;
  std::int64_t v = 0;
  if (!outer.expect(kTagSequence, message) || !outer.empty()) {
    error = "not a BER SEQUENCE";
    return false;
  }
  BerReader r(message.content);
  if (!r.expect(kTagInteger, version) || !decode_integer(version.content, v) || v != 3) {
    error = "not an SNMPv3 message";
    return false;
  }
  // HeaderData ::= SEQUENCE { msgID, msgMaxSize, msgFlags, msgSecurityModel }
  {
    if (!r.expect(kTagSequence, header)) {
      error = "bad msgGlobalData";
      return false;
    }
    BerReader h(header.content);
    Tlv id, max, flags, model;
    std::int32_t security_model = 0;
    if (!h.expect(kTagInteger, id) || !decode_int32(id.content, out.msg_id) ||
        !h.expect(kTagInteger, max) || !decode_int32(max.content, out.max_size) ||
        !h.expect(kTagOctetString, flags) || flags.content.size() != 1 ||
        !h.expect(kTagInteger, model) || !decode_int32(model.content, security_model) ||
        !h.empty()) {
      error = "bad msgGlobalData";
      return false;
    }
    out.flags = flags.content[0];
    if (security_model != kSecurityModelUsm) {
      error = "security model " + std::to_string(security_model) + " is not USM";
      return false;
    }
  }
  // msgSecurityParameters: an OCTET STRING holding UsmSecurityParameters.
  {
    Tlv usm, engine_id, boots, time, user, auth, priv;
    if (!r.expect(kTagOctetString, sec)) {
      error = "bad msgSecurityParameters";
      return false;
    }
    BerReader s(sec.content);
    if (!s.expect(kTagSequence, usm) || !s.empty()) {
      error = "bad msgSecurityParameters";
      return false;
    }
    BerReader u(usm.content);
    if (!u.expect(kTagOctetString, engine_id) || engine_id.content.size() > 32 ||
        !u.expect(kTagInteger, boots) || !decode_int32(boots.content, out.engine_boots) ||
        !u.expect(kTagInteger, time) || !decode_int32(time.content, out.engine_time) ||
        !u.expect(kTagOctetString, user) || user.content.size() > 32 ||
        !u.expect(kTagOctetString, auth) || !u.expect(kTagOctetString, priv) || !u.empty()) {
      error = "bad USM security parameters";
      return false;
    }
    out.engine_id = engine_id.content;
    out.user =
        std::string_view(reinterpret_cast<const char*>(user.content.data()), user.content.size());
    out.auth_offset = static_cast<std::size_t>(auth.content.data() - packet.data());
    out.auth_length = auth.content.size();
    out.priv_params = priv.content;
  }
  if (!r.next(data) || !r.empty() || (data.tag != kTagSequence && data.tag != kTagOctetString)) {
    error = "bad msgData";
    return false;
  }
  out.encrypted = data.tag == kTagOctetString;
  out.data = out.encrypted ? data.content : data.whole;
  if (out.encrypted != ((out.flags & kFlagPriv) != 0)) {
    error = "msgData does not match msgFlags";
    return false;
  }
  return true;
}

bool decode_scoped_pdu(std::span<const std::uint8_t> bytes, Pdu& out, std::string& error) {
  // Decrypted data may carry padding after the SEQUENCE (DES), so only the first TLV counts.
  BerReader outer(bytes);
  Tlv scoped, engine, context, pdu;
  if (!outer.expect(kTagSequence, scoped)) {
    error = "bad ScopedPDU (wrong privacy key?)";
    return false;
  }
  BerReader r(scoped.content);
  if (!r.expect(kTagOctetString, engine) || !r.expect(kTagOctetString, context) || !r.next(pdu) ||
      !r.empty()) {
    error = "bad ScopedPDU";
    return false;
  }
  return decode_pdu(pdu, out, error);
}

std::string error_status_name(std::int32_t status) {
  static const char* const kNames[] = {"noError",
                                       "tooBig",
                                       "noSuchName",
                                       "badValue",
                                       "readOnly",
                                       "genErr",
                                       "noAccess",
                                       "wrongType",
                                       "wrongLength",
                                       "wrongEncoding",
                                       "wrongValue",
                                       "noCreation",
                                       "inconsistentValue",
                                       "resourceUnavailable",
                                       "commitFailed",
                                       "undoFailed",
                                       "authorizationError",
                                       "notWritable",
                                       "inconsistentName"};
  if (status >= 0 && status < static_cast<std::int32_t>(std::size(kNames))) return kNames[status];
  return "error " + std::to_string(status);
}

}  // namespace netpower::manager::snmp
