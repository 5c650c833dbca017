#include "agent/agent_config.h"

#include <algorithm>

#include "collectors/registry.h"
#include "core/config_error.h"
#include "core/ids.h"
#include "core/yaml_reader.h"

namespace netpower::agent {

namespace {

const char* const kLogLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};

void read_agentx(const core::YamlReader& r, const YAML::Node& node, AgentxSettings& out) {
  r.expect_map(node, "agentx", {"socket", "ping_interval"});
  if (!node) return;
  out.socket = r.string(node, "socket", out.socket);
  auto ping = r.duration(node, "ping_interval", out.ping_interval);
  if (ping < std::chrono::seconds(1) || ping > std::chrono::hours(1)) {
    r.fail(node["ping_interval"], "'ping_interval' must be between 1s and 1h");
  }
  out.ping_interval = std::chrono::duration_cast<std::chrono::seconds>(ping);
}

void read_chain(const core::YamlReader& r, const YAML::Node& node, ChainSettings& out) {
  r.expect_map(node, "chain", {"location", "boards", "ports"});
  if (!node) return;
  out.location = r.string(node, "location", "", kLocationMax);
  auto boards = node["boards"];
  if (boards && !boards.IsNull()) {
    if (!boards.IsMap())
      r.fail(boards, "chain.boards must be a mapping of board letter (A..Z) to settings");
    for (const auto& item : boards) {
      auto id = core::BoardId::parse(item.first.Scalar());
      if (!id) r.fail(item.first, "'" + item.first.Scalar() + "' is not a board (A..Z)");
      r.expect_map(item.second, "board " + id->str(), {"page"});
      out.board(*id).page_name = r.string(item.second, "page", "", kPageNameMax);
    }
  }
  auto ports = node["ports"];
  if (ports && !ports.IsNull()) {
    if (!ports.IsMap())
      r.fail(ports, "chain.ports must be a mapping of port name (A1..Z4) to settings");
    for (const auto& item : ports) {
      auto id = core::PortId::parse(item.first.Scalar());
      if (!id) r.fail(item.first, "'" + item.first.Scalar() + "' is not a port (A1..Z4)");
      r.expect_map(item.second, "port " + id->str(), {"name", "min_on", "min_off"});
      auto& port = out.port(*id);
      port.name = r.string(item.second, "name", "", kDeviceNameMax);
      port.min_on = r.duration(item.second, "min_on", port.min_on);
      port.min_off = r.duration(item.second, "min_off", port.min_off);
      for (auto* key : {"min_on", "min_off"}) {
        if (r.duration(item.second, key, {}) > std::chrono::hours(24)) {
          r.fail(item.second[key], std::string("'") + key + "' may be at most 24h");
        }
      }
    }
  }
}

std::string known_list(const std::vector<std::string>& names) {
  std::string known;
  for (const auto& d : names) known += (known.empty() ? "" : ", ") + d;
  return known;
}

void read_pdu(const core::YamlReader& r, const YAML::Node& node, PduSettings& out) {
  r.expect_map(node, "pdu", {"driver", "poll_interval", "settings"});
  if (!node) return;
  out.driver = r.string(node, "driver", "");
  if (out.driver.empty()) r.fail(node, "pdu needs a 'driver'");
  auto drivers = collectors::pdu_driver_names();
  if (std::find(drivers.begin(), drivers.end(), out.driver) == drivers.end()) {
    r.fail(node["driver"],
           "unknown PDU driver '" + out.driver + "' (known: " + known_list(drivers) + ")");
  }
  out.poll_interval = r.duration(node, "poll_interval", out.poll_interval);
  if (out.poll_interval < std::chrono::milliseconds(10) ||
      out.poll_interval > std::chrono::hours(1)) {
    r.fail(node["poll_interval"], "'poll_interval' must be between 10ms and 1h");
  }
  out.driver_settings = node["settings"] ? node["settings"] : YAML::Node(YAML::NodeType::Map);
}

void read_ups(const core::YamlReader& r, const YAML::Node& node, UpsSection& out) {
  r.expect_map(node, "ups",
               {"driver", "poll_interval", "name", "attached_devices", "low_battery_minutes",
                "on_battery_trap_interval", "temperature_max", "temperature_min", "test_timeout",
                "settings"});
  if (!node) return;
  out.driver = r.string(node, "driver", "");
  if (out.driver.empty()) r.fail(node, "ups needs a 'driver'");
  auto drivers = collectors::ups_driver_names();
  if (std::find(drivers.begin(), drivers.end(), out.driver) == drivers.end()) {
    r.fail(node["driver"],
           "unknown UPS driver '" + out.driver + "' (known: " + known_list(drivers) + ")");
  }
  auto& a = out.agent;
  a.poll_interval = r.duration(node, "poll_interval", a.poll_interval);
  if (a.poll_interval < std::chrono::milliseconds(10) || a.poll_interval > std::chrono::hours(1)) {
    r.fail(node["poll_interval"], "'poll_interval' must be between 10ms and 1h");
  }
  a.name = r.string(node, "name", a.name, 63);
  a.attached_devices = r.string(node, "attached_devices", a.attached_devices, 63);
  a.low_batt_minutes = r.integer(node, "low_battery_minutes", a.low_batt_minutes, 0, 120);
  a.on_battery_trap_interval =
      r.duration(node, "on_battery_trap_interval", a.on_battery_trap_interval);
  if (a.on_battery_trap_interval < std::chrono::seconds(5)) {
    // RFC 1628: no notification to one receiver more often than once every five seconds.
    r.fail(node["on_battery_trap_interval"], "'on_battery_trap_interval' must be at least 5s");
  }
  a.temperature_max = r.number(node, "temperature_max", a.temperature_max, -40, 125);
  a.temperature_min = r.number(node, "temperature_min", a.temperature_min, -40, a.temperature_max);
  a.test_timeout = r.duration(node, "test_timeout", a.test_timeout);
  if (a.test_timeout < std::chrono::seconds(10)) {
    r.fail(node["test_timeout"], "'test_timeout' must be at least 10s");
  }
  out.driver_settings = node["settings"] ? node["settings"] : YAML::Node(YAML::NodeType::Map);
}

AgentConfig parse(const core::YamlReader& r, const YAML::Node& root) {
  AgentConfig config;
  config.file = r.file();
  if (!root || root.IsNull()) throw core::ConfigError(r.file(), 0, 0, "the file is empty");
  r.expect_map(root, "the configuration", {"agentx", "log", "chain", "pdu", "ups"});
  read_agentx(r, root["agentx"], config.agentx);
  auto log = root["log"];
  r.expect_map(log, "log", {"level"});
  if (log) {
    config.log_level = r.string(log, "level", config.log_level);
    bool known = false;
    for (auto* level : kLogLevels) known = known || config.log_level == level;
    if (!known)
      r.fail(log["level"], "unknown log level '" + config.log_level +
                               "' (trace, debug, info, warn, error, critical, off)");
  }
  read_chain(r, root["chain"], config.chain);
  read_pdu(r, root["pdu"], config.pdu);
  read_ups(r, root["ups"], config.ups);
  if (config.pdu.driver.empty() && config.ups.driver.empty()) {
    throw core::ConfigError(
        r.file(), 0, 0, "no collector configured: add a 'pdu' section, a 'ups' section, or both");
  }
  return config;
}

}  // namespace

AgentConfig load_agent_config(const std::string& file) {
  core::YamlReader reader(file);
  return parse(reader, reader.load());
}

AgentConfig parse_agent_config(const std::string& text, const std::string& file) {
  core::YamlReader reader(file);
  return parse(reader, reader.load_string(text));
}

}  // namespace netpower::agent
