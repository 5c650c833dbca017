// manager/config: every key, every error with its line, secrets from files and environment
// variables, and secrets that never print.

#include "manager/config/manager_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/config_error.h"
#include "tests/support/temp_dir.h"

namespace netpower::manager::config {
namespace {

using ::testing::HasSubstr;

ManagerConfig parse(const std::string& text) { return parse_manager_config(text, "manager.yaml"); }

// Parsing `text` fails at `line` with a message containing `problem`.
void expect_error(const std::string& text, int line, const std::string& problem) {
  try {
    parse(text);
    ADD_FAILURE() << "no error for:\n" << text;
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(e.file(), "manager.yaml");
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(problem));
    EXPECT_THAT(e.what(), HasSubstr("manager.yaml:" + std::to_string(line)));
  }
}

const char* const kFull = R"(log:
  level: debug
defaults:
  version: 3
  user: np-poller
  auth_protocol: SHA-256
  auth_key: auth-secret-1
  priv_protocol: AES-256
  priv_key: priv-secret-1
  poll_interval: 15s
  labels:
    site: par1
agents:
  - name: rack1-pdu
    address: 10.0.0.5
    labels: {rack: r1}
  - name: rack2-pdu
    address: pdu2.example.net
    port: 1161
    version: 2c
    community: ro-community
    poll_interval: 1m
    timeout: 500ms
    retries: 3
    labels: {rack: r2, site: ams1}
  - name: ups-a
    address: 10.0.0.9
    security_level: authNoPriv
store:
  backend: postgresql
  postgresql:
    host: db.example.net
    port: 6432
    dbname: np
    user: np_writer
    password: db-secret
    sslmode: require
    partitions_ahead_days: 3
  copy_format: text
  batch_size: 2000
  flush_interval: 250ms
  memory_buffer_rows: 50000
  spool_dir: /var/spool/np
  spool_max_bytes: 64MiB
  reconnect_min: 100ms
  reconnect_max: 10s
  connect_timeout: 3s
  retention:
    samples: 14d
    events: 180d
    batch_ledger: 7d
    check_interval: 10m
)";

TEST(ManagerConfig, FullFile) {
  auto c = parse(kFull);
  EXPECT_EQ(c.log_level, "debug");
  ASSERT_EQ(c.agents.size(), 3u);
  const auto& a = c.agents[0];
  EXPECT_EQ(a.name, "rack1-pdu");
  EXPECT_EQ(a.address, "10.0.0.5");
  EXPECT_EQ(a.port, 161);
  EXPECT_EQ(a.version, SnmpVersion::kV3);
  EXPECT_EQ(a.usm.user, "np-poller");
  EXPECT_EQ(a.usm.level, SecurityLevel::kAuthPriv);
  EXPECT_EQ(a.usm.auth_protocol, AuthProtocol::kSha256);
  EXPECT_EQ(a.usm.auth_key.reveal(), "auth-secret-1");
  EXPECT_EQ(a.usm.priv_protocol, PrivProtocol::kAes256);
  EXPECT_EQ(a.usm.priv_key.reveal(), "priv-secret-1");
  EXPECT_EQ(a.poll_interval, std::chrono::seconds(15));
  EXPECT_EQ(a.labels, (std::map<std::string, std::string>{{"site", "par1"}, {"rack", "r1"}}));
  EXPECT_EQ(a.line, 14);
  const auto& b = c.agents[1];
  EXPECT_EQ(b.port, 1161);
  EXPECT_EQ(b.version, SnmpVersion::kV2c);
  EXPECT_EQ(b.community.reveal(), "ro-community");
  EXPECT_EQ(b.poll_interval, std::chrono::minutes(1));
  EXPECT_EQ(b.timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(b.retries, 3);
  EXPECT_EQ(b.labels.at("site"), "ams1");  // the agent's own label wins
  const auto& u = c.agents[2];
  EXPECT_EQ(u.usm.level, SecurityLevel::kAuthNoPriv);
  EXPECT_TRUE(u.usm.priv_key.empty());

  const auto& s = c.store;
  EXPECT_EQ(s.backend, StoreBackend::kPostgresql);
  EXPECT_EQ(s.postgresql.host, "db.example.net");
  EXPECT_EQ(s.postgresql.port, 6432);
  EXPECT_EQ(s.postgresql.dbname, "np");
  EXPECT_EQ(s.postgresql.user, "np_writer");
  EXPECT_EQ(s.postgresql.password.reveal(), "db-secret");
  EXPECT_EQ(s.postgresql.partitions_ahead_days, 3);
  EXPECT_EQ(s.copy_format, CopyFormat::kText);
  EXPECT_EQ(s.batch_size, 2000u);
  EXPECT_EQ(s.flush_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(s.memory_buffer_rows, 50000u);
  EXPECT_EQ(s.spool_dir, "/var/spool/np");
  EXPECT_EQ(s.spool_max_bytes, 64ull << 20);
  EXPECT_EQ(s.reconnect_min, std::chrono::milliseconds(100));
  EXPECT_EQ(s.reconnect_max, std::chrono::seconds(10));
  EXPECT_EQ(s.connect_timeout, std::chrono::seconds(3));
  EXPECT_EQ(s.retention.samples, std::chrono::hours(24 * 14));
  EXPECT_EQ(s.retention.events, std::chrono::hours(24 * 180));
  EXPECT_EQ(s.retention.batch_ledger, std::chrono::hours(24 * 7));
  EXPECT_EQ(s.retention.check_interval, std::chrono::minutes(10));

  const auto conninfo = s.postgresql.connection_string(std::chrono::seconds(3));
  EXPECT_THAT(conninfo, HasSubstr("host='db.example.net'"));
  EXPECT_THAT(conninfo, HasSubstr("password='db-secret'"));
  EXPECT_THAT(conninfo, HasSubstr("connect_timeout='3'"));
  EXPECT_THAT(s.postgresql.describe(), ::testing::Not(HasSubstr("db-secret")));
}

TEST(ManagerConfig, Defaults) {
  auto c = parse("agents: []\n");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_TRUE(c.agents.empty());
  EXPECT_EQ(c.store.backend, StoreBackend::kSqlite);
  EXPECT_EQ(c.store.sqlite_path, "/var/lib/netpower/manager.db");
  EXPECT_EQ(c.store.copy_format, CopyFormat::kBinary);
  EXPECT_EQ(c.store.batch_size, 5000u);
  EXPECT_EQ(c.store.flush_interval, std::chrono::seconds(1));
  EXPECT_EQ(c.store.spool_max_bytes, 1ull << 30);
  EXPECT_EQ(c.store.retention.samples, std::chrono::hours(24 * 30));
}

TEST(ManagerConfig, ConninfoGetsThePasswordAppendedAndQuoted) {
  auto c = parse(
      "store:\n  backend: postgresql\n  postgresql:\n    conninfo: host=/run/pg dbname=np\n"
      "    password: \"it's a \\\\ secret\"\n");
  auto info = c.store.postgresql.connection_string(std::chrono::seconds(5));
  EXPECT_THAT(info, HasSubstr("host=/run/pg dbname=np password='it\\'s a \\\\ secret'"));
  EXPECT_EQ(c.store.postgresql.describe(), "host=/run/pg dbname=np");
}

TEST(ManagerConfig, SecretsFromFilesAndEnvironment) {
  testing::TempDir dir("np-cfg");
  {
    std::ofstream(dir.file("community")) << "file-community\n";
    std::ofstream(dir.file("auth")) << "file-auth-key\r\n";
  }
  ::setenv("NP_TEST_PRIV", "env-priv-key", 1);
  ::setenv("NP_TEST_DBPW", "env-db-password", 1);
  const std::string text =
      "agents:\n"
      "  - name: a\n    address: h1\n    version: 2c\n"
      "    community_file: community\n"  // relative to the config file
      "  - name: b\n    address: h2\n    user: u\n"
      "    auth_key_file: " +
      dir.file("auth").string() +
      "\n"
      "    priv_key_env: NP_TEST_PRIV\n"
      "store:\n  backend: postgresql\n  postgresql:\n    password_env: NP_TEST_DBPW\n";
  auto c = parse_manager_config(text, dir.file("manager.yaml").string());
  EXPECT_EQ(c.agents[0].community.reveal(), "file-community");
  EXPECT_EQ(c.agents[0].community.source(), "file " + dir.file("community").string());
  EXPECT_EQ(c.agents[1].usm.auth_key.reveal(), "file-auth-key");
  EXPECT_EQ(c.agents[1].usm.priv_key.reveal(), "env-priv-key");
  EXPECT_EQ(c.agents[1].usm.priv_key.source(), "env NP_TEST_PRIV");
  EXPECT_EQ(c.store.postgresql.password.reveal(), "env-db-password");
}

TEST(ManagerConfig, SecretErrorsNameTheKeyNotTheValue) {
  testing::TempDir dir("np-cfg");
  std::ofstream(dir.file("empty")) << "\n";
  std::ofstream(dir.file("two")) << "line-one-secret\nline-two\n";
  std::ofstream(dir.file("short")) << "abc\n";
  ::unsetenv("NP_TEST_UNSET");
  ::setenv("NP_TEST_EMPTY", "", 1);
  const std::string v2 = "agents:\n  - name: a\n    address: h\n    version: 2c\n";
  auto at = [&](const std::string& key_line, int line, const std::string& problem) {
    try {
      parse_manager_config(v2 + key_line, dir.file("m.yaml").string());
      ADD_FAILURE() << key_line;
    } catch (const core::ConfigError& e) {
      EXPECT_EQ(e.line(), line) << e.what();
      EXPECT_THAT(e.what(), HasSubstr(problem));
      EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("line-one-secret")));
    }
  };
  at("    community_file: missing\n", 5, "cannot read community_file");
  at("    community_file: empty\n", 5, "is empty");
  at("    community_file: two\n", 5, "more than one line");
  at("    community_env: NP_TEST_UNSET\n", 5, "environment variable 'NP_TEST_UNSET' is not set");
  at("    community_env: NP_TEST_EMPTY\n", 5, "is empty");
  at("    community: a\n    community_env: NP_TEST_EMPTY\n", 6,
     "'community' and 'community_env' both");
  const std::string v3 =
      "agents:\n  - name: a\n    address: h\n    user: u\n    priv_key: longenough\n";
  try {
    parse_manager_config(v3 + "    auth_key_file: short\n", dir.file("m.yaml").string());
    ADD_FAILURE();
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(e.line(), 6);
    EXPECT_THAT(e.what(), HasSubstr("at least 8 characters"));
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("abc")));
  }
}

TEST(ManagerConfig, Errors) {
  expect_error("agentz: []\n", 1, "unknown key 'agentz' in the configuration");
  expect_error("log:\n  level: loud\n", 2, "unknown log level 'loud'");
  expect_error("agents: {a: 1}\n", 1, "'agents' must be a list");
  expect_error("agents:\n  - just-a-name\n", 2, "must be a mapping");
  expect_error("agents:\n  - address: h\n", 2, "agent needs a 'name'");
  expect_error("agents:\n  - name: 'bad name'\n    address: h\n", 2, "must be 1..64 characters");
  expect_error("agents:\n  - name: a\n", 2, "agent 'a' needs an 'address'");
  expect_error("agents:\n  - name: a\n    address: 'h h'\n", 3, "not a host name");
  expect_error("agents:\n  - name: a\n    adress: h\n", 3, "unknown key 'adress' in an agent");
  expect_error("agents:\n  - name: a\n    address: h\n    port: 70000\n", 4,
               "out of range 1..65535");
  expect_error("agents:\n  - name: a\n    address: h\n    version: 1\n", 4,
               "'version' must be one of 2c, 3");
  expect_error("agents:\n  - name: a\n    address: h\n    version: 2c\n", 2, "needs a community");
  expect_error(
      "agents:\n  - name: a\n    address: h\n    version: 2c\n    community: c\n    user: u\n", 2,
      "uses SNMP version 2c");
  expect_error("agents:\n  - name: a\n    address: h\n    community: c\n", 4,
               "'community' is for 2c");
  expect_error("agents:\n  - name: a\n    address: h\n", 2, "needs a 'user'");
  expect_error("agents:\n  - name: a\n    address: h\n    user: u\n", 2, "needs an auth_key");
  expect_error("agents:\n  - name: a\n    address: h\n    user: u\n    auth_key: 12345678\n", 2,
               "needs a priv_key");
  expect_error("agents:\n  - name: a\n    address: h\n    user: u\n    auth_protocol: SHA-1\n", 5,
               "'auth_protocol' must be one of MD5, SHA, SHA-224");
  expect_error("agents:\n  - name: a\n    address: h\n    user: u\n    priv_protocol: 3DES\n", 5,
               "'priv_protocol' must be one of DES, AES");
  expect_error("agents:\n  - name: a\n    address: h\n    user: u\n    security_level: authpriv\n",
               5, "'security_level' must be one of noAuthNoPriv");
  expect_error("agents:\n  - name: a\n    address: h\n    user: u\n    auth_key: short\n", 5,
               "at least 8 characters");
  expect_error("defaults:\n  poll_interval: 0s\n", 2,
               "'poll_interval' must be between 100ms and 24h");
  expect_error("defaults:\n  poll_interval: 99ms\n", 2,
               "'poll_interval' must be between 100ms and 24h");
  expect_error("defaults:\n  retries: 11\n", 2, "out of range 0..10");
  expect_error("defaults:\n  timeout: 2m\n", 2, "'timeout' must be between 10ms and 1m");
  expect_error("defaults:\n  name: x\n", 2, "unknown key 'name' in defaults");
  expect_error("defaults:\n  labels: [a]\n", 2, "'labels' must be a mapping");
  expect_error("defaults:\n  labels: {9rack: x}\n", 2, "label name '9rack'");
  expect_error("defaults:\n  labels: {__x: y}\n", 2, "label name '__x'");
  expect_error("defaults:\n  labels: {port: y}\n", 2, "label 'port' is set by netpower itself");
  // Every label the exporter sets, not only the first few (they were accepted, then dropped).
  for (const char* reserved : {"location", "status", "state", "source", "address", "alarm",
                               "snmp_port", "code_version", "version"}) {
    expect_error(std::string("defaults:\n  labels: {") + reserved + ": y}\n", 2,
                 std::string("label '") + reserved + "' is set by netpower itself");
  }
  expect_error("defaults:\n  labels: {rack-id: y}\n", 2, "label name 'rack-id' must match");
  expect_error(
      "defaults: {version: 2c, community: c, poll_interval: 2s, timeout: 1s, retries: 2}\n"
      "agents:\n  - name: a\n    address: h\n",
      3, "timeout x (retries + 1) = 3s is longer than its poll_interval 2s");
  expect_error(
      "defaults: {version: 2c, community: c}\n"
      "agents:\n  - name: a\n    address: h\n  - name: a\n    address: h2\n",
      5, "agent name 'a' is already used at line 3");
  expect_error(
      "defaults: {version: 2c, community: c}\n"
      "agents:\n  - name: a\n    address: h\n  - name: b\n    address: h\n",
      6, "agent address h:161 is already polled by the agent at line 3");

  expect_error("store:\n  backend: mysql\n", 2, "'backend' must be one of sqlite, postgresql");
  expect_error("store:\n  sqlite: {path: /x}\n  postgresql: {host: h}\n", 3,
               "store.postgresql is set but store.backend is sqlite");
  expect_error("store:\n  backend: postgresql\n  sqlite: {path: /x}\n", 3,
               "store.sqlite is set but store.backend is postgresql");
  expect_error("store:\n  sqlite: {file: /x}\n", 2, "unknown key 'file' in store.sqlite");
  expect_error("store:\n  backend: postgresql\n  postgresql: {conninfo: 'host=h password=x'}\n", 3,
               "must not carry the password");
  expect_error("store:\n  backend: postgresql\n  postgresql: {conninfo: 'postgresql://h/db'}\n", 3,
               "not as a URI");
  expect_error(
      "store:\n  backend: postgresql\n  postgresql:\n    conninfo: 'host=h'\n    dbname: x\n", 5,
      "'dbname' and 'conninfo' cannot both be set");
  expect_error("store:\n  backend: postgresql\n  postgresql:\n    sslmode: maybe\n", 4,
               "'sslmode' must be");
  expect_error("store:\n  batch_size: 0\n", 2, "out of range 1..1000000");
  expect_error("store:\n  copy_format: csv\n", 2, "'copy_format' must be one of binary, text");
  expect_error("store:\n  flush_interval: soon\n", 2, "not a duration");
  expect_error("store:\n  spool_max_bytes: 1PB\n", 2, "'spool_max_bytes' is not a size");
  expect_error("store:\n  memory_buffer_rows: -1\n", 2, "out of range");
  expect_error("store:\n  reconnect_min: 2s\n  reconnect_max: 1s\n", 3, "must not be shorter");
  expect_error("store:\n  retention: {samples: 12h}\n", 2, "'samples' must be at least 24h");
  expect_error("store:\n  retention: {samples: 1w}\n", 2, "'samples' is not a duration");
  expect_error("store:\n  retention: {forever: yes}\n", 2,
               "unknown key 'forever' in store.retention");
  expect_error("agents:\n  - name: a\n    address: [h\n", 4, "end of sequence");  // YAML syntax
}

TEST(ManagerConfig, EmptyAndMissingFiles) {
  try {
    parse("");
    ADD_FAILURE();
  } catch (const core::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("manager.yaml: the file is empty"));
  }
  try {
    load_manager_config("/nonexistent/manager.yaml");
    ADD_FAILURE();
  } catch (const core::ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/manager.yaml: cannot open the file"));
  }
}

TEST(ManagerConfig, SizesAndLongDurations) {
  EXPECT_EQ(parse_bytes("1024"), 1024u);
  EXPECT_EQ(parse_bytes("2KiB"), 2048u);
  EXPECT_EQ(parse_bytes("3MB"), 3000000u);
  EXPECT_EQ(parse_bytes("1GiB"), 1ull << 30);
  EXPECT_FALSE(parse_bytes(""));
  EXPECT_FALSE(parse_bytes("MiB"));
  EXPECT_FALSE(parse_bytes("-1"));
  EXPECT_FALSE(parse_bytes("99999999999TiB"));
  EXPECT_EQ(parse_long_duration("30d"), std::chrono::hours(720));
  EXPECT_EQ(parse_long_duration("1d12h"), std::chrono::hours(36));
  EXPECT_EQ(parse_long_duration("90m"), std::chrono::minutes(90));
  EXPECT_FALSE(parse_long_duration("d"));
  EXPECT_FALSE(parse_long_duration("1.5d"));
  EXPECT_FALSE(parse_long_duration("-1d"));
}

TEST(Secret, NeverFormatsItsValue) {
  Secret secret("s3cr3t-value", "inline");
  std::ostringstream out;
  out << secret;
  EXPECT_EQ(out.str(), "***");
  EXPECT_EQ(fmt::format("{}", secret), "***");
  EXPECT_EQ(fmt::format("[{:>5}]", secret), "[  ***]");

  std::ostringstream log;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log);
  spdlog::logger logger("secret-test", sink);
  logger.warn("community is {}", secret);
  logger.flush();
  EXPECT_THAT(log.str(), HasSubstr("community is ***"));
  EXPECT_THAT(log.str(), ::testing::Not(HasSubstr("s3cr3t")));
  EXPECT_EQ(secret.reveal(), "s3cr3t-value");

  Secret moved = std::move(secret);
  EXPECT_EQ(moved.reveal(), "s3cr3t-value");
  EXPECT_TRUE(secret.empty());  // NOLINT(bugprone-use-after-move): the move wipes the source
}

TEST(ManagerConfig, LoadFromFileNamesTheFileInErrors) {
  testing::TempDir dir("np-cfg");
  const auto path = dir.file("manager.yaml").string();
  std::ofstream(path) << "agents:\n  - name: a\n    address: h\n    version: 4\n";
  try {
    load_manager_config(path);
    ADD_FAILURE();
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ":4:14: ", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace netpower::manager::config

namespace netpower::manager::config {
namespace {

TEST(ManagerConfigHttpAndPoller, DefaultsAreLoopbackWithoutTokenAndOneThread) {
  auto c = parse_manager_config("agents: []\n", "m.yaml");
  EXPECT_TRUE(c.http.enabled);
  EXPECT_EQ(c.http.address, "127.0.0.1");
  EXPECT_EQ(c.http.port, 9641);
  EXPECT_TRUE(c.http.token.empty());
  EXPECT_EQ(c.poller.threads, 1);
  EXPECT_EQ(c.poller.max_repetitions, 25);
}

TEST(ManagerConfigHttpAndPoller, SettingsAndErrors) {
  auto c = parse_manager_config(
      "http:\n  address: 0.0.0.0\n  port: 8080\n  token: \"0123456789abcdef\"\n"
      "poller:\n  max_repetitions: 50\n  max_backoff: 2m\n  spread_start: false\n  threads: 2\n",
      "m.yaml");
  EXPECT_EQ(c.http.address, "0.0.0.0");
  EXPECT_EQ(c.http.port, 8080);
  EXPECT_EQ(c.http.token.reveal(), "0123456789abcdef");
  EXPECT_EQ(c.poller.max_repetitions, 50);
  EXPECT_EQ(c.poller.max_backoff, std::chrono::minutes(2));
  EXPECT_FALSE(c.poller.spread_start);
  EXPECT_EQ(c.poller.threads, 2);
  EXPECT_THROW(parse_manager_config("http:\n  port: 70000\n", "m.yaml"), core::ConfigError);
  EXPECT_THROW(parse_manager_config("http:\n  token: short\n", "m.yaml"), core::ConfigError);
  EXPECT_THROW(parse_manager_config("poller:\n  threads: 0\n", "m.yaml"), core::ConfigError);
  EXPECT_THROW(parse_manager_config("http:\n  listen: x\n", "m.yaml"), core::ConfigError);
  try {
    parse_manager_config("http:\n  token: short\n", "m.yaml");
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).find("short"), std::string::npos) << "never the value";
  }
}

// The error of parsing `text`, which must fail ("" when it does not).
std::string http_error(const std::string& text) {
  try {
    parse_manager_config(text, "m.yaml");
  } catch (const core::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ManagerConfigHttpPrincipals, NamedPrincipalsWithRolesAndTokens) {
  testing::TempDir dir("np-cfg");
  std::ofstream(dir.file("grafana.token")) << "grafana-token-0123456789\n";
  setenv("NP_TEST_ALICE_TOKEN", "alice-token-0123456789", 1);
  const std::string text =
      "http:\n"
      "  metrics_require_auth: true\n"
      "  principals:\n"
      "    - {name: grafana, role: viewer, token_file: grafana.token}\n"
      "    - name: alice\n"
      "      role: operator\n"
      "      token_env: NP_TEST_ALICE_TOKEN\n"
      "    - {name: root@site, role: admin, token: \"admin-token-0123456789\"}\n";
  auto c = parse_manager_config(text, dir.file("manager.yaml").string());
  ASSERT_EQ(c.http.principals.size(), 3u);
  EXPECT_EQ(c.http.principals[0].name, "grafana");
  EXPECT_EQ(c.http.principals[0].role, model::Role::kViewer);
  EXPECT_EQ(c.http.principals[0].token.reveal(), "grafana-token-0123456789");
  EXPECT_EQ(c.http.principals[0].line, 4);
  EXPECT_EQ(c.http.principals[1].name, "alice");
  EXPECT_EQ(c.http.principals[1].role, model::Role::kOperator);
  EXPECT_EQ(c.http.principals[1].token.reveal(), "alice-token-0123456789");
  EXPECT_EQ(c.http.principals[1].line, 5);
  EXPECT_EQ(c.http.principals[2].role, model::Role::kAdmin);
  EXPECT_TRUE(c.http.metrics_require_auth);
  EXPECT_TRUE(c.http.token.empty());
  EXPECT_FALSE(parse_manager_config("agents: []\n", "m.yaml").http.metrics_require_auth);
  unsetenv("NP_TEST_ALICE_TOKEN");
}

TEST(ManagerConfigHttpPrincipals, ErrorsNameTheLineAndNeverTheToken) {
  const std::string head = "http:\n  principals:\n";
  // Duplicate names: the second entry's line, and the first's.
  auto e = http_error(head + "    - {name: a, role: viewer, token: \"first-token-0123456789\"}\n" +
                      "    - {name: a, role: admin, token: \"other-token-0123456789\"}\n");
  EXPECT_THAT(e, HasSubstr("m.yaml:4:"));
  EXPECT_THAT(e, HasSubstr("principal 'a' is listed twice (first at line 3)"));
  // Duplicate tokens: named by the principals, not by value.
  e = http_error(head + "    - {name: a, role: viewer, token: \"same-token-0123456789\"}\n" +
                 "    - {name: b, role: admin, token: \"same-token-0123456789\"}\n");
  EXPECT_THAT(e, HasSubstr("m.yaml:4:"));
  EXPECT_THAT(e, HasSubstr("'b' has the same token as principal 'a'"));
  EXPECT_THAT(e, ::testing::Not(HasSubstr("same-token")));
  // Short tokens.
  e = http_error(head + "    - {name: a, role: viewer, token: \"short-secret\"}\n");
  EXPECT_THAT(e, HasSubstr("at least 16"));
  EXPECT_THAT(e, ::testing::Not(HasSubstr("short-secret")));
  // A bad role, a missing role, name or token, an unknown key, a bad name.
  EXPECT_THAT(http_error(head + "    - {name: a, role: root, token: \"a-token-0123456789ab\"}\n"),
              HasSubstr("role 'root' of principal 'a' is none of viewer, operator, admin"));
  EXPECT_THAT(http_error(head + "    - {name: a, token: \"a-token-0123456789ab\"}\n"),
              HasSubstr("needs a 'role'"));
  EXPECT_THAT(http_error(head + "    - {role: admin, token: \"a-token-0123456789ab\"}\n"),
              HasSubstr("needs a 'name'"));
  EXPECT_THAT(http_error(head + "    - {name: a, role: admin}\n"), HasSubstr("needs a token"));
  EXPECT_THAT(http_error(head + "    - {name: a, role: admin, password: x}\n"),
              HasSubstr("password"));
  EXPECT_THAT(
      http_error(head + "    - {name: \"a b\", role: admin, token: \"a-token-0123456789\"}\n"),
      HasSubstr("letters, digits"));
  EXPECT_THAT(http_error("http:\n  principals: {name: a}\n"), HasSubstr("must be a list"));
  // The deprecated token is a principal named "token": its name and its value are taken.
  EXPECT_THAT(http_error("http:\n  token: \"legacy-token-0123456789\"\n  principals:\n"
                         "    - {name: token, role: viewer, token: \"other-token-0123456789\"}\n"),
              HasSubstr("listed twice"));
  EXPECT_THAT(http_error("http:\n  token: \"legacy-token-0123456789\"\n  principals:\n"
                         "    - {name: a, role: viewer, token: \"legacy-token-0123456789\"}\n"),
              HasSubstr("same token as the deprecated http.token"));
  // /metrics behind a token needs someone to hold one.
  EXPECT_THAT(http_error("http:\n  metrics_require_auth: true\n"), HasSubstr("needs principals"));
}

TEST(ManagerConfigHttpPrincipals, TheDeprecatedTokenWarns) {
  std::ostringstream log;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log);
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  auto c = parse_manager_config("http:\n  token: \"legacy-token-0123456789\"\n", "m.yaml");
  spdlog::set_default_logger(previous);
  EXPECT_EQ(c.http.token.reveal(), "legacy-token-0123456789");
  EXPECT_TRUE(c.http.principals.empty());
  EXPECT_THAT(log.str(), HasSubstr("m.yaml:2: http.token is deprecated"));
  EXPECT_THAT(log.str(), ::testing::Not(HasSubstr("legacy-token-0123456789")));
}

}  // namespace
}  // namespace netpower::manager::config

namespace netpower::manager::config {
namespace {

TEST(ManagerConfigHttpLimits, KeysDefaultsAndErrors) {
  const auto defaults = parse("agents: []\n").http.limits;
  EXPECT_EQ(defaults.max_connections, 256u);
  EXPECT_EQ(defaults.max_connections_per_client, 32u);
  EXPECT_EQ(defaults.reserved_connections, 16u);
  EXPECT_EQ(defaults.idle_timeout, std::chrono::seconds(15));
  auto c = parse(
      "http:\n  max_connections: 64\n  max_connections_per_client: 8\n"
      "  reserved_connections: 4\n  idle_timeout: 2s\n  header_timeout: 500ms\n"
      "  read_timeout: 5s\n  write_timeout: 6s\n  max_pipelined_requests: 4\n"
      "  max_requests_per_connection: 100\n");
  const auto& l = c.http.limits;
  EXPECT_EQ(l.max_connections, 64u);
  EXPECT_EQ(l.max_connections_per_client, 8u);
  EXPECT_EQ(l.reserved_connections, 4u);
  EXPECT_EQ(l.idle_timeout, std::chrono::seconds(2));
  EXPECT_EQ(l.header_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(l.read_timeout, std::chrono::seconds(5));
  EXPECT_EQ(l.write_timeout, std::chrono::seconds(6));
  EXPECT_EQ(l.max_pipelined_requests, 4u);
  EXPECT_EQ(l.max_requests_per_connection, 100u);
  expect_error("http:\n  max_connections: 8\n  reserved_connections: 8\n", 3,
               "must be fewer than 'max_connections'");
  expect_error("http:\n  max_connections: 8\n  max_connections_per_client: 9\n", 3,
               "must not exceed 'max_connections'");
  expect_error("http:\n  idle_timeout: 1ms\n", 2, "between 10ms and 1h");
  expect_error("http:\n  max_connections: 0\n", 2, "max_connections");
  // Defaults shrink with a small max_connections; only what is written must fit.
  const auto small = parse("http:\n  max_connections: 8\n").http.limits;
  EXPECT_EQ(small.max_connections_per_client, 8u);
  EXPECT_EQ(small.reserved_connections, 1u);
}

TEST(ManagerConfigStoreTimeouts, KeysReachTheConninfoBeforeTheUsersOwn) {
  const auto defaults = parse("agents: []\n").store;
  EXPECT_EQ(defaults.write_timeout, std::chrono::seconds(60));
  EXPECT_EQ(defaults.postgresql.statement_timeout, std::chrono::seconds(30));
  auto c = parse(
      "store:\n  backend: postgresql\n  write_timeout: 2s\n  postgresql:\n"
      "    conninfo: host=/run/pg dbname=np keepalives_idle=99\n    statement_timeout: 1500ms\n"
      "    keepalives_idle: 20s\n    keepalives_interval: 3s\n    keepalives_count: 4\n"
      "    tcp_user_timeout: 12s\n");
  EXPECT_EQ(c.store.write_timeout, std::chrono::seconds(2));
  EXPECT_EQ(c.store.postgresql.statement_timeout, std::chrono::milliseconds(1500));
  const auto info = c.store.postgresql.connection_string(std::chrono::seconds(5));
  EXPECT_THAT(info, HasSubstr("keepalives='1' keepalives_idle='20' keepalives_interval='3' "
                              "keepalives_count='4' tcp_user_timeout='12000' host=/run/pg"));
  // libpq takes the last value of a keyword: the conninfo's own comes after ours.
  EXPECT_LT(info.find("keepalives_idle='20'"), info.find("keepalives_idle=99"));
  expect_error("store:\n  write_timeout: 10ms\n", 2, "between 100ms and 1h");
  expect_error("store:\n  backend: postgresql\n  postgresql:\n    keepalives_count: 0\n", 4,
               "keepalives_count");
}

}  // namespace
}  // namespace netpower::manager::config
