#pragma once
// netpower-manager's configuration file (YAML; docs/manager.md describes every key). Loading
// validates everything, reads secrets from their files or environment variables, and throws
// core::ConfigError naming the file, line, column and problem. Unknown keys are errors.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/yaml_reader.h"
#include "manager/config/secret.h"
#include "manager/model/principal.h"
#include "manager/snmp/security.h"

namespace netpower::manager::config {

enum class SnmpVersion { kV2c, kV3 };
// The USM enums belong to the SNMP library; the configuration names and reads them.
using snmp::AuthProtocol;
using snmp::PrivProtocol;
using snmp::SecurityLevel;

// As written in the file: "2c", "authPriv", "SHA-256", "AES-256".
const char* to_string(SnmpVersion v);
const char* to_string(SecurityLevel l);
const char* to_string(AuthProtocol p);
const char* to_string(PrivProtocol p);

// RFC 3414 pass phrases: net-snmp refuses shorter USM keys.
inline constexpr std::size_t kMinUsmKeyLength = 8;

// The USM choices of a mapping's `key` (nullopt when absent), for every section that names SNMPv3
// users (agents, traps). An unknown name fails with the file, line and the names allowed.
std::optional<SecurityLevel> read_security_level(const core::YamlReader& r, const YAML::Node& map,
                                                 const char* key);
std::optional<AuthProtocol> read_auth_protocol(const core::YamlReader& r, const YAML::Node& map,
                                               const char* key);
std::optional<PrivProtocol> read_priv_protocol(const core::YamlReader& r, const YAML::Node& map,
                                               const char* key);

// SNMPv3 USM credentials of one agent.
struct UsmSettings {
  std::string user;
  SecurityLevel level = SecurityLevel::kAuthPriv;
  AuthProtocol auth_protocol = AuthProtocol::kSha;
  Secret auth_key;  // empty at noAuthNoPriv
  PrivProtocol priv_protocol = PrivProtocol::kAes;
  Secret priv_key;  // empty below authPriv
};

// One agent to poll: `defaults` merged with the agent's own entry.
struct AgentSettings {
  std::string name;  // unique; [A-Za-z0-9_.-], 1..64 characters; the `agent` label everywhere
  std::string address;
  std::uint16_t port = 161;
  SnmpVersion version = SnmpVersion::kV3;
  Secret community;  // v2c only
  UsmSettings usm;   // v3 only
  core::Duration poll_interval = std::chrono::seconds(30);
  core::Duration timeout = std::chrono::seconds(2);
  int retries = 1;
  // A poll's own bounds; nullopt: the poller's defaults (poller::default_poll_deadline: 80 % of
  // poll_interval; poller::PollLimits: 20,000 varbinds, 4 MiB). A deadline is at least `timeout`
  // and shorter than poll_interval.
  std::optional<core::Duration> poll_deadline;
  std::optional<std::size_t> max_poll_varbinds;
  std::optional<std::uint64_t> max_poll_bytes;
  std::map<std::string, std::string> labels;  // site, rack, ...: defaults' labels, then the agent's
  int line = 0;                               // where the entry starts in the file
};

enum class StoreBackend { kSqlite, kPostgresql };
enum class CopyFormat { kBinary, kText };

struct RetentionSettings {
  core::Duration samples = std::chrono::hours(24 * 30);
  core::Duration events = std::chrono::hours(24 * 90);
  // How long the ledger of committed batch ids (exactly-once replay) is kept.
  core::Duration batch_ledger = std::chrono::hours(24 * 30);
  core::Duration check_interval = std::chrono::hours(1);
};

struct PostgresqlSettings {
  // Either a libpq conninfo string (without a password) or the fields below.
  std::string conninfo;
  std::string host = "localhost";
  std::uint16_t port = 5432;
  std::string dbname = "netpower";
  std::string user = "netpower";
  Secret password;                // empty: none (peer/trust auth, or ~/.pgpass)
  std::string sslmode;            // empty: libpq's default
  int partitions_ahead_days = 2;  // daily sample partitions created ahead of time
  // The writer's session: statements the server cancels beyond this (a batch so cancelled
  // waits as in an outage); TCP keepalive probes on an idle connection and the time sent data
  // may stay unacknowledged (libpq keepalives_*, tcp_user_timeout), so that a vanished server
  // or network is noticed.
  core::Duration statement_timeout = std::chrono::seconds(30);
  core::Duration keepalives_idle = std::chrono::seconds(10);
  core::Duration keepalives_interval = std::chrono::seconds(5);
  int keepalives_count = 3;
  core::Duration tcp_user_timeout = std::chrono::seconds(30);

  // The conninfo for libpq, password included: hand it to libpq only, never log it. The TCP
  // settings come first, so that keywords of `conninfo` override them.
  std::string connection_string(std::chrono::seconds connect_timeout) const;
  // The same without the password, for messages: "host=db port=5432 dbname=netpower user=np".
  std::string describe() const;
};

struct StoreSettings {
  StoreBackend backend = StoreBackend::kSqlite;
  std::string sqlite_path = "/var/lib/netpower/manager.db";
  PostgresqlSettings postgresql;
  CopyFormat copy_format = CopyFormat::kBinary;
  std::size_t batch_size = 5000;                            // rows (samples + events) per batch
  core::Duration flush_interval = std::chrono::seconds(1);  // a partial batch waits no longer
  std::size_t memory_buffer_rows = 1'000'000;         // rows held in memory while the DB is down
  std::string spool_dir = "/var/lib/netpower/spool";  // then batches go to files here
  std::uint64_t spool_max_bytes = 1ull << 30;         // beyond this, new batches are dropped
  core::Duration reconnect_min = std::chrono::milliseconds(500);
  core::Duration reconnect_max = std::chrono::seconds(30);
  core::Duration connect_timeout = std::chrono::seconds(5);
  // PostgreSQL: the writer's bound on each operation (a batch's transaction, maintenance, one
  // compaction step), measured on the client: past it the connection is dropped and the
  // database counts as down (a stopped server answers nothing, not even its statement_timeout).
  core::Duration write_timeout = std::chrono::seconds(60);
  RetentionSettings retention;
};

// Shorter API tokens are refused.
inline constexpr std::size_t kMinApiTokenBytes = 16;

// One who may use the API (http.principals[]): a unique name, a role, a unique bearer token
// (token / token_file / token_env).
struct PrincipalSettings {
  std::string name;  // [A-Za-z0-9_.@-], 1..64 characters
  model::Role role = model::Role::kViewer;
  Secret token;
  int line = 0;  // where the entry starts in the file
};

// The HTTP server's bounds on connections (docs/api.md, Limits).
struct HttpLimits {
  std::size_t max_connections = 256;
  std::size_t max_connections_per_client = 32;  // per source address
  std::size_t reserved_connections = 16;        // of max_connections: for addresses holding none
  core::Duration idle_timeout = std::chrono::seconds(15);    // no request begins
  core::Duration header_timeout = std::chrono::seconds(10);  // from a request's first byte
  core::Duration read_timeout = std::chrono::seconds(30);    // the whole request
  core::Duration write_timeout = std::chrono::seconds(30);   // a response not taken
  std::size_t max_pipelined_requests = 16;
  std::size_t max_requests_per_connection = 1000;
};

// The HTTP server: /metrics (Prometheus), the JSON API (/api/v1/...), /healthz.
struct HttpSettings {
  bool enabled = true;
  std::string address = "127.0.0.1";  // loopback by default: expose it on purpose
  std::uint16_t port = 9641;
  std::vector<PrincipalSettings> principals;
  // Deprecated (a warning is logged): the single token of earlier versions (token / token_file /
  // token_env), which acts as an admin principal named "token" beside `principals`.
  Secret token;
  // GET /metrics requires a viewer's token (with principals only); open by default.
  bool metrics_require_auth = false;
  HttpLimits limits;
};

// The poller's own settings (each agent's interval, timeout and retries are in `agents`).
struct PollerSettings {
  int max_repetitions = 25;                              // GETBULK max-repetitions
  core::Duration max_backoff = std::chrono::minutes(5);  // for agents that are down
  bool spread_start = true;  // spread the agents' first polls over their interval
  int threads = 1;           // I/O threads, each with its own share of the agents (1..64)
};

struct ManagerConfig {
  std::string file;
  std::string log_level = "info";
  std::vector<AgentSettings> agents;
  StoreSettings store;
  HttpSettings http;
  PollerSettings poller;
  // The `traps:` section as written (absent: no trap receiver). manager/traps reads it with
  // read_trap_settings(); kept as a node so that the config library does not depend on it.
  YAML::Node traps;
  // The `hosts:` (the inventory of protected hosts and their outlets) and `actions:` (timeouts of
  // verified power actions) sections as written; manager/actions reads them
  // (actions::read_inventory), for the same reason.
  YAML::Node hosts;
  YAML::Node actions;
};

// Throws core::ConfigError.
ManagerConfig load_manager_config(const std::string& file);
// The same from text, `file` naming it in errors (and relative *_file paths resolved against the
// current directory).
ManagerConfig parse_manager_config(const std::string& text, const std::string& file);

// "30d", "12h", "90m", "1h30m" (core::parse_duration plus days); nullopt if malformed.
std::optional<core::Duration> parse_long_duration(const std::string& text);
// "1048576", "512KiB", "64MiB", "1GiB", "10MB" (decimal), "1GB"; nullopt if malformed.
std::optional<std::uint64_t> parse_bytes(const std::string& text);

}  // namespace netpower::manager::config
