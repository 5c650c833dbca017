#pragma once
// The UPS-MIB (RFC 1628), varbind by varbind into a UpsReading in base units (NUT's names), and
// what its notifications change. Pure functions, no I/O.

#include <span>
#include <string_view>
#include <vector>

#include "manager/mib/readings.h"
#include "manager/mib/varbind.h"

namespace netpower::manager::mib {

// One UPS-MIB varbind into `ups`. Table columns take the first line (the first row the walk
// returns); scalars overwrite. kNotMine for other OIDs and for exceptions (an agent that answers
// noSuchObject does not serve the UPS-MIB); kRejected for an alarm beyond kMaxUpsAlarms.
Applied apply_ups(UpsReading& ups, const Varbind& vb);

// A UPS-MIB notification (upsTraps.<which>) with its varbinds into `ups`: the objects it carries,
// the alarm added or removed, the output source on battery and back.
void apply_ups_trap(UpsReading& ups, std::uint32_t which, const std::vector<Varbind>& varbinds);

// RFC 1628's enumerations by name, as /metrics, the API and netpowerctl show them.
inline constexpr std::string_view kBatteryStatusNames[] = {"unknown", "normal", "low",
                                                           "depleted"};  // upsBatteryStatus 1..4
inline constexpr std::string_view kOutputSourceNames[] = {
    "other", "none", "normal", "bypass", "battery", "booster", "reducer"};  // upsOutputSource 1..7
// upsWellKnownAlarms (1.3.6.1.2.1.33.1.6.3.<n>), n = 1..24.
inline constexpr std::string_view kWellKnownAlarmNames[] = {
    "battery_bad",
    "on_battery",
    "low_battery",
    "depleted_battery",
    "temp_bad",
    "input_bad",
    "output_bad",
    "output_overload",
    "on_bypass",
    "bypass_bad",
    "output_off_as_requested",
    "ups_off_as_requested",
    "charger_failed",
    "ups_output_off",
    "ups_system_off",
    "fan_failure",
    "fuse_failure",
    "general_fault",
    "diagnostic_test_failed",
    "communications_lost",
    "awaiting_power",
    "shutdown_pending",
    "shutdown_imminent",
    "test_in_progress",
};  // 1..24

// The name of value `value` (1-based) of an enumeration; "" when out of range.
std::string_view enum_name(std::span<const std::string_view> names, double value);
// A well-known alarm's name ("on_battery" for 1.3.6.1.2.1.33.1.6.3.2); an alarm of another MIB is
// named by its OID.
std::string_view ups_alarm_name(std::string_view alarm_oid);

}  // namespace netpower::manager::mib
