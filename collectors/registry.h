#pragma once
// The one explicit list of collector drivers. A new driver is one folder and one line in
// registry.cpp (no static self-registration: static libraries drop unreferenced objects).

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "collectors/pdu.h"
#include "core/event_loop.h"
#include "core/yaml_reader.h"

namespace netpower::collectors {

struct DriverContext {
  core::EventLoop& loop;         // the agent's loop; drivers watch descriptors and set timers on it
  const core::YamlReader& file;  // for errors that name the file and line
  // false: validate the settings and build the driver without touching the outside world (no device
  // opened, no socket bound), as `netpower-agent --check-config` does next to a running agent.
  bool open = true;
};

// Creates the PDU driver `driver` from its `settings` node. Throws core::ConfigError for an unknown
// driver or bad settings.
PduCollectorPtr make_pdu_collector(const std::string& driver, const YAML::Node& settings,
                                   DriverContext context);
std::vector<std::string> pdu_driver_names();

}  // namespace netpower::collectors
