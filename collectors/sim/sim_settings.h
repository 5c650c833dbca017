#pragma once
// The sim driver's settings, read from the YAML node given to the driver (see docs/simulator.md).

#include <yaml-cpp/yaml.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/yaml_reader.h"

namespace netpower::collectors::sim {

struct SimSettings {
  int boards = 4;
  std::string code_version = "2.0h";
  bool load_sense = true;
  bool on_sense = true;
  // Indexed by BoardId::index; nullopt = no probe.
  std::array<std::optional<double>, core::kMaxBoards> temperatures;
  // Indexed by PortId::flat(): what each port draws when powered, and its relay state at start.
  std::array<double, core::kMaxPorts> appliance_amps{};
  std::array<bool, core::kMaxPorts> initially_on{};
  // The chain starts as after a power loss: relays off, every board reporting powered_up.
  bool cold_start = false;
  std::string control_socket;  // empty: no control server
  // Indexed by PortId::flat(): the host wire endpoint of each port's signal line ("" = none).
  std::array<std::string, core::kMaxPorts> wires;

  SimSettings();
};

inline constexpr double kMaxApplianceAmps = 60.0;
inline constexpr double kMinTemperatureC = -50.0;
inline constexpr double kMaxTemperatureC = 150.0;
inline constexpr std::size_t kMaxCodeVersionLength = 16;

// A wire endpoint: a Unix socket path, or "@name" for the abstract namespace; false if it is
// neither (empty, too long for sockaddr_un, a NUL inside).
bool valid_wire_endpoint(std::string_view endpoint);

// Reads and validates `node` (absent or null: all defaults). Throws core::ConfigError naming the
// file and line of the offending key or value.
SimSettings parse_sim_settings(const YAML::Node& node, const core::YamlReader& reader);

}  // namespace netpower::collectors::sim
