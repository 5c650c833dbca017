#include "manager/traps/detail/trap_decoder.h"

namespace netpower::manager::traps::detail {

void adopt(snmp::Notification&& n, DecodedTrap& trap) {
  trap.kind = n.kind;
  trap.request_id = n.request_id;
  trap.uptime = n.uptime;
  trap.trap_oid = std::move(n.trap_oid);
  trap.varbinds = std::move(n.varbinds);
}

V1V2cMessage decode_v1v2c(std::span<const std::uint8_t> packet) {
  V1V2cMessage m;
  m.message = snmp::decode_notification(packet);
  auto& message = m.message;
  m.error = message.error;
  m.community = message.community;
  m.pdu_offset = message.pdu_offset;
  switch (message.status) {
    case snmp::NotificationMessage::Status::kOk:
      m.status = V1V2cMessage::Status::kOk;
      m.trap.version = message.version == 0 ? TrapVersion::kV1 : TrapVersion::kV2c;
      // The inform's answer needs only the kind and the error fields, which a move leaves.
      adopt(std::move(message.notification), m.trap);
      break;
    case snmp::NotificationMessage::Status::kV3:
      m.status = V1V2cMessage::Status::kV3;
      break;
    case snmp::NotificationMessage::Status::kNotNotification:
      m.status = V1V2cMessage::Status::kNotification;
      break;
    case snmp::NotificationMessage::Status::kBad:
      m.status = V1V2cMessage::Status::kBad;
      break;
  }
  return m;
}

std::vector<std::uint8_t> inform_response(std::span<const std::uint8_t> packet,
                                          const V1V2cMessage& message) {
  return snmp::inform_response(packet, message.message);
}

}  // namespace netpower::manager::traps::detail
