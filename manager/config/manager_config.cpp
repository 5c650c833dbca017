#include "manager/config/manager_config.h"

#include "manager/model/labels.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

#include "core/config_error.h"
#include "core/duration.h"
#include "core/yaml_reader.h"
#include "manager/config/http_settings.h"
#include "manager/config/postgresql_settings.h"
#include "manager/config/secret_reader.h"
#include "manager/config/value_readers.h"

namespace netpower::manager::config {

namespace {

using core::Duration;
using core::YamlReader;
using detail::bounded_duration;
using detail::read_bytes;
using detail::read_long_duration;

constexpr const char* kLogLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};

template <typename Enum>
struct Choice {
  const char* text;
  Enum value;
};

constexpr Choice<SnmpVersion> kVersions[] = {{"2c", SnmpVersion::kV2c}, {"3", SnmpVersion::kV3}};
constexpr Choice<SecurityLevel> kLevels[] = {{"noAuthNoPriv", SecurityLevel::kNoAuthNoPriv},
                                             {"authNoPriv", SecurityLevel::kAuthNoPriv},
                                             {"authPriv", SecurityLevel::kAuthPriv}};
constexpr Choice<AuthProtocol> kAuthProtocols[] = {
    {"MD5", AuthProtocol::kMd5},        {"SHA", AuthProtocol::kSha},
    {"SHA-224", AuthProtocol::kSha224}, {"SHA-256", AuthProtocol::kSha256},
    {"SHA-384", AuthProtocol::kSha384}, {"SHA-512", AuthProtocol::kSha512}};
constexpr Choice<PrivProtocol> kPrivProtocols[] = {{"DES", PrivProtocol::kDes},
                                                   {"AES", PrivProtocol::kAes},
                                                   {"AES-192", PrivProtocol::kAes192},
                                                   {"AES-256", PrivProtocol::kAes256}};
constexpr Choice<StoreBackend> kBackends[] = {{"sqlite", StoreBackend::kSqlite},
                                              {"postgresql", StoreBackend::kPostgresql}};
constexpr Choice<CopyFormat> kCopyFormats[] = {{"binary", CopyFormat::kBinary},
                                               {"text", CopyFormat::kText}};

template <typename Enum, std::size_t N>
const char* text_of(const Choice<Enum> (&choices)[N], Enum value) {
  for (const auto& c : choices) {
    if (c.value == value) return c.text;
  }
  return "?";
}

template <typename Enum, std::size_t N>
std::optional<Enum> read_choice(const YamlReader& r, const YAML::Node& map, const char* key,
                                const Choice<Enum> (&choices)[N]) {
  auto node = map[key];
  if (!node || node.IsNull()) return std::nullopt;
  auto text = r.string(map, key, "");
  std::string known;
  for (const auto& c : choices) {
    if (text == c.text) return c.value;
    known += (known.empty() ? "" : ", ") + std::string(c.text);
  }
  r.fail(node, "'" + std::string(key) + "' must be one of " + known + ", not '" + text + "'");
}

// The agent keys, in `defaults` and in each entry of `agents`; optionals so that an agent's own
// value overrides the default one.
struct AgentFields {
  std::optional<std::uint16_t> port;
  std::optional<SnmpVersion> version;
  std::optional<SecretAt> community;
  std::optional<std::string> user;
  std::optional<SecurityLevel> level;
  std::optional<AuthProtocol> auth_protocol;
  std::optional<SecretAt> auth_key;
  std::optional<PrivProtocol> priv_protocol;
  std::optional<SecretAt> priv_key;
  std::optional<Duration> poll_interval;
  std::optional<Duration> timeout;
  std::optional<int> retries;
  std::optional<Duration> poll_deadline;
  std::optional<std::size_t> max_poll_varbinds;
  std::optional<std::uint64_t> max_poll_bytes;
  std::map<std::string, std::string> labels;

  bool has_usm_keys() const {
    return user || level || auth_protocol || auth_key || priv_protocol || priv_key;
  }
};

#define NP_AGENT_KEYS                                                                            \
  "port", "version", "community", "community_file", "community_env", "user", "security_level",   \
      "auth_protocol", "auth_key", "auth_key_file", "auth_key_env", "priv_protocol", "priv_key", \
      "priv_key_file", "priv_key_env", "poll_interval", "timeout", "retries", "poll_deadline",   \
      "max_poll_varbinds", "max_poll_bytes", "labels"

AgentFields read_agent_fields(const YamlReader& r, const YAML::Node& node) {
  AgentFields f;
  if (node["port"]) f.port = static_cast<std::uint16_t>(r.integer(node, "port", 161, 1, 65535));
  f.version = read_choice(r, node, "version", kVersions);
  f.community = read_secret(r, node, "community");
  if (node["user"]) {
    f.user = r.string(node, "user", "", 32);  // snmpAdminString of a USM user name: 1..32
    if (f.user->empty()) r.fail(node["user"], "'user' is empty");
  }
  f.level = read_choice(r, node, "security_level", kLevels);
  f.auth_protocol = read_choice(r, node, "auth_protocol", kAuthProtocols);
  f.auth_key = read_secret(r, node, "auth_key");
  f.priv_protocol = read_choice(r, node, "priv_protocol", kPrivProtocols);
  f.priv_key = read_secret(r, node, "priv_key");
  for (auto* key : {&f.auth_key, &f.priv_key}) {
    if (*key && (*key)->secret.reveal().size() < kMinUsmKeyLength) {
      r.fail((*key)->at,
             "SNMPv3 keys need at least " + std::to_string(kMinUsmKeyLength) + " characters");
    }
  }
  if (node["poll_interval"]) {
    // Below a second is for tests and labs; a fleet is polled every 10s..5m.
    f.poll_interval = bounded_duration(r, node, "poll_interval", std::chrono::milliseconds(100),
                                       std::chrono::hours(24), "100ms and 24h");
  }
  if (node["timeout"]) {
    f.timeout = bounded_duration(r, node, "timeout", std::chrono::milliseconds(10),
                                 std::chrono::minutes(1), "10ms and 1m");
  }
  if (node["retries"]) f.retries = static_cast<int>(r.integer(node, "retries", 1, 0, 10));
  // A poll's bounds (docs/poller.md). Checked against the interval and timeout in read_agent().
  if (node["poll_deadline"]) {
    f.poll_deadline = bounded_duration(r, node, "poll_deadline", std::chrono::milliseconds(10),
                                       std::chrono::hours(24), "10ms and 24h");
  }
  if (node["max_poll_varbinds"]) {
    f.max_poll_varbinds =
        static_cast<std::size_t>(r.integer(node, "max_poll_varbinds", 0, 100, 10'000'000));
  }
  if (auto bytes = read_bytes(r, node, "max_poll_bytes")) {
    if (*bytes < (std::uint64_t{64} << 10) || *bytes > (std::uint64_t{1} << 30)) {
      r.fail(node["max_poll_bytes"], "'max_poll_bytes' must be between 64KiB and 1GiB");
    }
    f.max_poll_bytes = bytes;
  }
  auto labels = node["labels"];
  if (labels && !labels.IsNull()) {
    if (!labels.IsMap()) r.fail(labels, "'labels' must be a mapping of name: value");
    for (const auto& item : labels) {
      auto name = item.first.Scalar();
      if (!model::valid_label_name(name)) {
        r.fail(item.first, "label name '" + name +
                               "' must match [a-zA-Z_][a-zA-Z0-9_]* (at most 64, no leading __)");
      }
      if (model::is_reserved_label(name)) {
        std::string all;
        for (auto reserved : model::kReservedLabelNames) {
          all += (all.empty() ? "" : ", ") + std::string(reserved);
        }
        r.fail(item.first,
               "label '" + name + "' is set by netpower itself (reserved: " + all + ")");
      }
      f.labels[name] = r.string(labels, name.c_str(), "", 128);
    }
  }
  return f;
}

bool valid_agent_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || c == '_' || c == '.' || c == '-')) return false;
  }
  return true;
}

AgentSettings read_agent(const YamlReader& r, const YAML::Node& node, const AgentFields& defaults) {
  if (!node.IsMap()) r.fail(node, "each entry of 'agents' must be a mapping (name, address, ...)");
  r.expect_map(node, "an agent", {"name", "address", NP_AGENT_KEYS});
  AgentSettings a;
  a.line = node.Mark().line + 1;
  if (!node["name"]) r.fail(node, "agent needs a 'name'");
  a.name = r.string(node, "name", "");
  if (!valid_agent_name(a.name)) {
    r.fail(node["name"],
           "agent name '" + a.name + "' must be 1..64 characters of A-Z a-z 0-9 _ . -");
  }
  if (!node["address"]) r.fail(node, "agent '" + a.name + "' needs an 'address'");
  a.address = r.string(node, "address", "", 253);
  if (a.address.empty() || a.address.find_first_of(" \t/") != std::string::npos) {
    r.fail(node["address"], "'" + a.address + "' is not a host name or IP address");
  }

  auto own = read_agent_fields(r, node);
  auto pick = [](const auto& mine, const auto& fallback) { return mine ? mine : fallback; };
  a.port = pick(own.port, defaults.port).value_or(a.port);
  a.version = pick(own.version, defaults.version).value_or(a.version);
  a.poll_interval = pick(own.poll_interval, defaults.poll_interval).value_or(a.poll_interval);
  a.timeout = pick(own.timeout, defaults.timeout).value_or(a.timeout);
  a.retries = pick(own.retries, defaults.retries).value_or(a.retries);
  a.poll_deadline = pick(own.poll_deadline, defaults.poll_deadline);
  a.max_poll_varbinds = pick(own.max_poll_varbinds, defaults.max_poll_varbinds);
  a.max_poll_bytes = pick(own.max_poll_bytes, defaults.max_poll_bytes);
  a.labels = defaults.labels;
  for (const auto& [k, v] : own.labels) a.labels[k] = v;
  if (a.timeout * (a.retries + 1) > a.poll_interval) {
    r.fail(node, "agent '" + a.name + "': timeout x (retries + 1) = " +
                     core::format_duration(a.timeout * (a.retries + 1)) +
                     " is longer than its poll_interval " + core::format_duration(a.poll_interval));
  }
  if (a.poll_deadline && (*a.poll_deadline >= a.poll_interval || *a.poll_deadline < a.timeout)) {
    r.fail(node["poll_deadline"] ? node["poll_deadline"] : node,
           "agent '" + a.name + "': poll_deadline " + core::format_duration(*a.poll_deadline) +
               " must be at least its timeout " + core::format_duration(a.timeout) +
               " and shorter than its poll_interval " + core::format_duration(a.poll_interval));
  }

  const std::string who = "agent '" + a.name + "'";
  if (a.version == SnmpVersion::kV2c) {
    if (own.has_usm_keys()) {
      r.fail(node, who +
                       " uses SNMP version 2c; user, security_level and the auth/priv keys are "
                       "for version 3");
    }
    auto community = pick(own.community, defaults.community);
    if (!community) {
      r.fail(node, who +
                       " uses SNMP version 2c and needs a community (community, "
                       "community_file or community_env, here or in defaults)");
    }
    a.community = community->secret;
    return a;
  }
  if (own.community) r.fail(own.community->at, who + " uses SNMP version 3; 'community' is for 2c");
  auto user = pick(own.user, defaults.user);
  if (!user) r.fail(node, who + " uses SNMP version 3 and needs a 'user'");
  a.usm.user = *user;
  a.usm.level = pick(own.level, defaults.level).value_or(a.usm.level);
  a.usm.auth_protocol =
      pick(own.auth_protocol, defaults.auth_protocol).value_or(a.usm.auth_protocol);
  a.usm.priv_protocol =
      pick(own.priv_protocol, defaults.priv_protocol).value_or(a.usm.priv_protocol);
  if (a.usm.level != SecurityLevel::kNoAuthNoPriv) {
    auto key = pick(own.auth_key, defaults.auth_key);
    if (!key) {
      r.fail(node, who + " at security_level " + to_string(a.usm.level) +
                       " needs an auth_key (auth_key, auth_key_file or auth_key_env)");
    }
    a.usm.auth_key = key->secret;
  }
  if (a.usm.level == SecurityLevel::kAuthPriv) {
    auto key = pick(own.priv_key, defaults.priv_key);
    if (!key) {
      r.fail(node, who +
                       " at security_level authPriv needs a priv_key (priv_key, priv_key_file "
                       "or priv_key_env)");
    }
    a.usm.priv_key = key->secret;
  }
  return a;
}

void read_store(const YamlReader& r, const YAML::Node& node, StoreSettings& s) {
  r.expect_map(node, "store",
               {"backend", "sqlite", "postgresql", "copy_format", "batch_size", "flush_interval",
                "memory_buffer_rows", "spool_dir", "spool_max_bytes", "reconnect_min",
                "reconnect_max", "connect_timeout", "write_timeout", "retention"});
  if (!node) return;
  s.backend = read_choice(r, node, "backend", kBackends).value_or(s.backend);
  const char* other = s.backend == StoreBackend::kSqlite ? "postgresql" : "sqlite";
  if (node[other]) {
    r.fail(node[other], std::string("store.") + other + " is set but store.backend is " +
                            text_of(kBackends, s.backend));
  }
  auto sqlite = node["sqlite"];
  r.expect_map(sqlite, "store.sqlite", {"path"});
  if (sqlite) {
    s.sqlite_path = r.string(sqlite, "path", s.sqlite_path);
    if (s.sqlite_path.empty()) r.fail(sqlite, "store.sqlite.path is empty");
  }
  read_postgresql_settings(r, node["postgresql"], s.postgresql);
  s.copy_format = read_choice(r, node, "copy_format", kCopyFormats).value_or(s.copy_format);
  s.batch_size = static_cast<std::size_t>(
      r.integer(node, "batch_size", static_cast<long>(s.batch_size), 1, 1'000'000));
  if (node["flush_interval"]) {
    s.flush_interval = bounded_duration(r, node, "flush_interval", std::chrono::milliseconds(1),
                                        std::chrono::minutes(10), "1ms and 10m");
  }
  s.memory_buffer_rows = static_cast<std::size_t>(r.integer(
      node, "memory_buffer_rows", static_cast<long>(s.memory_buffer_rows), 0, 1'000'000'000));
  s.spool_dir = r.string(node, "spool_dir", s.spool_dir);
  if (s.spool_dir.empty()) r.fail(node["spool_dir"], "'spool_dir' is empty");
  s.spool_max_bytes = read_bytes(r, node, "spool_max_bytes").value_or(s.spool_max_bytes);
  if (node["reconnect_min"]) {
    s.reconnect_min = bounded_duration(r, node, "reconnect_min", std::chrono::milliseconds(1),
                                       std::chrono::minutes(10), "1ms and 10m");
  }
  if (node["reconnect_max"]) {
    s.reconnect_max = bounded_duration(r, node, "reconnect_max", std::chrono::milliseconds(1),
                                       std::chrono::hours(1), "1ms and 1h");
  }
  if (s.reconnect_max < s.reconnect_min) {
    r.fail(node["reconnect_max"] ? node["reconnect_max"] : node["reconnect_min"],
           "'reconnect_max' must not be shorter than 'reconnect_min'");
  }
  if (node["connect_timeout"]) {
    s.connect_timeout = bounded_duration(r, node, "connect_timeout", std::chrono::seconds(1),
                                         std::chrono::minutes(5), "1s and 5m");
  }
  if (node["write_timeout"]) {
    s.write_timeout = bounded_duration(r, node, "write_timeout", std::chrono::milliseconds(100),
                                       std::chrono::hours(1), "100ms and 1h");
  }
  auto retention = node["retention"];
  r.expect_map(retention, "store.retention",
               {"samples", "events", "batch_ledger", "check_interval"});
  if (retention) {
    auto& t = s.retention;
    t.samples = read_long_duration(r, retention, "samples", t.samples, std::chrono::hours(24));
    t.events = read_long_duration(r, retention, "events", t.events, std::chrono::hours(1));
    t.batch_ledger =
        read_long_duration(r, retention, "batch_ledger", t.batch_ledger, std::chrono::hours(24));
    t.check_interval = read_long_duration(r, retention, "check_interval", t.check_interval,
                                          std::chrono::seconds(1));
  }
}

void read_poller(const YamlReader& r, const YAML::Node& node, PollerSettings& p) {
  r.expect_map(node, "poller", {"max_repetitions", "max_backoff", "spread_start", "threads"});
  if (!node) return;
  p.max_repetitions =
      static_cast<int>(r.integer(node, "max_repetitions", p.max_repetitions, 1, 200));
  p.max_backoff = r.duration(node, "max_backoff", p.max_backoff);
  if (p.max_backoff < std::chrono::seconds(1) || p.max_backoff > std::chrono::hours(24)) {
    r.fail(node["max_backoff"], "'max_backoff' must be between 1s and 24h");
  }
  p.spread_start = r.boolean(node, "spread_start", p.spread_start);
  p.threads = static_cast<int>(r.integer(node, "threads", p.threads, 1, 64));
}

ManagerConfig parse(const YamlReader& r, const YAML::Node& root) {
  ManagerConfig config;
  config.file = r.file();
  if (!root || root.IsNull()) throw core::ConfigError(r.file(), 0, 0, "the file is empty");
  r.expect_map(
      root, "the configuration",
      {"log", "defaults", "agents", "store", "traps", "http", "poller", "hosts", "actions"});
  // reset(), not assignment: assigning an absent (invalid) node throws in yaml-cpp.
  if (auto traps = root["traps"]) config.traps.reset(traps);
  if (auto hosts = root["hosts"]) config.hosts.reset(hosts);
  if (auto actions = root["actions"]) config.actions.reset(actions);
  auto log = root["log"];
  r.expect_map(log, "log", {"level"});
  if (log) {
    config.log_level = r.string(log, "level", config.log_level);
    bool known = false;
    for (auto* level : kLogLevels) known = known || config.log_level == level;
    if (!known) {
      r.fail(log["level"], "unknown log level '" + config.log_level +
                               "' (trace, debug, info, warn, error, critical, off)");
    }
  }
  auto defaults_node = root["defaults"];
  r.expect_map(defaults_node, "defaults", {NP_AGENT_KEYS});
  AgentFields defaults;
  if (defaults_node) defaults = read_agent_fields(r, defaults_node);

  auto agents = root["agents"];
  if (agents && !agents.IsNull()) {
    if (!agents.IsSequence()) r.fail(agents, "'agents' must be a list of agents");
    std::map<std::string, int> names;
    std::map<std::string, int> endpoints;
    for (const auto& node : agents) {
      auto agent = read_agent(r, node, defaults);
      if (auto [it, fresh] = names.emplace(agent.name, agent.line); !fresh) {
        r.fail(node["name"], "agent name '" + agent.name + "' is already used at line " +
                                 std::to_string(it->second));
      }
      auto endpoint = agent.address + ":" + std::to_string(agent.port);
      if (auto [it, fresh] = endpoints.emplace(endpoint, agent.line); !fresh) {
        r.fail(node["address"], "agent address " + endpoint +
                                    " is already polled by the agent at line " +
                                    std::to_string(it->second));
      }
      config.agents.push_back(std::move(agent));
    }
  }
  read_store(r, root["store"], config.store);
  read_http_settings(r, root["http"], config.http);
  read_poller(r, root["poller"], config.poller);
  return config;
}

}  // namespace

const char* to_string(SnmpVersion v) { return text_of(kVersions, v); }
const char* to_string(SecurityLevel l) { return text_of(kLevels, l); }
const char* to_string(AuthProtocol p) { return text_of(kAuthProtocols, p); }
const char* to_string(PrivProtocol p) { return text_of(kPrivProtocols, p); }

std::optional<SecurityLevel> read_security_level(const YamlReader& r, const YAML::Node& map,
                                                 const char* key) {
  return read_choice(r, map, key, kLevels);
}
std::optional<AuthProtocol> read_auth_protocol(const YamlReader& r, const YAML::Node& map,
                                               const char* key) {
  return read_choice(r, map, key, kAuthProtocols);
}
std::optional<PrivProtocol> read_priv_protocol(const YamlReader& r, const YAML::Node& map,
                                               const char* key) {
  return read_choice(r, map, key, kPrivProtocols);
}

std::optional<core::Duration> parse_long_duration(const std::string& text) {
  std::string rest = text;
  core::Duration days{0};
  auto d = text.find('d');
  if (d != std::string::npos) {
    auto count = text.substr(0, d);
    if (count.empty() || count.size() > 5 ||
        count.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    days = std::chrono::hours(24) * std::stoi(count);
    rest = text.substr(d + 1);
    if (rest.empty()) return days;
  }
  auto parsed = core::parse_duration(rest);
  if (!parsed) return std::nullopt;
  return days + *parsed;
}

std::optional<std::uint64_t> parse_bytes(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 19) return std::nullopt;
  std::uint64_t number = std::stoull(text.substr(0, digits));
  static const std::pair<const char*, std::uint64_t> kUnits[] = {{"", 1},
                                                                 {"B", 1},
                                                                 {"KiB", 1ull << 10},
                                                                 {"MiB", 1ull << 20},
                                                                 {"GiB", 1ull << 30},
                                                                 {"TiB", 1ull << 40},
                                                                 {"kB", 1000},
                                                                 {"KB", 1000},
                                                                 {"MB", 1000000},
                                                                 {"GB", 1000000000},
                                                                 {"TB", 1000000000000}};
  auto unit = text.substr(digits);
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) {
      if (number > std::numeric_limits<std::uint64_t>::max() / factor) return std::nullopt;
      return number * factor;
    }
  }
  return std::nullopt;
}

ManagerConfig load_manager_config(const std::string& file) {
  YamlReader reader(file);
  return parse(reader, reader.load());
}

ManagerConfig parse_manager_config(const std::string& text, const std::string& file) {
  YamlReader reader(file);
  return parse(reader, reader.load_string(text));
}

}  // namespace netpower::manager::config
