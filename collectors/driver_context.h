#pragma once
// What a collector driver gets when it is built from the agent's configuration.

#include "core/event_loop.h"
#include "core/yaml_reader.h"

namespace netpower::collectors {

class PduCollector;

struct DriverContext {
  core::EventLoop& loop;         // the agent's loop; drivers watch descriptors and set timers on it
  const core::YamlReader& file;  // for errors that name the file and line
  // false: validate the settings and build the driver without touching the outside world (no device
  // opened, no socket bound), as `netpower-agent --check-config` does next to a running agent.
  bool open = true;
  // The agent's PDU collector, built before its UPS collector (nullptr: none): a simulated UPS
  // may feed a simulated chain. Outlives the UPS collector.
  PduCollector* pdu = nullptr;
};

}  // namespace netpower::collectors
