#pragma once
// What an agent's MIBs say, decoded once per poll or trap into typed readings in base units. The
// state keeps them, the store's samples are made from them; nothing else reads the varbinds.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "manager/model/time.h"

namespace netpower::manager::mib {

// One row of the Sentry2 port table, with the NETPOWER-MIB's port settings when polled.
struct PortReading {
  std::string id;         // absolute port name, "A1"
  std::string name;       // sentry2PortDeviceName
  std::string group;      // netpowerPortGroup ("" when none or not polled)
  std::string control;    // sentry2PortControlStatus as the agent says it: "On", "Off", "Reboot",
                          // "Shutdown", "Pend Off", ...
  std::string module;     // sentry2PortModuleStatus: "Normal", "No Rspns", "OnS Fail", "Off Fail"
  std::string load_text;  // sentry2PortDeviceLoad as served: "2.50A", "Not On", "N/A"
  std::optional<double> load_amps;  // parsed; 0 for "Not On"; nullopt for "N/A"
  std::optional<bool> locked;       // netpowerPortLocked, when polled
  model::WallTime updated;          // last poll or trap that set any field
};

struct BoardReading {
  std::string id;  // "A"
  std::string page_name;
  std::string code_version;
  std::optional<double> temperature_c;
  std::optional<double> input_load_amps;
};

// The UPS-MIB of an agent, in base units, under NUT's variable names: "battery.charge" (percent),
// "battery.runtime" (seconds), "battery.voltage" (volts), "battery.current" (amperes),
// "battery.temperature" (Celsius), "input.voltage" / "input.frequency" / "input.current" /
// "input.realpower" (first input line), "output.voltage" / "output.frequency" / "output.current" /
// "output.realpower" (watts) / "ups.load" (percent, first output line). Three have no NUT name
// and are netpower's own, said so in docs/metrics.md: "ups.seconds_on_battery"
// (upsSecondsOnBattery), "battery.status" (upsBatteryStatus 1..4), "output.source"
// (upsOutputSource 1..7).
struct UpsReading {
  std::string name;                      // upsIdentName
  std::map<std::string, double> values;  // what the agent served
  std::vector<std::string> alarms;       // upsAlarmDescr OIDs present ("1.3.6.1.2.1.33.1.6.3.2")
};

// What one varbind was to a reading.
enum class Applied {
  kNotMine,   // not an object of that MIB (or an exception / NULL in its place)
  kApplied,   // a row or scalar updated (or a value of the wrong type ignored)
  kRejected,  // what the MIB cannot have: an index outside A..Z / A1..Z4, a malformed one, an
              // alarm beyond kMaxUpsAlarms
};

// The Sentry2 chain: rows kept sorted by id, which is chain order ("A1" < "A2" < ... < "B1").
struct ChainReading {
  std::optional<std::string> location;  // sentry2ChainLocation
  std::vector<BoardReading> boards;
  std::vector<PortReading> ports;
};

// At most this many UPS alarms are kept per agent (RFC 1628 defines 24 well-known ones; an agent
// listing more is counted in `rejected`).
inline constexpr std::size_t kMaxUpsAlarms = 64;

// Everything one poll said.
struct AgentReadings {
  ChainReading chain;
  std::optional<UpsReading> ups;  // when the agent serves the UPS-MIB
  // Varbinds refused because the MIB cannot have them (a board or port outside A..Z / A1..Z4, an
  // alarm beyond kMaxUpsAlarms): an agent cannot grow the manager's series beyond 26 boards and
  // 104 ports.
  std::uint64_t rejected = 0;
};

}  // namespace netpower::manager::mib
