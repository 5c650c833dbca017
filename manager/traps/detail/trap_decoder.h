#pragma once
// The fast path: SNMPv1/v2c notification messages decoded straight from the datagram's BER bytes,
// no I/O, no allocation beyond the result. What the fuzzer and the unit tests hit. SNMPv3 messages
// are only recognised here (kV3) and go to the net-snmp USM path (usm_engine.h).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "manager/traps/decoded_trap.h"

namespace netpower::manager::traps::detail {

struct V1V2cMessage {
  enum class Status {
    kOk,            // a v1 Trap, v2c Trap or v2c Inform, fully decoded into `trap`
    kV3,            // msgVersion 3: not decoded here
    kNotification,  // a well-formed message whose PDU is not a notification (GET, Response, ...)
    kBad,           // malformed; `error` says where
  };
  Status status = Status::kBad;
  std::string error;
  // Points into the packet: valid while the packet is.
  std::string_view community;
  // Offset of the PDU's tag byte in the packet (for answering an inform in place).
  std::size_t pdu_offset = 0;
  bool error_fields_zero = true;  // error-status and error-index are both 0 (v2 PDUs)
  // Filled when kOk: version, kind, request_id, uptime, trap_oid, varbinds (not the source fields).
  DecodedTrap trap;
};

// The message version (0 = v1, 1 = v2c, 3 = v3) of a datagram, or -1 if it is not an SNMP message.
int peek_version(std::span<const std::uint8_t> packet);

V1V2cMessage decode_v1v2c(std::span<const std::uint8_t> packet);

// The Response-PDU that answers a decoded v2c inform: the same message with the PDU tag changed to
// Response (the request-id, community and varbinds stay, and the error fields are zero, as RFC 3416
// 4.2.7 asks). Empty if `message` is not an inform or its error fields are not zero.
std::vector<std::uint8_t> inform_response(std::span<const std::uint8_t> packet,
                                          const V1V2cMessage& message);

// OID content octets (X.690 8.19) to "1.3.6.1..."; false if malformed.
bool decode_oid(std::span<const std::uint8_t> content, std::string& out);

}  // namespace netpower::manager::traps::detail
