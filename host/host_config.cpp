#include "host/host_config.h"

#include <sys/un.h>

#include <array>
#include <string_view>

#include "core/tickle_code.h"

namespace netpower::host {

namespace {

constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path) - 1;
constexpr std::size_t kMaxText = 255;

void one_of(const core::YamlReader& reader, const YAML::Node& map, const char* key,
            const std::string& value, std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed) {
    if (value == a) return;
  }
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  reader.fail(map[key], std::string("'") + key + "' must be one of " + list);
}

std::string required(const core::YamlReader& reader, const YAML::Node& map, const char* key,
                     const std::string& what, std::size_t max = kMaxText) {
  auto value = reader.string(map, key, "", max);
  if (value.empty()) reader.fail(map[key] ? map[key] : map, what + " needs '" + key + "'");
  return value;
}

LineConfig read_line(const core::YamlReader& reader, const YAML::Node& node) {
  reader.expect_map(node, "line",
                    {"kind", "socket", "device", "tickle_signal", "shutdown_signal", "chip",
                     "tickle_offset", "shutdown_offset", "debounce", "active_low"});
  LineConfig line;
  auto kind = reader.string(node, "kind", "sim");
  one_of(reader, node, "kind", kind, {"sim", "serial", "gpio"});
  if (kind == "sim") {
    line.kind = LineConfig::Kind::kSim;
    line.socket = required(reader, node, "socket", "a sim line", kMaxSocketPath);
  } else if (kind == "serial") {
    line.kind = LineConfig::Kind::kSerial;
    line.device = required(reader, node, "device", "a serial line");
    line.tickle_signal = reader.string(node, "tickle_signal", line.tickle_signal);
    one_of(reader, node, "tickle_signal", line.tickle_signal, {"dcd", "cts", "dsr", "ri"});
    line.shutdown_signal = reader.string(node, "shutdown_signal", line.shutdown_signal);
    one_of(reader, node, "shutdown_signal", line.shutdown_signal,
           {"none", "dcd", "cts", "dsr", "ri"});
    if (line.shutdown_signal == line.tickle_signal) {
      reader.fail(node["shutdown_signal"], "the shutdown signal needs its own input");
    }
  } else {
    line.kind = LineConfig::Kind::kGpio;
    line.chip = required(reader, node, "chip", "a gpio line");
    line.tickle_offset = static_cast<int>(reader.integer(node, "tickle_offset", -1, 0, 511));
    if (line.tickle_offset < 0) reader.fail(node, "a gpio line needs 'tickle_offset'");
    line.shutdown_offset = static_cast<int>(reader.integer(node, "shutdown_offset", -1, -1, 511));
    if (line.shutdown_offset == line.tickle_offset) {
      reader.fail(node["shutdown_offset"], "the shutdown signal needs its own line");
    }
    line.debounce = reader.duration(node, "debounce", line.debounce);
    line.active_low = reader.boolean(node, "active_low", false);
  }
  return line;
}

ManagerConfig read_manager(const core::YamlReader& reader, const YAML::Node& node) {
  reader.expect_map(node, "manager",
                    {"address", "user", "auth_protocol", "auth_passphrase", "priv_protocol",
                     "priv_passphrase", "timeout", "retries", "attempts"});
  ManagerConfig m;
  m.address = required(reader, node, "address", "the manager");
  m.user = required(reader, node, "user", "the manager");
  m.auth_protocol = reader.string(node, "auth_protocol", m.auth_protocol);
  one_of(reader, node, "auth_protocol", m.auth_protocol,
         {"MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"});
  m.auth_passphrase = required(reader, node, "auth_passphrase", "authPriv");
  if (m.auth_passphrase.size() < 8) {
    reader.fail(node["auth_passphrase"], "'auth_passphrase' needs at least 8 characters");
  }
  m.priv_protocol = reader.string(node, "priv_protocol", m.priv_protocol);
  one_of(reader, node, "priv_protocol", m.priv_protocol, {"DES", "AES"});
  m.priv_passphrase = required(reader, node, "priv_passphrase", "authPriv");
  if (m.priv_passphrase.size() < 8) {
    reader.fail(node["priv_passphrase"], "'priv_passphrase' needs at least 8 characters");
  }
  m.timeout = reader.duration(node, "timeout", m.timeout);
  if (m.timeout < std::chrono::milliseconds(10)) {
    reader.fail(node["timeout"], "'timeout' must be at least 10ms");
  }
  m.retries = static_cast<int>(reader.integer(node, "retries", m.retries, 0, 10));
  m.attempts = static_cast<int>(reader.integer(node, "attempts", m.attempts, 1, 100));
  return m;
}

HostConfig read(const core::YamlReader& reader, const YAML::Node& root) {
  reader.expect_map(root, "netpower-host configuration",
                    {"host_id", "hostname", "host_id_file", "boot_id_file", "line", "min_bit_time",
                     "max_bit_time", "manager", "heartbeat", "shutdown_command", "log_level"});
  if (!root || root.IsNull()) reader.fail(root, "the configuration is empty");
  HostConfig c;
  c.host_id = reader.string(root, "host_id", "", 64);
  c.hostname = reader.string(root, "hostname", "", kMaxText);
  c.host_id_file = reader.string(root, "host_id_file", c.host_id_file);
  c.boot_id_file = reader.string(root, "boot_id_file", c.boot_id_file);
  for (const char* section : {"line", "manager"}) {
    if (!root[section] || !root[section].IsMap()) {
      reader.fail(root[section] ? root[section] : root,
                  std::string("'") + section + "' is required and must be a mapping");
    }
  }
  c.line = read_line(reader, root["line"]);
  c.min_bit_time = reader.duration(root, "min_bit_time", c.min_bit_time);
  c.max_bit_time = reader.duration(root, "max_bit_time", c.max_bit_time);
  if (c.min_bit_time < core::kMinTickleBitTime || c.max_bit_time > core::kMaxTickleBitTime ||
      c.min_bit_time > c.max_bit_time) {
    reader.fail(root["min_bit_time"] ? root["min_bit_time"] : root,
                "bit times must satisfy 1us <= min_bit_time <= max_bit_time <= 10s");
  }
  c.manager = read_manager(reader, root["manager"]);
  c.heartbeat = reader.duration(root, "heartbeat", c.heartbeat);
  if (c.heartbeat < std::chrono::milliseconds(100)) {
    reader.fail(root["heartbeat"], "'heartbeat' must be at least 100ms");
  }
  c.shutdown_command = reader.string(root, "shutdown_command", "", 4096);
  c.log_level = reader.string(root, "log_level", c.log_level);
  one_of(reader, root, "log_level", c.log_level,
         {"trace", "debug", "info", "warn", "error", "off"});
  return c;
}

}  // namespace

HostConfig load_host_config(const std::string& path) {
  core::YamlReader reader(path);
  return read(reader, reader.load());
}

HostConfig parse_host_config(const std::string& text, const std::string& file) {
  core::YamlReader reader(file);
  return read(reader, reader.load_string(text));
}

}  // namespace netpower::host
