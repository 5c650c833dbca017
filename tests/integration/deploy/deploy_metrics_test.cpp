// The shipped Grafana dashboard and Prometheus alert rules ask only for metrics that exist: every
// name in their PromQL is in a live scrape of a real netpower-manager polling a real agent (snmpd +
// netpower-agent with a simulated chain and UPS, traps from that snmpd), read with a bearer token
// as Prometheus does with metrics_require_auth.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "tests/integration/agent_process.h"
#include "tests/integration/deploy/metric_names.h"
#include "tests/support/manager/http_client.h"
#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/snmpd_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using json = nlohmann::json;
using ::testing::ElementsAre;
using namespace std::chrono_literals;

const std::string kDeploy = std::string(NETPOWER_SOURCE_DIR) + "/deploy";
constexpr const char* kTrapCommunity = "np-deploy-traps";
constexpr const char* kToken = "prometheus-token-0123456789abcdef";

json dashboard() {
  std::ifstream in(kDeploy + "/grafana/netpower-dashboard.json");
  return json::parse(in);
}

std::set<std::string> names_of(const std::set<std::string>& expressions) {
  std::set<std::string> names;
  for (const auto& e : expressions) names.merge(metric_names(e));
  return names;
}

// Sample names of an exposition (text format 0.0.4).
std::set<std::string> scraped_names(const std::string& body) {
  std::set<std::string> names;
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    names.insert(line.substr(0, line.find_first_of("{ ")));
  }
  return names;
}

TEST(DeployMetricNames, FindsTheNamesInPromql) {
  EXPECT_THAT(metric_names("netpower_agent_up == 0"), ElementsAre("netpower_agent_up"));
  EXPECT_THAT(metric_names("rate(netpower_traps_dropped_total[5m]) > 0"),
              ElementsAre("netpower_traps_dropped_total"));
  EXPECT_THAT(metric_names(R"(sum by (state) (netpower_poller_agents{site=~"$site"}))"),
              ElementsAre("netpower_poller_agents"));
  EXPECT_THAT(metric_names("label_values(netpower_build_info, job)"),
              ElementsAre("netpower_build_info"));
  EXPECT_THAT(metric_names("netpower_store_connected"), ElementsAre("netpower_store_connected"));
  EXPECT_THAT(metric_names("rate(process_cpu_seconds_total[5m])\n/ netpower_x_total"),
              ElementsAre("netpower_x_total", "process_cpu_seconds_total"));
  // Label values, strings and comments name nothing; other prefixes and suffixes are no match.
  EXPECT_THAT(metric_names(R"(up{job="netpower_manager"} # netpower_comment)"), ElementsAre());
  EXPECT_THAT(metric_names(R"(label_replace(up, "x", 'netpower_y', "", ""))"), ElementsAre());
  EXPECT_THAT(metric_names("my_netpower_agent_up + xnetpower_a"), ElementsAre());
  EXPECT_THAT(metric_names("netpower_a:rate5m{}"), ElementsAre("netpower_a:rate5m"));
}

TEST(DeployMetricNames, TheDashboardAndTheRulesHaveQueries) {
  auto d = dashboard();
  EXPECT_EQ(d["uid"], "netpower-fleet");
  EXPECT_FALSE(d["title"].get<std::string>().empty());
  std::set<std::string> variables;
  for (const auto& v : d["templating"]["list"]) variables.insert(v["name"]);
  EXPECT_TRUE(variables.count("agent") && variables.count("site")) << d["templating"].dump();
  std::set<int> ids;
  for (const auto& p : d["panels"]) EXPECT_TRUE(ids.insert(p["id"].get<int>()).second) << p["id"];
  auto dashboard_names = names_of(dashboard_expressions(d));
  EXPECT_GE(dashboard_names.size(), 30u);
  for (const char* family :
       {"netpower_agent_up", "netpower_agent_poll_duration_seconds",
        "netpower_agent_poll_failures_total", "netpower_port_load_amperes",
        "netpower_board_temperature_celsius", "netpower_board_input_load_amperes",
        "netpower_ups_battery_runtime_seconds", "netpower_ups_battery_charge_ratio",
        "netpower_ups_on_battery", "netpower_ups_input_voltage_volts",
        "netpower_ups_output_voltage_volts", "netpower_agent_traps_total",
        "netpower_store_queued_rows", "netpower_store_spool_rows"}) {
    EXPECT_TRUE(dashboard_names.count(family)) << family << " has no panel";
  }
  auto rule_names = names_of(rule_expressions(kDeploy + "/prometheus/netpower-alerts.yml"));
  for (const char* family :
       {"netpower_agent_up", "netpower_port_module_status", "netpower_ups_on_battery",
        "netpower_ups_battery_runtime_seconds", "netpower_traps_dropped_total",
        "netpower_store_connected", "netpower_store_spool_batches",
        "netpower_agent_poll_failures_total"}) {
    EXPECT_TRUE(rule_names.count(family)) << family << " has no alert";
  }
}

TEST(DeployMetricNames, EveryQueriedMetricIsInALiveScrape) {
  TempDir dir("np-deploy-metrics");
  const auto trap_port = free_udp_port();
  const auto http_port = free_tcp_port();

  SnmpdOptions snmpd_options;
  snmpd_options.extra_config = {"trap2sink udp:127.0.0.1:" + std::to_string(trap_port) + " " +
                                kTrapCommunity};
  SnmpdServer snmpd(snmpd_options);
  snmpd.start();
  AgentSetup setup;
  setup.boards = 2;
  setup.poll_interval = "100ms";
  setup.chain_yaml = "  ports:\n    A1: { name: \"core-router\", locked: true }\n";
  setup.ups_yaml =
      "ups:\n  driver: sim\n  poll_interval: 200ms\n  settings:\n"
      "    control_socket: @UPS_SOCKET@\n";
  AgentProcess agent(snmpd, setup);
  agent.start();

  auto config = dir.file("manager.yaml");
  std::ofstream(config)
      << "agents:\n  - name: rack-deploy\n    address: 127.0.0.1\n    port: " << snmpd.port()
      << "\n    version: 3\n    user: " << snmpd.v3_user() << "\n    auth_protocol: SHA\n"
      << "    auth_key: \"" << snmpd.v3_auth_password() << "\"\n    priv_protocol: AES\n"
      << "    priv_key: \"" << snmpd.v3_priv_password() << "\"\n    poll_interval: 500ms\n"
      << "    timeout: 200ms\n    labels: {site: lab, rack: r1}\n"
      << "poller:\n  spread_start: false\n"
      << "traps:\n  listen: 127.0.0.1\n  port: " << trap_port << "\n  communities:\n"
      << "    - community: " << kTrapCommunity << "\n  receive_buffer: 1MiB\n"
      << "store:\n  backend: sqlite\n  sqlite: {path: " << dir.file("manager.db").string()
      << "}\n  spool_dir: " << dir.file("spool").string() << "\n  flush_interval: 200ms\n"
      << "http:\n  address: 127.0.0.1\n  port: " << http_port << "\n  principals:\n"
      << "    - {name: prometheus, role: viewer, token: \"" << kToken << "\"}\n"
      << "  metrics_require_auth: true\n";
  Process manager({NETPOWER_MANAGER_BINARY, "--config", config.string()}, dir.file("manager.log"));
  const std::map<std::string, std::string> auth{{"Authorization", std::string("Bearer ") + kToken}};
  auto scrape = [&]() { return http_get(http_port, "/metrics", auth); };
  ASSERT_TRUE(wait_until([&]() { return !manager.running() || scrape().status == 200; }, 20s))
      << manager.log_text();
  ASSERT_TRUE(manager.running()) << manager.log_text();
  EXPECT_EQ(http_get(http_port, "/metrics").status, 401) << "metrics_require_auth";

  // Mains off: the UPS goes on battery and raises its alarm, and snmpd sends upsTrapOnBattery.
  collectors::sim::control_request(agent.ups_socket().string(), "mains off", 5s);
  std::set<std::string> live;
  const bool complete = wait_until(
      [&]() {
        auto r = scrape();
        live = scraped_names(r.body);
        return r.status == 200 && live.count("netpower_ups_alarm") &&
               live.count("netpower_port_load_amperes") &&
               live.count("netpower_agent_last_trap_timestamp_seconds");
      },
      30s);
  ASSERT_TRUE(complete) << manager.log_text();

  auto dashboard_names = names_of(dashboard_expressions(dashboard()));
  auto rule_names = names_of(rule_expressions(kDeploy + "/prometheus/netpower-alerts.yml"));
  for (const auto& name : dashboard_names) {
    EXPECT_TRUE(live.count(name)) << "the dashboard queries " << name
                                  << ", which /metrics does not have";
  }
  for (const auto& name : rule_names) {
    EXPECT_TRUE(live.count(name)) << "an alert rule queries " << name
                                  << ", which /metrics does not have";
  }
}

}  // namespace
}  // namespace netpower::testing
