#pragma once
// The `traps:` section of the manager's configuration (docs/traps.md). Read with the same rules as
// the rest of manager.yaml: unknown keys are errors, secrets inline / _file / _env.

#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/yaml_reader.h"
#include "manager/config/manager_config.h"
#include "manager/config/secret.h"

namespace netpower::manager::traps {

// An SNMPv3 user whose informs (and traps) are accepted. Localized to the receiver's engine ID.
struct TrapUser {
  config::UsmSettings usm;
  int line = 0;
};

struct TrapSettings {
  bool enabled = true;
  std::string listen_address = "0.0.0.0";   // numeric IPv4 or IPv6 address
  std::uint16_t port = 162;                 // 0: any free port (tests)
  std::vector<config::Secret> communities;  // v1/v2c: accepted communities; none: v1/v2c refused
  std::vector<TrapUser> users;              // v3
  // snmpEngineID of the receiver as hex ("80001f8804..."), what v3 inform senders discover. Empty:
  // the one kept in engine_file (generated at random on the first start).
  std::string engine_id;
  // Where the engine ID and snmpEngineBoots are kept across restarts (detail/engine_identity.h);
  // read and rewritten at every start when SNMPv3 users are configured.
  std::string engine_file = "/var/lib/netpower/snmp-engine";
  std::uint64_t receive_buffer_bytes = 32ull << 20;  // SO_RCVBUF asked for
  std::size_t decoder_threads = 2;                   // 1..64
  std::size_t queue_packets = 16384;                 // per decoder thread
  std::size_t max_packet_bytes = 4096;               // larger datagrams are counted as malformed
};

// Reads the `traps` mapping (absent or null: defaults, enabled). Throws core::ConfigError naming
// the file and line.
TrapSettings read_trap_settings(const core::YamlReader& reader, const YAML::Node& node);

// The same from a whole YAML document whose top level holds `traps:` (for tests).
TrapSettings parse_trap_settings(const std::string& text, const std::string& file);

}  // namespace netpower::manager::traps
