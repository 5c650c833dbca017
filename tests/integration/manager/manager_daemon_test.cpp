// netpower-manager as a whole, against real parts: two real agents (snmpd + netpower-agent with a
// simulated chain and UPS), a dead address, a real PostgreSQL server (or SQLite), traps from the
// agents' snmpd, and the HTTP API and /metrics read over TCP. Nothing here is mocked.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <memory>
#include <regex>

#include "tests/integration/agent_process.h"
#include "tests/support/manager/http_client.h"
#include "tests/support/manager/postgres_server.h"
#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/snmp_cli.h"
#include "tests/support/snmpd_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kTrapCommunity = "np-test-traps";
const std::string kPortControl = "1.3.6.1.4.1.1718.2.1.4.1.4";  // sentry2PortControlStatus
const std::string kPortAction = "1.3.6.1.4.1.1718.2.1.4.1.2";   // sentry2PortPowerAction

// One real agent: its snmpd (which sends traps to the manager) and netpower-agent.
struct RealAgent {
  std::unique_ptr<SnmpdServer> snmpd;
  std::unique_ptr<AgentProcess> agent;
};

class ManagerDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    trap_port_ = free_udp_port();
    http_port_ = free_tcp_port();
  }
  void TearDown() override {
    if (HasFailure() && manager_) std::cerr << "manager log:\n" << manager_->log_text() << "\n";
  }

  RealAgent start_agent(int boards, bool ups, AgentSetup extra = {}) {
    RealAgent a;
    SnmpdOptions options;
    options.extra_config = {"trap2sink udp:127.0.0.1:" + std::to_string(trap_port_) + " " +
                            kTrapCommunity};
    a.snmpd = std::make_unique<SnmpdServer>(options);
    a.snmpd->start();
    AgentSetup setup = std::move(extra);
    setup.boards = boards;
    setup.poll_interval = "100ms";
    if (ups)
      setup.ups_yaml =
          "ups:\n  driver: sim\n  poll_interval: 200ms\n  settings:\n"
          "    control_socket: @UPS_SOCKET@\n";
    a.agent = std::make_unique<AgentProcess>(*a.snmpd, setup);
    a.agent->start();
    return a;
  }

  static std::string v3_agent(const std::string& name, const SnmpdServer& snmpd,
                              const std::string& auth_key, const std::string& interval) {
    return "  - name: " + name +
           "\n    address: 127.0.0.1\n    port: " + std::to_string(snmpd.port()) +
           "\n    version: 3\n    user: " + snmpd.v3_user() +
           "\n    auth_protocol: SHA\n    auth_key: \"" + auth_key +
           "\"\n    priv_protocol: AES\n    priv_key: \"" + snmpd.v3_priv_password() +
           "\"\n    poll_interval: " + interval +
           "\n    timeout: 200ms\n    retries: 1\n    labels: {site: lab, rack: r1}\n";
  }
  static std::string v2c_agent(const std::string& name, std::uint16_t port,
                               const std::string& community, const std::string& interval) {
    return "  - name: " + name + "\n    address: 127.0.0.1\n    port: " + std::to_string(port) +
           "\n    version: 2c\n    community: \"" + community +
           "\"\n    poll_interval: " + interval + "\n    timeout: 200ms\n    retries: 1\n";
  }

  std::string common_config(const std::string& store) const {
    return "poller:\n  spread_start: false\n  max_backoff: 2s\n"
           "traps:\n  listen: 127.0.0.1\n  port: " +
           std::to_string(trap_port_) + "\n  communities:\n    - community: " + kTrapCommunity +
           "\n  receive_buffer: 1MiB\n"
           "http:\n  address: 127.0.0.1\n  port: " +
           std::to_string(http_port_) + "\n" + store;
  }
  std::string sqlite_store() const {
    return "store:\n  backend: sqlite\n  sqlite: {path: " + dir_.file("manager.db").string() +
           "}\n  spool_dir: " + dir_.file("spool").string() + "\n  flush_interval: 200ms\n";
  }

  void start_manager(const std::string& agents_yaml, const std::string& store) {
    auto path = dir_.file("manager.yaml");
    std::ofstream(path) << "log:\n  level: debug\nagents:\n" << agents_yaml << common_config(store);
    manager_ = std::make_unique<Process>(
        std::vector<std::string>{NETPOWER_MANAGER_BINARY, "--config", path.string()},
        dir_.file("manager.log"));
    ASSERT_TRUE(wait_until(
        [&]() { return !manager_->running() || http_get(http_port_, "/healthz").status == 200; },
        20s))
        << manager_->log_text();
    ASSERT_TRUE(manager_->running()) << manager_->log_text();
  }

  json status() {
    auto r = http_get(http_port_, "/api/v1/status");
    EXPECT_EQ(r.status, 200) << r.error << r.body;
    return r.status == 200 ? json::parse(r.body) : json::object();
  }
  json agent_json(const std::string& name) {
    auto s = status();
    for (const auto& a : s.value("agents", json::array())) {
      if (a["name"] == name) return a;
    }
    return json::object();
  }
  static const json* port_of(const json& agent, const std::string& id) {
    for (const auto& p : agent["ports"]) {
      if (p["id"] == id) return &p;
    }
    return nullptr;
  }
  std::uint64_t polls(const std::string& name) {
    auto a = agent_json(name);
    return a.is_object() && a.contains("polls_total") ? a["polls_total"].get<std::uint64_t>() : 0;
  }

  TempDir dir_{"np-mgr-daemon"};
  std::uint16_t trap_port_ = 0;
  std::uint16_t http_port_ = 0;
  ProcessPtr manager_;
};

TEST_F(ManagerDaemonTest, PollsRealAgentsIntoPostgresqlAndServesTheirState) {
  PostgresOptions pg_options;
  pg_options.password = "pw-Daemon-1618";
  PostgresServer pg(pg_options);
  pg.start();
  pg.create_database("netpower");
  auto a = start_agent(4, /*ups=*/true);
  auto b = start_agent(2, /*ups=*/false);
  auto dead_port = free_udp_port();
  // Three simulated agents: the benchmark's agent farm serving a walk recorded from our agent.
  std::uint16_t farm_port = 0;
  ProcessPtr farm;
  for (int attempt = 0; attempt < 5 && !farm; ++attempt) {
    farm_port = static_cast<std::uint16_t>(free_udp_port() & 0xfff0);
    if (farm_port < 1024) continue;
    farm = std::make_unique<Process>(
        std::vector<std::string>{NETPOWER_AGENT_FARM_BINARY, "--agents", "3", "--base-port",
                                 std::to_string(farm_port), "--recording",
                                 NETPOWER_AGENT_FARM_RECORDING},
        dir_.file("farm.log"));
    if (!wait_until([&]() { return farm->log_text().find("ready") != std::string::npos; }, 10s)) {
      farm.reset();
    }
  }
  ASSERT_TRUE(farm) << "the agent farm did not start";
  std::string simulated;
  for (int i = 0; i < 3; ++i) {
    simulated += v2c_agent("farm-" + std::to_string(i), static_cast<std::uint16_t>(farm_port + i),
                           "np-farm", "500ms");
  }
  std::string store =
      "store:\n  backend: postgresql\n  postgresql:\n    host: 127.0.0.1\n"
      "    port: " +
      std::to_string(pg.port()) +
      "\n    dbname: netpower\n"
      "    user: " +
      pg.superuser() + "\n    password: \"" + pg.password() +
      "\"\n  spool_dir: " + dir_.file("spool").string() + "\n  flush_interval: 200ms\n";
  start_manager(v3_agent("rack-a", *a.snmpd, a.snmpd->v3_auth_password(), "500ms") +
                    v2c_agent("rack-b", b.snmpd->port(), b.snmpd->read_community(), "500ms") +
                    v2c_agent("rack-dead", dead_port, "np-nobody", "500ms") + simulated,
                store);

  ASSERT_TRUE(wait_until([&]() { return polls("rack-a") >= 3 && polls("rack-b") >= 3; }, 30s));
  auto ra = agent_json("rack-a");
  EXPECT_EQ(ra["reachability"], "up");
  EXPECT_EQ(ra["labels"]["site"], "lab");
  EXPECT_EQ(ra["ports"].size(), 16u);
  EXPECT_EQ(ra["boards"].size(), 4u);
  ASSERT_TRUE(ra["ups"].is_object()) << ra.dump();
  EXPECT_TRUE(ra["ups"]["values"].contains("battery.charge")) << ra["ups"].dump();
  EXPECT_EQ(agent_json("rack-b")["ports"].size(), 8u);
  for (int i = 0; i < 3; ++i) {
    auto name = "farm-" + std::to_string(i);
    ASSERT_TRUE(wait_until([&]() { return polls(name) >= 2; }, 20s)) << name;
    auto farm_agent = agent_json(name);
    EXPECT_EQ(farm_agent["reachability"], "up") << name;
    EXPECT_EQ(farm_agent["ports"].size(), 16u) << name << ": the recorded chain has 4 boards";
  }
  // The dead agent is down, and while it timed out the others kept their schedule.
  ASSERT_TRUE(wait_until([&]() { return agent_json("rack-dead")["reachability"] == "down"; }, 20s));
  auto before = polls("rack-a");
  ASSERT_TRUE(wait_until([&]() { return polls("rack-a") >= before + 3; }, 20s))
      << "the live agent's polls go on beside a dead one";
  EXPECT_THAT(agent_json("rack-dead")["last_error"].get<std::string>(), HasSubstr("no response"));

  // Samples and up/down events in PostgreSQL.
  ASSERT_TRUE(wait_until(
      [&]() {
        return std::stoll(
                   pg.scalar("netpower",
                             "SELECT count(*) FROM samples WHERE agent = 'rack-a' AND "
                             "kind = 'port' AND key = 'A1' AND metric = 'outlet.current'")) >= 3;
      },
      20s));
  EXPECT_GE(std::stoll(pg.scalar("netpower",
                                 "SELECT count(*) FROM samples WHERE agent = 'rack-a' AND "
                                 "kind = 'ups' AND metric = 'battery.charge'")),
            1);
  ASSERT_TRUE(wait_until(
      [&]() {
        return pg.scalar("netpower",
                         "SELECT count(*) FROM events WHERE agent = 'rack-dead' AND kind = "
                         "'down'") == "1";
      },
      20s));
  EXPECT_EQ(
      pg.scalar("netpower", "SELECT count(*) FROM events WHERE agent = 'rack-a' AND kind = 'up'"),
      "1");

  // The same history through the API, read by the store's reader from PostgreSQL: one port's
  // load (by its id, then by its device name), and the events page.
  ASSERT_TRUE(wait_until(
      [&]() {
        auto r =
            http_get(http_port_, "/api/v1/agents/rack-a/ports/A1/history?metric=outlet.current");
        return r.status == 200 && json::parse(r.body)["points"].size() >= 3;
      },
      20s));
  {
    // A1 gets a device name (NETPOWER-MIB netpowerPortName) and the next polls carry it.
    auto named = a.snmpd->cli_v3().set("1.3.6.1.4.1.32473.1.1.3.1.2.65.49", 's', "web-a1");
    ASSERT_TRUE(named.ok()) << named.describe();
    ASSERT_TRUE(wait_until(
        [&]() {
          const auto agent = agent_json("rack-a");
          const auto* p = port_of(agent, "A1");
          return p != nullptr && p->at("name") == "web-a1";
        },
        20s));
    auto by_name = http_get(http_port_, "/api/v1/agents/rack-a/ports/web-a1/history");
    ASSERT_EQ(by_name.status, 200) << by_name.body;
    EXPECT_EQ(json::parse(by_name.body)["port"]["id"], "A1");
    EXPECT_GE(json::parse(by_name.body)["points"].size(), 3u);
    auto down = http_get(http_port_, "/api/v1/events?agent=rack-dead&kind=down");
    ASSERT_EQ(down.status, 200) << down.body;
    ASSERT_EQ(json::parse(down.body)["events"].size(), 1u) << down.body;
    EXPECT_EQ(http_get(http_port_, "/api/v1/agents/rack-a/ports/Q9/history").status, 404);
  }

  // /metrics is what Prometheus accepts.
  auto metrics = http_get(http_port_, "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("agent=\"rack-a\""));
  auto file = dir_.file("metrics.txt");
  std::ofstream(file) << metrics.body;
  auto promtool =
      run_command({"bash", "-c", "promtool check metrics < '" + file.string() + "'"}, 60s);
  EXPECT_EQ(promtool.exit_code(), 0) << promtool.out << promtool.err;
  EXPECT_EQ(promtool.out + promtool.err, "") << "promtool reports nothing";
}

TEST_F(ManagerDaemonTest, ATrapUpdatesThePortBeforeTheNextPollAndBecomesAnEvent) {
  // A1 draws 5 A against a 2 A limit: the agent's load trap repeats every second.
  auto a = start_agent(2, /*ups=*/false,
                       {.chain_yaml = "  ports:\n    A1: { load_high: 2, traps: { load: true } }\n",
                        .sim_yaml = "    appliances:\n      A1: { load: 5 }\n",
                        .extra_yaml = "traps:\n  period: 1s\n"});
  // A poll interval far beyond the test: only the first poll happens.
  start_manager(v3_agent("rack-a", *a.snmpd, a.snmpd->v3_auth_password(), "1h"), sqlite_store());
  ASSERT_TRUE(wait_until([&]() { return polls("rack-a") == 1; }, 20s));
  auto first = agent_json("rack-a");
  ASSERT_NE(port_of(first, "B2"), nullptr) << first.dump(2);
  ASSERT_EQ(port_of(first, "B2")->at("control"), "On");

  auto cli = a.snmpd->cli_v3();
  auto r = cli.set(kPortAction + ".66.50", 'i', "1");  // B2 powerOff
  ASSERT_TRUE(r.ok()) << r.describe();
  ASSERT_TRUE(wait_until(
      [&]() {
        auto agent = agent_json("rack-a");
        const auto* p = port_of(agent, "B2");
        return p != nullptr && p->at("control") == "Off";
      },
      20s))
      << agent_json("rack-a").dump(2);
  EXPECT_EQ(polls("rack-a"), 1u) << "no poll happened in between: the trap did it";
  auto ra = agent_json("rack-a");
  EXPECT_GE(ra["traps_total"].get<int>(), 1);

  // The API's events come from the store: the trap is there once the writer committed it.
  std::string last_events;
  EXPECT_TRUE(wait_until(
      [&]() {
        auto events = http_get(
            http_port_, "/api/v1/events?agent=rack-a&kind=trap&oid=1.3.6.1.4.1.1718.2.100.0.5");
        if (events.status != 200) return false;
        last_events = events.body;
        const auto parsed = json::parse(events.body);
        for (const auto& e : parsed["events"]) {
          if (e["kind"] == "trap" && e["oid"] == "1.3.6.1.4.1.1718.2.100.0.5") return true;
        }
        return false;
      },
      20s))
      << last_events;
  // The load trap is also kept as a threshold crossing.
  ASSERT_TRUE(wait_until(
      [&]() {
        auto r = http_get(http_port_, "/api/v1/events?limit=200&agent=rack-a");
        return r.status == 200 &&
               r.body.find("port A1 device load above its high limit: 5.00A") != std::string::npos;
      },
      20s));

  // Stopped cleanly, the trap is in the SQLite history.
  manager_->terminate(20s);
  auto count = run_command({"sqlite3", dir_.file("manager.db").string(),
                            "SELECT count(*) FROM events WHERE kind = 'trap' AND oid = "
                            "'1.3.6.1.4.1.1718.2.100.0.5'"},
                           30s);
  EXPECT_EQ(count.exit_code(), 0) << count.err;
  EXPECT_GE(std::stoi(count.out.empty() ? "0" : count.out), 1) << count.out;
}

TEST_F(ManagerDaemonTest, AWrongAuthKeyIsReportedClearly) {
  auto a = start_agent(1, /*ups=*/false);
  start_manager(v3_agent("rack-a", *a.snmpd, "not-the-auth-key", "500ms"), sqlite_store());
  ASSERT_TRUE(wait_until([&]() { return agent_json("rack-a")["reachability"] == "down"; }, 20s));
  auto ra = agent_json("rack-a");
  EXPECT_THAT(ra["last_error"].get<std::string>(), HasSubstr("wrong auth key")) << ra.dump();
  EXPECT_THAT(manager_->log_text(), HasSubstr("wrong auth key"));
  EXPECT_THAT(manager_->log_text(), ::testing::Not(HasSubstr("not-the-auth-key")))
      << "the key itself is never logged";
}

TEST_F(ManagerDaemonTest, EverySampleOfAPostgresqlOutageArrives) {
  PostgresOptions pg_options;
  pg_options.password = "pw-Daemon-1618";
  PostgresServer pg(pg_options);
  pg.start();
  pg.create_database("netpower");
  auto a = start_agent(1, /*ups=*/false);
  std::string store =
      "store:\n  backend: postgresql\n  postgresql:\n    host: 127.0.0.1\n"
      "    port: " +
      std::to_string(pg.port()) +
      "\n    dbname: netpower\n"
      "    user: " +
      pg.superuser() + "\n    password: \"" + pg.password() +
      "\"\n  spool_dir: " + dir_.file("spool").string() +
      "\n  flush_interval: 100ms\n  reconnect_min: 100ms\n  reconnect_max: 500ms\n";
  start_manager(v3_agent("rack-a", *a.snmpd, a.snmpd->v3_auth_password(), "500ms"), store);
  auto stored_polls = [&]() -> long long {
    try {
      return std::stoll(pg.scalar("netpower",
                                  "SELECT count(*) FROM samples WHERE agent = 'rack-a' AND "
                                  "metric = 'poll.duration'"));
    } catch (const std::exception&) {
      return -1;  // before the manager's migration created the table
    }
  };
  ASSERT_TRUE(wait_until([&]() { return stored_polls() >= 5; }, 20s));
  pg.stop();
  auto during = polls("rack-a");
  ASSERT_TRUE(wait_until([&]() { return polls("rack-a") >= during + 20; }, 30s))
      << "polling goes on while the database is away";
  pg.start();
  ASSERT_TRUE(wait_until([&]() { return polls("rack-a") >= during + 30; }, 30s));
  manager_->terminate(30s);
  // The manager logs its poll count at stop; every one of them has its sample.
  std::smatch m;
  auto log = manager_->log_text();
  ASSERT_TRUE(std::regex_search(log, m, std::regex("poller stopped: (\\d+) polls"))) << log;
  EXPECT_EQ(stored_polls(), std::stoll(m[1].str()));
  EXPECT_EQ(pg.scalar("netpower",
                      "SELECT count(*) FROM (SELECT time FROM samples WHERE agent = 'rack-a' AND "
                      "metric = 'poll.duration' GROUP BY time HAVING count(*) > 1) d"),
            "0")
      << "and none twice";
}

}  // namespace
}  // namespace netpower::testing
