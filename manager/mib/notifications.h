#pragma once
// What the notifications we know mean: their names (Sentry2-MIB, UPS-MIB, SNMPv2-MIB generic
// traps), the Sentry2 limit crossings (which object, which quantity, which way, the value) and the
// Sentry2 control-status change. Pure functions over a notification's OID and varbinds.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manager/mib/varbind.h"

namespace netpower::manager::mib {

// "sentry2PortControlStatusChange", "upsTrapOnBattery", "coldStart", ...; nullptr when unknown.
const char* notification_name(std::string_view trap_oid);

// A Sentry2 notification that says a value crossed one of the agent's limits (board temperature
// and input load, port device load: HighError, LowError, Normal).
struct ThresholdCrossing {
  bool board = false;         // a board object, else a port
  std::string object;         // "C" or "A1"; "" when the notification lacks the value's varbind
  const char* quantity = "";  // "temperature", "input load", "device load"
  const char* crossing = "";  // "high", "low", "normal"
  std::string value;          // the reading as served ("5.20A"), "" when absent
  // "port A1 device load above its high limit: 5.20A", "board C temperature back within its
  // limits: 30.0 Deg C".
  std::string text() const;
};
std::optional<ThresholdCrossing> threshold_crossing(std::string_view trap_oid,
                                                    const std::vector<Varbind>& varbinds);

// A sentry2PortControlStatusChange: which port, its new control status.
struct PortControlChange {
  std::string port;    // "A1" (from the index of sentry2PortControlStatus)
  std::string status;  // "On", "Off", ...
};
std::optional<PortControlChange> port_control_change(std::string_view trap_oid,
                                                     const std::vector<Varbind>& varbinds);

// Notification OIDs as the trap receiver's text (snmpTrapOID.0 values).
inline constexpr std::string_view kSentry2EventsText = "1.3.6.1.4.1.1718.2.100.0";
inline constexpr std::string_view kSentry2PortControlStatusChangeText =
    "1.3.6.1.4.1.1718.2.100.0.5";
inline constexpr std::string_view kUpsTrapsText = "1.3.6.1.2.1.33.2";

}  // namespace netpower::manager::mib
