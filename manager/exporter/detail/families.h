#pragma once
// The fleet's metric families in exposition order (docs/metrics.md describes the same; keep them
// together). Internal to the exporter.

#include <prometheus/metric_family.h>

#include <array>
#include <cstddef>

namespace netpower::manager::exporter::detail {

using prometheus::MetricType;

enum class F : std::size_t {
  kAgentInfo,
  kAgentUp,
  kAgentPollDuration,
  kAgentLastPoll,
  kAgentPollVarbinds,
  kAgentPolls,
  kAgentPollFailures,
  kAgentPollFailuresByReason,
  kAgentTraps,
  kAgentRejectedVarbinds,
  kAgentLastTrap,
  kBoardInfo,
  kBoardTemperature,
  kBoardInputLoad,
  kPortLoad,
  kPortPowerOn,
  kPortControlState,
  kPortModuleStatus,
  kPortLocked,
  kUpsBatteryStatus,
  kUpsBatteryCharge,
  kUpsBatteryRuntime,
  kUpsBatteryVoltage,
  kUpsBatteryCurrent,
  kUpsBatteryTemperature,
  kUpsOnBattery,
  kUpsTimeOnBattery,
  kUpsOutputSource,
  kUpsInputVoltage,
  kUpsInputFrequency,
  kUpsInputCurrent,
  kUpsInputPower,
  kUpsOutputVoltage,
  kUpsOutputFrequency,
  kUpsOutputCurrent,
  kUpsOutputPower,
  kUpsOutputLoad,
  kUpsAlarms,
  kUpsAlarm,
  kCount
};

struct FamilySpec {
  const char* name;
  MetricType type;
  const char* help;
};

inline constexpr MetricType G = MetricType::Gauge;
inline constexpr MetricType C = MetricType::Counter;

// docs/metrics.md describes the same; keep them together.
inline constexpr std::array<FamilySpec, static_cast<std::size_t>(F::kCount)> kFamilies = {{
    {"netpower_agent_info", G,
     "Configured agent: always 1, with its address, SNMP port and chain location as labels."},
    {"netpower_agent_up", G,
     "1 when the agent's last poll succeeded, 0 when it failed or no poll has finished yet."},
    {"netpower_agent_poll_duration_seconds", G,
     "Duration of the agent's last poll, first request to last response."},
    {"netpower_agent_last_poll_timestamp_seconds", G,
     "Start of the agent's last poll, seconds since the Unix epoch."},
    {"netpower_agent_poll_varbinds", G, "Variable bindings returned by the agent's last poll."},
    {"netpower_agent_polls_total", C, "Polls of the agent that finished, failed ones included."},
    {"netpower_agent_poll_failures_total", C, "Polls of the agent that failed."},
    {"netpower_agent_poll_failures_by_reason_total", C,
     "Polls of the agent that failed, by reason (timeout, deadline, max_bytes, ...)."},
    {"netpower_agent_traps_total", C, "Notifications received from the agent."},
    {"netpower_agent_rejected_varbinds_total", C,
     "Variable bindings from the agent refused because the MIB cannot have them (a board or port "
     "outside A..Z / A1..Z4, UPS alarms beyond 64)."},
    {"netpower_agent_last_trap_timestamp_seconds", G,
     "When the agent's last notification was received, seconds since the Unix epoch."},
    {"netpower_board_info", G, "Sentry2 board: always 1, with its code version as a label."},
    {"netpower_board_temperature_celsius", G,
     "Board temperature probe (sentry2BoardTemperature); absent without a probe."},
    {"netpower_board_input_load_amperes", G,
     "Board input current (sentry2BoardInputLoad); absent without a sensor."},
    {"netpower_port_load_amperes", G,
     "Port device load (sentry2PortDeviceLoad); 0 when the port is off, absent without a sensor."},
    {"netpower_port_power_on", G,
     "1 when the port's relay is on (control status On, Shutdown, Pend Off, Pend Reboot), 0 when "
     "off (Off, Reboot, Pend On)."},
    {"netpower_port_control_state", G,
     "Port control status (sentry2PortControlStatus): 1 for the current state, 0 for the others."},
    {"netpower_port_module_status", G,
     "Port module status (sentry2PortModuleStatus): 1 for the current status, 0 for the others."},
    {"netpower_port_locked", G, "1 when the port is locked against remote changes (NETPOWER-MIB)."},
    {"netpower_ups_battery_status", G,
     "UPS battery status (upsBatteryStatus): 1 for the current status, 0 for the others."},
    {"netpower_ups_battery_charge_ratio", G,
     "Estimated battery charge remaining, 0..1 (upsEstimatedChargeRemaining)."},
    {"netpower_ups_battery_runtime_seconds", G,
     "Estimated run time on battery (upsEstimatedMinutesRemaining)."},
    {"netpower_ups_battery_voltage_volts", G, "Battery voltage (upsBatteryVoltage)."},
    {"netpower_ups_battery_current_amperes", G, "Battery current (upsBatteryCurrent)."},
    {"netpower_ups_battery_temperature_celsius", G, "Battery temperature (upsBatteryTemperature)."},
    {"netpower_ups_on_battery", G,
     "1 when the UPS output is fed by its battery (upsOutputSource)."},
    {"netpower_ups_time_on_battery_seconds", G,
     "Time since the UPS switched to battery, 0 on mains (upsSecondsOnBattery)."},
    {"netpower_ups_output_source", G,
     "UPS output source (upsOutputSource): 1 for the current source, 0 for the others."},
    {"netpower_ups_input_voltage_volts", G, "UPS input voltage, first input line."},
    {"netpower_ups_input_frequency_hertz", G, "UPS input frequency, first input line."},
    {"netpower_ups_input_current_amperes", G, "UPS input current, first input line."},
    {"netpower_ups_input_power_watts", G, "UPS input true power, first input line."},
    {"netpower_ups_output_voltage_volts", G, "UPS output voltage, first output line."},
    {"netpower_ups_output_frequency_hertz", G, "UPS output frequency."},
    {"netpower_ups_output_current_amperes", G, "UPS output current, first output line."},
    {"netpower_ups_output_power_watts", G, "UPS output true power, first output line."},
    {"netpower_ups_output_load_ratio", G,
     "UPS output load as a fraction of its capacity, first output line (upsOutputPercentLoad)."},
    {"netpower_ups_alarms", G, "Alarms present on the UPS (rows of upsAlarmTable)."},
    {"netpower_ups_alarm", G, "1 for each alarm present on the UPS (upsAlarmDescr)."},
}};

inline constexpr std::size_t kFamilyCount = kFamilies.size();
inline constexpr std::size_t idx(F f) { return static_cast<std::size_t>(f); }

}  // namespace netpower::manager::exporter::detail
