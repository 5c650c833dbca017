#pragma once
// SNMP notifications as a receiver decodes them: SNMPv1 Trap-PDUs (translated to the v2 form, RFC
// 3584 3.1), SNMPv2-Trap-PDUs and InformRequest-PDUs, with the v2c inform's answer. Bytes in, a
// value or a clear error out; no I/O. SNMPv3 messages are recognised (kV3) and left to the caller's
// USM engine; decode_notification_pdu() takes a PDU that engine decrypted.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "manager/snmp/ber.h"
#include "manager/snmp/varbind.h"

namespace netpower::manager::snmp {

// SNMPv1 Trap-PDU, SNMPv2-Trap-PDU, InformRequest-PDU.
enum class NotificationKind : std::uint8_t { kTrapV1, kTrapV2, kInform };

// Well-known OIDs of notifications (RFC 3418, RFC 3584).
inline const Oid kSysUpTime0 = {1, 3, 6, 1, 2, 1, 1, 3, 0};
inline const Oid kSnmpTrapOid0 = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
inline const Oid kSnmpTrapAddress0 = {1, 3, 6, 1, 6, 3, 18, 1, 3, 0};
inline const Oid kSnmpTrapEnterprise0 = {1, 3, 6, 1, 6, 3, 1, 1, 4, 3, 0};
inline constexpr std::string_view kSnmpTrapsText = "1.3.6.1.6.3.1.1.5";  // coldStart = .1, ...

struct Notification {
  NotificationKind kind = NotificationKind::kTrapV2;
  std::int32_t request_id = 0;          // 0 for v1
  std::optional<std::uint32_t> uptime;  // sysUpTime.0 (v2) or the v1 time-stamp, in ticks
  std::string trap_oid;                 // snmpTrapOID.0 as text; v1 mapped per RFC 3584 3.1
  // The varbinds after sysUpTime.0 and snmpTrapOID.0 (v2), or the v1 varbinds followed by
  // snmpTrapAddress.0 and snmpTrapEnterprise.0 (RFC 3584; snmpTrapCommunity.0 is left out: a
  // community is a secret).
  std::vector<Varbind> varbinds;
  bool error_fields_zero = true;  // error-status and error-index both 0 (v2 PDUs)
};

// A notification PDU's TLV (v1 Trap-PDU only when `v1`); false with `error` if malformed.
bool decode_notification_pdu(const Tlv& pdu, bool v1, Notification& out, std::string& error);

struct NotificationMessage {
  enum class Status {
    kOk,               // a v1 Trap, v2c Trap or v2c Inform, fully decoded into `notification`
    kV3,               // msgVersion 3: not decoded here
    kNotNotification,  // a well-formed message whose PDU is not a notification (GET, ...)
    kBad,              // malformed; `error` says where
  };
  Status status = Status::kBad;
  std::string error;
  int version = 1;             // 0 = v1, 1 = v2c
  std::string_view community;  // points into the packet
  std::size_t pdu_offset = 0;  // of the PDU's tag byte in the packet (to answer an inform)
  Notification notification;
};
NotificationMessage decode_notification(std::span<const std::uint8_t> packet);

// The Response-PDU that answers a decoded v2c inform: the same message with the PDU tag changed to
// Response (request-id, community and varbinds stay; the error fields are zero, as RFC 3416 4.2.7
// asks). Empty if `message` is not an inform or its error fields are not zero.
std::vector<std::uint8_t> inform_response(std::span<const std::uint8_t> packet,
                                          const NotificationMessage& message);

}  // namespace netpower::manager::snmp
