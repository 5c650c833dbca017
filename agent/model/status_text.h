#pragma once
// The strings the Sentry2-MIB carries, as the patent's Power Control Screen shows them
// (docs/agent.md lists the full set).

#include <optional>
#include <string>

#include "collectors/pdu.h"

namespace netpower::agent {

// What the agent tells the port to be, including the transient states of actions in progress.
enum class ControlState {
  kOn,             // "On"
  kOff,            // "Off"
  kReboot,         // "Reboot": off, waiting to come back on (the patent's "r" in the Off field)
  kShutdown,       // "Shutdown": the shutdown signal is asserted, power is cut after the delay
  kPendingOff,     // "Pend Off": held on by the minimum-on time, turns off when it ends
  kPendingOn,      // "Pend On": held off by the minimum-off time, turns on when it ends
  kPendingReboot,  // "Pend Reboot": held on by the minimum-on time, reboots when it ends
};

enum class ModuleStatus {
  kNormal,       // "Normal"
  kNoResponse,   // "No Rspns": the module (or the whole chain) does not answer
  kOnSenseFail,  // "OnS Fail": set on, no power sensed
  kOffFail,      // "Off Fail": set off, power sensed
};

const char* control_status_text(ControlState state);
const char* module_status_text(ModuleStatus status);
ModuleStatus module_status_of(const collectors::PortReading& reading);

// "2.50A"; "Not On" when the port is off and draws nothing; "N/A" without a sensor or a reading.
std::string device_load_text(std::optional<double> amps, bool port_on);
// "27.0 Deg C"; "N/A" without a probe or a reading.
std::string temperature_text(std::optional<double> celsius);
// "10.00A"; "N/A" without a sensor or a reading.
std::string input_load_text(std::optional<double> amps);

}  // namespace netpower::agent
