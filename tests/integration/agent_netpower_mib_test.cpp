// The NETPOWER-MIB end to end: settings written with snmpset through a real snmpd, read back
// through both MIBs, applied at once, kept across an agent restart, and the outlet rules seen
// from the network (locks, shutdown delay, holds, groups, wake-up state).

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "tests/integration/agent_process.h"
#include "tests/support/snmpd_server.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using namespace std::chrono_literals;

const std::string kSentry2 = "1.3.6.1.4.1.1718.2";
const std::string kNp = "1.3.6.1.4.1.32473.1.1";

// Indexes computed here, independently of the agent: port "A1" = .65.49, board "B" = .66, user
// "admin" = .5.97.100.109.105.110.
std::string port_suffix(const std::string& port) {
  return std::to_string(static_cast<int>(port[0])) + "." +
         std::to_string(static_cast<int>(port[1]));
}
std::string user_suffix(const std::string& user) {
  std::string s = std::to_string(user.size());
  for (char c : user) s += "." + std::to_string(static_cast<int>(c));
  return s;
}
std::string np_port(int column, const std::string& port) {
  return kNp + ".3.1." + std::to_string(column) + "." + port_suffix(port);
}
std::string np_board(int column, char board) {
  return kNp + ".2.1." + std::to_string(column) + "." + std::to_string(static_cast<int>(board));
}
std::string np_group(int column, const std::string& user) {
  return kNp + ".4.1." + std::to_string(column) + "." + user_suffix(user);
}
std::string s2_port(int column, const std::string& port) {
  return kSentry2 + ".1.4.1." + std::to_string(column) + "." + port_suffix(port);
}
const std::string kLocation = kNp + ".1.1.0";
const std::string kFactoryReset = kNp + ".1.2.0";
const std::string kSaves = kNp + ".1.3.0";

const char* kChain =
    "  location: \"Lab rack 7\"\n"
    "  ports:\n"
    "    A1: { name: \"core-router\", group: web }\n"
    "    A2: { name: \"web1\", group: web }\n"
    "    B1: { name: \"web2\", group: web }\n";

class AgentNetpowerMibTest : public ::testing::Test {
 protected:
  void start(AgentSetup setup) {
    snmpd_ = std::make_unique<SnmpdServer>();
    snmpd_->start();
    agent_ = std::make_unique<AgentProcess>(*snmpd_, std::move(setup));
    agent_->start();
    cli_ = std::make_unique<SnmpCli>(snmpd_->cli_v3());
  }
  void TearDown() override {
    if (HasFailure() && agent_) std::cerr << "agent log:\n" << agent_->log_text() << "\n";
  }
  std::string get(const std::string& oid) {
    auto r = cli_->get({oid});
    EXPECT_TRUE(r.ok()) << r.describe();
    return r.varbinds.empty() ? "" : r.varbinds[0].value;
  }
  void set_ok(const std::vector<SetValue>& values) {
    auto r = cli_->set(values);
    ASSERT_TRUE(r.ok()) << r.describe();
  }
  std::string set_error(const std::vector<SetValue>& values) { return cli_->set(values).error; }
  nlohmann::json sim_port(const std::string& port) {
    auto state = agent_->sim().state();
    int board = port[0] - 'A';
    int number = port[1] - '1';
    return state["boards"][board]["ports"][number];
  }
  void restart_agent() {
    agent_->process().terminate();
    agent_->start();
  }

  std::unique_ptr<SnmpdServer> snmpd_;
  std::unique_ptr<AgentProcess> agent_;
  std::unique_ptr<SnmpCli> cli_;
};

TEST_F(AgentNetpowerMibTest, SettingsWrittenBySnmpsetAreReadBackAppliedAndSurviveARestart) {
  start({.boards = 2, .chain_yaml = kChain});
  EXPECT_EQ(get(kLocation), "Lab rack 7");
  EXPECT_EQ(get(np_port(2, "A1")), "core-router");
  EXPECT_EQ(get(np_port(3, "A2")), "web");
  EXPECT_EQ(get(np_port(9, "B2")), "4") << "the patent's default load high limit";
  EXPECT_EQ(get(np_board(3, 'A')), "50");

  set_ok({{kLocation, 's', "Row C, rack 12"},
          {np_port(2, "A2"), 's', "web1-new"},
          {np_port(5, "B2"), 'i', "20"},
          {np_port(7, "B2"), 'i', "2"},
          {np_port(9, "B1"), 'i', "10"},
          {np_port(10, "B1"), 'i', "8"},  // alone, 8 >= the current high 4 would be refused
          {np_board(3, 'B'), 'i', "45"},
          {np_board(8, 'B'), 'i', "2"}});
  // Applied at once, and visible through the Sentry2-MIB too.
  EXPECT_EQ(get(kSentry2 + ".1.1.0"), "Row C, rack 12");
  EXPECT_EQ(get(s2_port(3, "A2")), "web1-new");
  EXPECT_EQ(get(np_port(5, "B2")), "20");
  EXPECT_EQ(get(np_port(10, "B1")), "8");
  EXPECT_EQ(get(np_board(8, 'B')), "2");
  EXPECT_EQ(get(kSaves), "1") << "one request, one save";

  std::ifstream saved(agent_->settings_file());
  std::stringstream text;
  text << saved.rdbuf();
  EXPECT_NE(text.str().find("Row C, rack 12"), std::string::npos) << text.str();
  EXPECT_EQ(text.str().find("core-router"), std::string::npos)
      << "only differences from the configuration file are saved:\n"
      << text.str();

  restart_agent();
  EXPECT_EQ(get(kLocation), "Row C, rack 12");
  EXPECT_EQ(get(s2_port(3, "A2")), "web1-new");
  EXPECT_EQ(get(np_port(2, "A1")), "core-router");
  EXPECT_EQ(get(np_port(5, "B2")), "20");
  EXPECT_EQ(get(np_port(7, "B2")), "2");
  EXPECT_EQ(get(np_port(9, "B1")), "10");
  EXPECT_EQ(get(np_board(3, 'B')), "45");
}

TEST_F(AgentNetpowerMibTest, BadValuesGetTheRightSnmpErrorsAndChangeNothing) {
  start({.boards = 2, .chain_yaml = kChain});
  EXPECT_EQ(set_error({{np_board(3, 'A'), 'i', "126"}}), "wrongValue");
  EXPECT_EQ(set_error({{np_board(4, 'A'), 'i', "0"}}), "wrongValue");
  EXPECT_EQ(set_error({{np_port(9, "A1"), 'i', "61"}}), "wrongValue");
  EXPECT_EQ(set_error({{np_port(6, "A1"), 'i', "481"}}), "wrongValue");
  EXPECT_EQ(set_error({{np_port(8, "A1"), 'i', "3"}}), "wrongValue");
  EXPECT_EQ(set_error({{kLocation, 's', std::string(33, 'x')}}), "wrongLength");
  EXPECT_EQ(set_error({{np_port(3, "A1"), 's', "ALL"}}), "wrongValue");
  EXPECT_EQ(set_error({{np_port(4, "A1"), 's', "10"}}), "wrongType");
  EXPECT_EQ(set_error({{np_port(2, "C1"), 's', "x"}}), "noCreation") << "not in the chain";
  EXPECT_EQ(set_error({{kSaves, 'i', "1"}}), "notWritable");
  // A low limit at or above the high one: inconsistentValue, and no varbind of it is applied.
  EXPECT_EQ(set_error({{kLocation, 's', "must not stick"}, {np_port(10, "A1"), 'i', "4"}}),
            "inconsistentValue");
  EXPECT_EQ(get(kLocation), "Lab rack 7");
  EXPECT_EQ(get(np_port(10, "A1")), "1");
  EXPECT_EQ(get(kSaves), "0");
}

TEST_F(AgentNetpowerMibTest, ALockedPortRefusesThePowerActionAndTheErrorGroupSaysSo) {
  start({.boards = 2, .chain_yaml = kChain});
  set_ok({{np_port(8, "A2"), 'i', "1"}});
  auto r = cli_->set(s2_port(2, "A2"), 'i', "1");
  EXPECT_EQ(r.error, "inconsistentValue") << r.describe();
  EXPECT_EQ(get(kSentry2 + ".2.2.0"), "410");
  EXPECT_TRUE(sim_port("A2")["relay_on"].get<bool>());
  EXPECT_EQ(get(s2_port(4, "A2")), "On");
  set_ok({{np_port(8, "A2"), 'i', "2"}});
  set_ok({{s2_port(2, "A2"), 'i', "1"}});
  EXPECT_FALSE(sim_port("A2")["relay_on"].get<bool>());
}

TEST_F(AgentNetpowerMibTest, GroupActionActsOnEachMemberAndCountsTheLockedOnes) {
  start({.boards = 2, .chain_yaml = kChain});
  set_ok({{np_port(8, "B1"), 'i', "1"}});
  set_ok({{np_group(2, "admin"), 's', "WEB"}, {np_group(3, "admin"), 'i', "1"}});
  EXPECT_EQ(get(np_group(4, "admin")), "2");
  EXPECT_EQ(get(np_group(5, "admin")), "1");
  EXPECT_EQ(get(np_group(6, "admin")), "0");
  EXPECT_EQ(get(np_group(8, "admin")), "2 port(s) turned off, 1 port(s) locked");
  EXPECT_EQ(get(np_group(2, "admin")), "WEB");
  EXPECT_EQ(get(np_group(3, "admin")), "1");
  EXPECT_FALSE(sim_port("A1")["relay_on"].get<bool>());
  EXPECT_FALSE(sim_port("A2")["relay_on"].get<bool>());
  EXPECT_TRUE(sim_port("B1")["relay_on"].get<bool>());
  EXPECT_TRUE(sim_port("A3")["relay_on"].get<bool>());

  EXPECT_EQ(set_error({{np_group(2, "admin"), 's', "nosuch"}, {np_group(3, "admin"), 'i', "2"}}),
            "inconsistentValue");
  EXPECT_EQ(get(np_group(2, "admin")), "WEB") << "a refused request changes nothing";
  set_ok({{np_group(2, "admin"), 's', "ALL"}, {np_group(3, "admin"), 'i', "2"}});
  EXPECT_EQ(get(np_group(8, "admin")), "7 port(s) turned on, 1 port(s) locked");
  EXPECT_TRUE(sim_port("A1")["relay_on"].get<bool>());
}

TEST_F(AgentNetpowerMibTest, HoldsAndTheShutdownDelayShowInTheControlStatus) {
  start({.boards = 2, .chain_yaml = kChain});
  // A shutdown delay: the signal first, the power later; a powerOn cancels it.
  set_ok({{np_port(6, "A3"), 'i', "480"}});
  set_ok({{s2_port(2, "A3"), 'i', "1"}});
  EXPECT_EQ(get(s2_port(4, "A3")), "Shutdown");
  EXPECT_TRUE(sim_port("A3")["shutdown_signal"].get<bool>());
  EXPECT_TRUE(sim_port("A3")["relay_on"].get<bool>());
  set_ok({{s2_port(2, "A3"), 'i', "2"}});
  EXPECT_EQ(get(s2_port(4, "A3")), "On");
  EXPECT_FALSE(sim_port("A3")["shutdown_signal"].get<bool>());

  // A minimum-on time: off and on again, then an off within the hold is deferred.
  set_ok({{np_port(4, "A4"), 'i', "3600"}});
  set_ok({{s2_port(2, "A4"), 'i', "1"}});
  set_ok({{s2_port(2, "A4"), 'i', "2"}});
  set_ok({{s2_port(2, "A4"), 'i', "1"}});
  EXPECT_EQ(get(s2_port(4, "A4")), "Pend Off");
  EXPECT_TRUE(sim_port("A4")["relay_on"].get<bool>());
  EXPECT_NE(agent_->log_text().find("held by the minimum-on time"), std::string::npos);
}

TEST_F(AgentNetpowerMibTest, FactoryResetReturnsToTheConfigurationFile) {
  start({.boards = 2, .chain_yaml = kChain});
  set_ok({{kLocation, 's', "changed"}, {np_port(2, "A1"), 's', "renamed"}});
  set_ok({{kFactoryReset, 'i', "2"}});
  EXPECT_EQ(get(kLocation), "Lab rack 7");
  EXPECT_EQ(get(np_port(2, "A1")), "core-router");
  EXPECT_EQ(get(kFactoryReset), "1");
  restart_agent();
  EXPECT_EQ(get(kLocation), "Lab rack 7");
}

TEST_F(AgentNetpowerMibTest, WakeUpStatesApplyAfterAControllerPowerLoss) {
  start({.boards = 2,
         .chain_yaml = "  ports:\n    A2: { wake_up: off }\n    B1: { wake_up: off }\n",
         .sim_yaml = "    cold_start: true\n"});
  // The agent started after a power loss: wake-up states at once.
  EXPECT_TRUE(wait_until([&]() { return sim_port("A1")["relay_on"].get<bool>(); }, 10s));
  EXPECT_FALSE(sim_port("A2")["relay_on"].get<bool>());
  EXPECT_FALSE(sim_port("B1")["relay_on"].get<bool>());
  EXPECT_EQ(get(s2_port(4, "A2")), "Off");
  // Board A loses power while the agent runs; A2 is switched on first to see it go back off.
  set_ok({{s2_port(2, "A2"), 'i', "2"}});
  agent_->sim().must("power-loss A");
  EXPECT_TRUE(wait_until(
      [&]() {
        auto a1 = sim_port("A1"), a2 = sim_port("A2");
        return a1["relay_on"].get<bool>() && !a2["relay_on"].get<bool>() &&
               !agent_->sim().state()["boards"][0]["powered_up"].get<bool>();
      },
      10s));
  EXPECT_EQ(get(s2_port(4, "A2")), "Off");
  EXPECT_FALSE(sim_port("B1")["relay_on"].get<bool>()) << "board B kept its power and state";
}

}  // namespace
}  // namespace netpower::testing
