#pragma once
// One notification as the trap receiver understood it: who sent it, which notification, and its
// varbinds with their types. What the state cache (on_trap) and the store (as an Event) receive.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manager/mib/notifications.h"
#include "manager/model/event.h"
#include "manager/model/time.h"
#include "manager/snmp/notification.h"
#include "manager/snmp/varbind.h"

namespace netpower::manager::traps {

enum class TrapVersion : std::uint8_t { kV1, kV2c, kV3 };
// SNMPv1 Trap-PDU, SNMPv2-Trap-PDU, InformRequest-PDU.
using snmp::NotificationKind;
const char* to_string(TrapVersion v);       // "1", "2c", "3"
const char* to_string(NotificationKind k);  // "trap", "trap", "inform"

// The varbinds are the SNMP library's (typed OIDs, values as the codec decodes them).
using snmp::ValueType;
using snmp::Varbind;

struct DecodedTrap {
  std::string agent;           // the configured agent whose address matches the source, else
                               // the source address ("10.1.12.5")
  std::string source_address;  // numeric IPv4/IPv6 address of the UDP sender
  std::uint16_t source_port = 0;
  model::WallTime received;
  TrapVersion version = TrapVersion::kV2c;
  NotificationKind kind = NotificationKind::kTrapV2;
  std::string user;             // v3: the USM user; empty for v1/v2c (communities are secrets)
  std::int32_t request_id = 0;  // 0 for v1
  std::optional<std::uint32_t> uptime;  // sysUpTime.0 (v2) or the v1 time-stamp, in ticks
  std::string trap_oid;                 // snmpTrapOID.0; for v1 mapped per RFC 3584 section 3.1
  // The varbinds after sysUpTime.0 and snmpTrapOID.0 (v2), or the v1 varbinds followed by
  // snmpTrapAddress.0 and snmpTrapEnterprise.0 (RFC 3584; snmpTrapCommunity.0 is left out: a
  // community is a secret).
  std::vector<Varbind> varbinds;

  // The varbind whose OID is `oid`, or the first one under `oid` when `prefix` is true.
  const Varbind* find(const snmp::Oid& oid, bool prefix = false) const;
};

// The JSON array stored in Event::varbinds_json:
// [{"oid":"1.3.6.1...","type":"STRING","value":"text"}, ...]. INTEGER and the unsigned types give
// numbers; a string that is not printable UTF-8 gives "value": "<hex>" with "encoding": "hex".
std::string varbinds_json(const std::vector<Varbind>& varbinds);
// A one-line summary: "sentry2PortControlStatusChange from rack12-pdu (10.1.12.5): A1 = On".
std::string summary(const DecodedTrap& trap);
// The store's row for a notification (kind = trap).
model::Event to_event(const DecodedTrap& trap);
// A short name for the notifications we know (mib::notification_name), or nullptr.
const char* known_trap_name(std::string_view trap_oid);

// Well-known OIDs: of varbinds (typed), and of notifications (text, as trap_oid).
using snmp::kSnmpTrapAddress0;
using snmp::kSnmpTrapEnterprise0;
using snmp::kSnmpTrapOid0;
using snmp::kSysUpTime0;

// A Sentry2 sentry2PortControlStatusChange (mib/notifications.h): which port, its new control
// status. nullopt for any other notification or one without the status varbind.
using mib::PortControlChange;
std::optional<PortControlChange> port_control_change(const DecodedTrap& trap);

}  // namespace netpower::manager::traps
