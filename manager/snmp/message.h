#pragma once
// SNMP messages: v2c requests and responses, the SNMPv3 message header (RFC 3412) and scoped PDU.
// Bytes in, values or a clear error out; no I/O. The USM part (keys, digests, encryption) is in
// usm.h; notifications (v1 Trap-PDU, v2 traps and informs) in notification.h.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "manager/snmp/ber.h"
#include "manager/snmp/varbind.h"

namespace netpower::manager::snmp {

// A request PDU: GET, GETNEXT (oids) or GETBULK (plus non-repeaters and max-repetitions), every
// varbind's value NULL; or SET, whose `varbinds` carry their values (then `oids` is ignored).
struct PduRequest {
  std::uint8_t type = kPduGetBulk;
  std::int32_t request_id = 0;
  std::int32_t non_repeaters = 0;
  std::int32_t max_repetitions = 0;
  std::span<const Oid> oids;
  std::span<const Varbind> varbinds;
};

// Writes the PDU into `out`; false if an OID or a value cannot be encoded.
bool encode_pdu(BerEncoder& out, const PduRequest& request);
// A whole v2c message; empty if an OID cannot be encoded.
std::vector<std::uint8_t> encode_v2c(std::string_view community, const PduRequest& request);

struct Pdu {
  std::uint8_t type = 0;  // kPduResponse, kPduReport, ...
  std::int32_t request_id = 0;
  std::int32_t error_status = 0;
  std::int32_t error_index = 0;
  std::vector<Varbind> varbinds;
};

// A PDU's TLV (any of the RFC 3416 PDUs but the v1 Trap); appends to out.varbinds.
bool decode_pdu(const Tlv& pdu, Pdu& out, std::string& error);

// The message version (0 = v1, 1 = v2c, 3 = v3), or -1 if the bytes are not an SNMP message.
int peek_version(std::span<const std::uint8_t> packet);

struct V2cMessage {
  std::int32_t version = 1;
  std::string_view community;  // points into the packet
  Pdu pdu;
};
bool decode_v2c(std::span<const std::uint8_t> packet, V2cMessage& out, std::string& error);

// msgFlags (RFC 3412 6.4).
inline constexpr std::uint8_t kFlagAuth = 0x01;
inline constexpr std::uint8_t kFlagPriv = 0x02;
inline constexpr std::uint8_t kFlagReportable = 0x04;
inline constexpr std::int32_t kSecurityModelUsm = 3;

// An SNMPv3 message with USM security parameters (RFC 3414 2.4), not yet authenticated or
// decrypted. Spans point into the packet.
struct V3Message {
  std::int32_t msg_id = 0;
  std::int32_t max_size = 0;
  std::uint8_t flags = 0;
  std::span<const std::uint8_t> engine_id;
  std::int32_t engine_boots = 0;
  std::int32_t engine_time = 0;
  std::string_view user;
  // Where msgAuthenticationParameters' content sits in the packet (to verify the digest).
  std::size_t auth_offset = 0;
  std::size_t auth_length = 0;
  std::span<const std::uint8_t> priv_params;
  // msgData: a plaintext ScopedPDU (SEQUENCE) or the encryptedPDU's content (OCTET STRING).
  bool encrypted = false;
  std::span<const std::uint8_t> data;  // the whole SEQUENCE TLV, or the OCTET STRING's content
};
bool decode_v3(std::span<const std::uint8_t> packet, V3Message& out, std::string& error);

// A ScopedPDU SEQUENCE TLV (possibly followed by padding when it was decrypted).
bool decode_scoped_pdu(std::span<const std::uint8_t> bytes, Pdu& out, std::string& error);

// RFC 3416 error-status names: "tooBig", "noSuchName", ..., "inconsistentName"; "error <n>".
std::string error_status_name(std::int32_t status);

}  // namespace netpower::manager::snmp
