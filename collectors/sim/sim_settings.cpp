#include "collectors/sim/sim_settings.h"

#include <sys/un.h>

namespace netpower::collectors::sim {

namespace {

constexpr double kDefaultTemperatureC = 27.0;
constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path) - 1;

// map[key] as a probe reading: a number in range, or null/"none" for no probe. The key must be
// present.
std::optional<double> temperature(const core::YamlReader& reader, const YAML::Node& map,
                                  const std::string& key) {
  auto node = map[key];
  if (node.IsNull() || (node.IsScalar() && node.Scalar() == "none")) return std::nullopt;
  return reader.number(map, key.c_str(), kDefaultTemperatureC, kMinTemperatureC, kMaxTemperatureC);
}

bool relay_state(const core::YamlReader& reader, const YAML::Node& map, const char* key,
                 bool fallback) {
  auto node = map[key];
  if (!node || node.IsNull()) return fallback;
  if (node.IsScalar()) {
    const auto& text = node.Scalar();
    if (text == "on" || text == "true") return true;
    if (text == "off" || text == "false") return false;
  }
  reader.fail(node, std::string("'") + key + "' must be on or off");
}

void read_appliances(const core::YamlReader& reader, const YAML::Node& appliances,
                     SimSettings& out) {
  if (!appliances || appliances.IsNull()) return;
  if (!appliances.IsMap()) {
    reader.fail(appliances, "'appliances' must map port names to {load, initial}");
  }
  for (const auto& item : appliances) {
    const auto& name = item.first.Scalar();
    auto port = core::PortId::parse(name);
    if (!port) reader.fail(item.first, "'" + name + "' is not a port name (A1..Z4)");
    if (port->board.index >= out.boards) {
      reader.fail(item.first, "port " + port->str() + " is not in a chain of " +
                                  std::to_string(out.boards) + " boards");
    }
    const auto& spec = item.second;
    reader.expect_map(spec, "appliance " + port->str(), {"load", "initial"});
    if (!spec || spec.IsNull()) continue;
    out.appliance_amps[port->flat()] = reader.number(spec, "load", 0.0, 0.0, kMaxApplianceAmps);
    out.initially_on[port->flat()] =
        relay_state(reader, spec, "initial", out.initially_on[port->flat()]);
  }
}

void read_board_temperatures(const core::YamlReader& reader, const YAML::Node& temps,
                             SimSettings& out) {
  if (!temps || temps.IsNull()) return;
  if (!temps.IsMap()) reader.fail(temps, "'board_temperatures' must map board names to degrees C");
  for (const auto& item : temps) {
    const auto& name = item.first.Scalar();
    auto board = core::BoardId::parse(name);
    if (!board) reader.fail(item.first, "'" + name + "' is not a board name (A..Z)");
    if (board->index >= out.boards) {
      reader.fail(item.first, "board " + board->str() + " is not in a chain of " +
                                  std::to_string(out.boards) + " boards");
    }
    out.temperatures[board->index] = temperature(reader, temps, name);
  }
}

void read_wires(const core::YamlReader& reader, const YAML::Node& wires, SimSettings& out) {
  if (!wires || wires.IsNull()) return;
  if (!wires.IsMap()) reader.fail(wires, "'wires' must map port names to host wire endpoints");
  for (const auto& item : wires) {
    const auto& name = item.first.Scalar();
    auto port = core::PortId::parse(name);
    if (!port) reader.fail(item.first, "'" + name + "' is not a port name (A1..Z4)");
    if (port->board.index >= out.boards) {
      reader.fail(item.first, "port " + port->str() + " is not in a chain of " +
                                  std::to_string(out.boards) + " boards");
    }
    if (!item.second.IsScalar() || !valid_wire_endpoint(item.second.Scalar())) {
      reader.fail(item.second, "the wire of " + port->str() +
                                   " must be a socket path or @name of at most " +
                                   std::to_string(kMaxSocketPath) + " bytes");
    }
    out.wires[static_cast<std::size_t>(port->flat())] = item.second.Scalar();
  }
}

}  // namespace

bool valid_wire_endpoint(std::string_view endpoint) {
  return !endpoint.empty() && endpoint != "@" && endpoint.size() <= kMaxSocketPath &&
         endpoint.find('\0') == std::string_view::npos;
}

SimSettings::SimSettings() {
  temperatures.fill(kDefaultTemperatureC);
  initially_on.fill(true);
}

SimSettings parse_sim_settings(const YAML::Node& node, const core::YamlReader& reader) {
  reader.expect_map(node, "sim settings",
                    {"boards", "code_version", "temperature", "load_sense", "on_sense", "initial",
                     "appliances", "board_temperatures", "control_socket", "cold_start", "wires"});
  SimSettings out;
  if (!node || node.IsNull()) return out;

  out.boards = static_cast<int>(reader.integer(node, "boards", out.boards, 1, core::kMaxBoards));
  out.code_version = reader.string(node, "code_version", out.code_version, kMaxCodeVersionLength);
  out.load_sense = reader.boolean(node, "load_sense", out.load_sense);
  out.on_sense = reader.boolean(node, "on_sense", out.on_sense);
  if (node["temperature"]) out.temperatures.fill(temperature(reader, node, "temperature"));
  out.initially_on.fill(relay_state(reader, node, "initial", true));
  out.cold_start = reader.boolean(node, "cold_start", out.cold_start);
  read_appliances(reader, node["appliances"], out);
  read_board_temperatures(reader, node["board_temperatures"], out);
  read_wires(reader, node["wires"], out);
  out.control_socket = reader.string(node, "control_socket", "", kMaxSocketPath);
  if (node["control_socket"] && !node["control_socket"].IsNull() && out.control_socket.empty()) {
    reader.fail(node["control_socket"], "'control_socket' must be a path");
  }
  return out;
}

}  // namespace netpower::collectors::sim
