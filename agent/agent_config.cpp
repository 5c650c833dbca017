#include "agent/agent_config.h"

#include <algorithm>
#include <cctype>

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

void check_limits(const core::YamlReader& r, const YAML::Node& node, const char* high_key,
                  const char* low_key, int high, int low) {
  if (low >= high) {
    r.fail(node[low_key] ? node[low_key] : node[high_key],
           std::string("'") + low_key + "' (" + std::to_string(low) + ") must be below '" +
               high_key + "' (" + std::to_string(high) + ")");
  }
}

void read_board(const core::YamlReader& r, const YAML::Node& node, const std::string& what,
                BoardSettings& board) {
  r.expect_map(node, what,
               {"page", "temp_high", "temp_low", "input_load_high", "input_load_low", "traps"});
  board.page_name = r.string(node, "page", board.page_name, kPageNameMax);
  board.temp_high = static_cast<int>(
      r.integer(node, "temp_high", board.temp_high, kTemperatureLimitMin, kTemperatureLimitMax));
  board.temp_low = static_cast<int>(
      r.integer(node, "temp_low", board.temp_low, kTemperatureLimitMin, kTemperatureLimitMax));
  check_limits(r, node, "temp_high", "temp_low", board.temp_high, board.temp_low);
  board.input_load_high = static_cast<int>(r.integer(node, "input_load_high", board.input_load_high,
                                                     kInputLoadLimitMin, kInputLoadLimitMax));
  board.input_load_low = static_cast<int>(r.integer(node, "input_load_low", board.input_load_low,
                                                    kInputLoadLimitMin, kInputLoadLimitMax));
  check_limits(r, node, "input_load_high", "input_load_low", board.input_load_high,
               board.input_load_low);
  auto traps = node["traps"];
  r.expect_map(traps, what + " traps", {"start", "temperature", "input_load"});
  if (traps) {
    board.trap_start = r.boolean(traps, "start", board.trap_start);
    board.trap_temp = r.boolean(traps, "temperature", board.trap_temp);
    board.trap_input_load = r.boolean(traps, "input_load", board.trap_input_load);
  }
}

core::Duration bounded_duration(const core::YamlReader& r, const YAML::Node& node, const char* key,
                                core::Duration fallback, core::Duration max, const char* max_text) {
  auto value = r.duration(node, key, fallback);
  if (value > max) r.fail(node[key], std::string("'") + key + "' may be at most " + max_text);
  return value;
}

void read_port(const core::YamlReader& r, const YAML::Node& node, const std::string& what,
               PortSettings& port) {
  r.expect_map(node, what,
               {"name", "group", "min_on", "min_off", "shutdown_delay", "wake_up", "locked",
                "load_high", "load_low", "traps"});
  port.name = r.string(node, "name", port.name, kDeviceNameMax);
  port.group = r.string(node, "group", port.group, kGroupNameMax);
  if (port.group == "ALL" || port.group == "all") {
    r.fail(node["group"], "'ALL' names every port and cannot be a group name");
  }
  port.min_on = bounded_duration(r, node, "min_on", port.min_on, kMaxHoldTime, "24h");
  port.min_off = bounded_duration(r, node, "min_off", port.min_off, kMaxHoldTime, "24h");
  port.shutdown_delay =
      bounded_duration(r, node, "shutdown_delay", port.shutdown_delay, kMaxShutdownDelay, "8m");
  auto wake = r.string(node, "wake_up", port.wake_up == WakeUpState::kOn ? "on" : "off");
  if (wake != "on" && wake != "off") r.fail(node["wake_up"], "'wake_up' is on or off");
  port.wake_up = wake == "on" ? WakeUpState::kOn : WakeUpState::kOff;
  port.locked = r.boolean(node, "locked", port.locked);
  port.load_high =
      static_cast<int>(r.integer(node, "load_high", port.load_high, kLoadLimitMin, kLoadLimitMax));
  port.load_low =
      static_cast<int>(r.integer(node, "load_low", port.load_low, kLoadLimitMin, kLoadLimitMax));
  check_limits(r, node, "load_high", "load_low", port.load_high, port.load_low);
  auto traps = node["traps"];
  r.expect_map(traps, what + " traps", {"control", "module", "load"});
  if (traps) {
    port.trap_control = r.boolean(traps, "control", port.trap_control);
    port.trap_module = r.boolean(traps, "module", port.trap_module);
    port.trap_load = r.boolean(traps, "load", port.trap_load);
  }
}

}  // namespace

void read_chain_settings(const core::YamlReader& r, const YAML::Node& node, ChainSettings& out) {
  r.expect_map(node, "chain", {"location", "boards", "ports"});
  if (!node) return;
  out.location = r.string(node, "location", out.location, kLocationMax);
  auto boards = node["boards"];
  if (boards && !boards.IsNull()) {
    if (!boards.IsMap())
      r.fail(boards, "chain.boards must be a mapping of board letter (A..Z) to settings");
    for (const auto& item : boards) {
      auto id = core::BoardId::parse(item.first.Scalar());
      if (!id) r.fail(item.first, "'" + item.first.Scalar() + "' is not a board (A..Z)");
      read_board(r, item.second, "board " + id->str(), out.board(*id));
    }
  }
  auto ports = node["ports"];
  if (ports && !ports.IsNull()) {
    if (!ports.IsMap())
      r.fail(ports, "chain.ports must be a mapping of port name (A1..Z4) to settings");
    for (const auto& item : ports) {
      auto id = core::PortId::parse(item.first.Scalar());
      if (!id) r.fail(item.first, "'" + item.first.Scalar() + "' is not a port (A1..Z4)");
      read_port(r, item.second, "port " + id->str(), out.port(*id));
    }
  }
}

namespace {

void read_traps(const core::YamlReader& r, const YAML::Node& node, TrapSettings& out) {
  r.expect_map(node, "traps", {"period"});
  if (!node) return;
  out.period = r.duration(node, "period", out.period);
  if (out.period < std::chrono::seconds(1) || out.period > std::chrono::hours(1)) {
    r.fail(node["period"], "'period' must be between 1s and 1h (the patent's is 60s)");
  }
}

void read_tickle(const core::YamlReader& r, const YAML::Node& node, TickleSettings& out) {
  r.expect_map(node, "tickle", {"bit_time"});
  if (!node) return;
  out.bit_time = r.duration(node, "bit_time", out.bit_time);
  if (out.bit_time < core::kMinTickleBitTime || out.bit_time > core::kMaxTickleBitTime) {
    r.fail(node["bit_time"], "'bit_time' must be between 1us and 10s");
  }
}

void read_access(const core::YamlReader& r, const YAML::Node& node, AccessSettings& out) {
  r.expect_map(node, "access", {"users"});
  if (!node) return;
  auto users = node["users"];
  if (!users || users.IsNull()) return;
  if (!users.IsSequence()) r.fail(users, "access.users must be a list of users");
  for (const auto& item : users) {
    r.expect_map(item, "a user", {"name", "role", "ports"});
    AccessUser user;
    user.name = r.string(item, "name", "", kUserNameMax);
    if (user.name.empty()) r.fail(item, "a user needs a 'name' (its SNMPv3 user name)");
    for (char c : user.name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
        r.fail(item["name"],
               "user name '" + user.name + "' may hold only letters, digits, '-', '_' and '.'");
      }
    }
    for (const auto& other : out.users) {
      if (other.name == user.name) r.fail(item["name"], "user '" + user.name + "' is listed twice");
    }
    auto role = r.string(item, "role", "user");
    if (role != "admin" && role != "user") r.fail(item["role"], "'role' is admin or user");
    user.admin = role == "admin";
    auto ports = item["ports"];
    if (ports && !ports.IsNull()) {
      if (user.admin) r.fail(ports, "an admin controls every port; leave out 'ports'");
      if (!ports.IsSequence()) r.fail(ports, "'ports' must be a list of ports (A1..Z4)");
      for (const auto& p : ports) {
        auto id = core::PortId::parse(p.Scalar());
        if (!id) r.fail(p, "'" + p.Scalar() + "' is not a port (A1..Z4)");
        user.ports[static_cast<std::size_t>(id->flat())] = true;
      }
    }
    out.users.push_back(std::move(user));
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
                "test_without_spin_lock", "settings"});
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
  a.test_without_spin_lock = r.boolean(node, "test_without_spin_lock", a.test_without_spin_lock);
  out.driver_settings = node["settings"] ? node["settings"] : YAML::Node(YAML::NodeType::Map);
}

AgentConfig parse(const core::YamlReader& r, const YAML::Node& root) {
  AgentConfig config;
  config.file = r.file();
  if (!root || root.IsNull()) throw core::ConfigError(r.file(), 0, 0, "the file is empty");
  r.expect_map(
      root, "the configuration",
      {"agentx", "log", "settings_file", "chain", "traps", "tickle", "access", "pdu", "ups"});
  config.settings_file = r.string(root, "settings_file", config.settings_file);
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
  read_chain_settings(r, root["chain"], config.chain);
  read_traps(r, root["traps"], config.traps);
  read_tickle(r, root["tickle"], config.tickle);
  read_access(r, root["access"], config.access);
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
