#pragma once
// Helpers shared by the sim driver's tests.

#include <string>

#include "collectors/sim/sim_settings.h"
#include "core/ids.h"
#include "core/yaml_reader.h"

namespace netpower::collectors::sim::testing {

inline SimSettings settings_from(const std::string& yaml) {
  core::YamlReader reader("pdu.yaml");
  return parse_sim_settings(reader.load_string(yaml), reader);
}

inline core::PortId port(const char* name) { return *core::PortId::parse(name); }
inline core::BoardId board(const char* name) { return *core::BoardId::parse(name); }

}  // namespace netpower::collectors::sim::testing
