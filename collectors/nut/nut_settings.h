#pragma once
// The nut driver's settings, read from the YAML node given to the driver (see docs/nut.md).

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/yaml_reader.h"

namespace netpower::collectors::nut {

struct NutSettings {
  std::string host = "127.0.0.1";  // a numeric IPv4/IPv6 address ("localhost" = 127.0.0.1)
  std::uint16_t port = 3493;
  std::string ups;       // the UPS name in upsd's ups.conf
  std::string username;  // an upsd.users section; empty: read-only (no instant commands)
  std::string password;  // secret: never logged, never in an error message
  core::Duration poll_interval = std::chrono::seconds(2);
  core::Duration timeout = std::chrono::seconds(3);  // for connect() and for every reply
  core::Duration comm_lost_after = std::chrono::seconds(30);
  // No good poll for longer than this: stale (a failed poll is stale at once). nullopt:
  // 2 x poll_interval + timeout, at most comm_lost_after.
  std::optional<core::Duration> stale_after;
  core::Duration command_timeout = std::chrono::seconds(30);  // INSTCMD to its tracked result
  core::Duration reconnect_max = std::chrono::seconds(30);    // backoff cap
  // TCP_NODELAY and TCP_QUICKACK on the connection (see docs/nut.md, "Latency"). Not a YAML key:
  // only the measurement in the integration tests turns it off.
  bool low_latency = true;
};

inline constexpr std::size_t kMaxNameLength = 64;
inline constexpr std::size_t kMaxPasswordLength = 128;
inline constexpr auto kMinPollInterval = std::chrono::milliseconds(10);

// Reads and validates `node`. Reads password_file / password_env as it goes. Throws
// core::ConfigError naming the file and line of the offending key; the message never contains
// the password.
NutSettings parse_nut_settings(const YAML::Node& node, const core::YamlReader& reader);

}  // namespace netpower::collectors::nut
