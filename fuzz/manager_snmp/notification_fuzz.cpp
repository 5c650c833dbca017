// Fuzz target for the SNMP library's notification decoder (manager/snmp/notification.h): v1
// Trap-PDUs, v2c traps and informs, and the inform's answer. Any bytes are decoded or refused with
// an error; an answered inform is the same message with a Response PDU that decodes as one.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "manager/snmp/message.h"
#include "manager/snmp/notification.h"

using namespace netpower::manager::snmp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> packet(data, size);
  const auto m = decode_notification(packet);
  using Status = NotificationMessage::Status;
  if ((m.status == Status::kBad || m.status == Status::kNotNotification) && m.error.empty()) {
    std::abort();
  }
  if (m.status == Status::kV3 && peek_version(packet) != 3) std::abort();
  if (m.status != Status::kOk) return 0;
  if (m.pdu_offset >= size) std::abort();
  for (const auto& vb : m.notification.varbinds) {
    if (vb.oid.size() < 2) std::abort();
  }
  const auto answer = inform_response(packet, m);
  if (!answer.empty()) {
    if (m.notification.kind != NotificationKind::kInform || answer.size() != size) std::abort();
    V2cMessage response;
    std::string error;
    if (!decode_v2c(answer, response, error) || response.pdu.type != kPduResponse ||
        response.pdu.request_id != m.notification.request_id) {
      std::abort();
    }
  }
  return 0;
}
