#include "agent/model/status_text.h"

#include <cmath>
#include <cstdio>

namespace netpower::agent {

const char* control_status_text(ControlState state) {
  switch (state) {
    case ControlState::kOn:
      return "On";
    case ControlState::kOff:
      return "Off";
    case ControlState::kReboot:
      return "Reboot";
    case ControlState::kShutdown:
      return "Shutdown";
    case ControlState::kPendingOff:
      return "Pend Off";
    case ControlState::kPendingOn:
      return "Pend On";
    case ControlState::kPendingReboot:
      return "Pend Reboot";
  }
  return "Unknown";
}

const char* module_status_text(ModuleStatus status) {
  switch (status) {
    case ModuleStatus::kNormal:
      return "Normal";
    case ModuleStatus::kNoResponse:
      return "No Rspns";
    case ModuleStatus::kOnSenseFail:
      return "OnS Fail";
    case ModuleStatus::kOffFail:
      return "Off Fail";
  }
  return "Unknown";
}

ModuleStatus module_status_of(const collectors::PortReading& reading) {
  if (!reading.responding) return ModuleStatus::kNoResponse;
  if (reading.power_sensed) {
    if (reading.relay_on && !*reading.power_sensed) return ModuleStatus::kOnSenseFail;
    if (!reading.relay_on && *reading.power_sensed) return ModuleStatus::kOffFail;
  }
  return ModuleStatus::kNormal;
}

namespace {
std::string amps_text(double amps) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fA", amps);
  return buf;
}
}  // namespace

std::string device_load_text(std::optional<double> amps, bool port_on) {
  if (!amps || !std::isfinite(*amps)) return "N/A";
  // A port that is off and draws nothing is the normal case the patent shows as "Not On"; an off
  // port that still draws current (a welded relay) shows its load.
  if (!port_on && *amps < 0.005) return "Not On";
  return amps_text(*amps);
}

std::string temperature_text(std::optional<double> celsius) {
  if (!celsius || !std::isfinite(*celsius)) return "N/A";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f Deg C", *celsius);
  return buf;
}

std::string input_load_text(std::optional<double> amps) {
  if (!amps || !std::isfinite(*amps)) return "N/A";
  return amps_text(*amps);
}

}  // namespace netpower::agent
