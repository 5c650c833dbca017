#pragma once
// The fast path: SNMPv1/v2c notification messages decoded straight from the datagram's bytes by
// the SNMP library (manager/snmp/notification.h), no I/O, no allocation beyond the result. SNMPv3
// messages are only recognised here (kV3) and go to the net-snmp USM path (usm_engine.h).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "manager/snmp/notification.h"
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
  // Offset of the PDU's tag byte in the packet (where an inform's answer differs).
  std::size_t pdu_offset = 0;
  // Filled when kOk: version, kind, request_id, uptime, trap_oid, varbinds (not the source fields).
  DecodedTrap trap;
  // What the library decoded (for the inform's answer); its notification moved into `trap`.
  snmp::NotificationMessage message;
};

V1V2cMessage decode_v1v2c(std::span<const std::uint8_t> packet);

// The Response-PDU that answers a decoded v2c inform (snmp::inform_response): empty if `message`
// is not an inform or its error fields are not zero.
std::vector<std::uint8_t> inform_response(std::span<const std::uint8_t> packet,
                                          const V1V2cMessage& message);

// Moves a decoded notification's fields into `trap` (kind, request_id, uptime, trap_oid,
// varbinds). Shared with the v3 path.
void adopt(snmp::Notification&& notification, DecodedTrap& trap);

}  // namespace netpower::manager::traps::detail
