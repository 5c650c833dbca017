// A UPS behind Network UPS Tools end to end: a real upsd with NUT's dummy-ups and clone drivers,
// the real netpower-agent with the nut driver, a real snmpd master, the net-snmp tools as NMS.

#include <gtest/gtest.h>

#include "tests/integration/agent_process.h"
#include "tests/integration/nut/upsd_server.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using namespace std::chrono_literals;

const std::string kUps = "1.3.6.1.2.1.33.1.";
const std::string kAlarms = "1.3.6.1.2.1.33.1.6.3.";

class AgentNutTest : public ::testing::Test {
 protected:
  void start(const std::string& ups_name) {
    upsd_.start();
    snmpd_ = std::make_unique<SnmpdServer>();
    snmpd_->start();
    AgentSetup setup;
    setup.pdu = false;
    setup.ups_yaml =
        "ups:\n"
        "  driver: nut\n"
        "  poll_interval: 200ms\n"
        "  settings:\n"
        "    port: " +
        std::to_string(upsd_.port()) +
        "\n"
        "    ups: " +
        ups_name +
        "\n"
        "    username: " +
        upsd_.user() +
        "\n"
        "    password_env: NP_TEST_NUT_PASSWORD\n"
        "    poll_interval: 200ms\n";
    ::setenv("NP_TEST_NUT_PASSWORD", upsd_.password().c_str(), 1);
    agent_ = std::make_unique<AgentProcess>(*snmpd_, setup);
    agent_->start();
    cli_ = std::make_unique<SnmpCli>(snmpd_->cli_v3());
    ASSERT_TRUE(wait_until([&]() { return get("1.2.0") == "Dummy 1500"; }, 10s))
        << agent_->log_text() << upsd_.log_text();
  }
  std::string get(const std::string& suffix) {
    auto r = cli_->get({kUps + suffix});
    return r.ok() ? r.varbinds.at(0).value : "error " + r.error;
  }
  bool has_alarm(const std::string& arc) {
    for (const auto& vb : cli_->walk(kUps + "6.2.1.2").varbinds) {
      if (vb.value == kAlarms + arc) return true;
    }
    return false;
  }

  UpsdServer upsd_;
  std::unique_ptr<SnmpdServer> snmpd_;
  std::unique_ptr<AgentProcess> agent_;
  std::unique_ptr<SnmpCli> cli_;
};

TEST_F(AgentNutTest, DummyUpsValuesAndAChangeShowInTheUpsMib) {
  start(upsd_.ups());
  EXPECT_EQ(get("1.1.0"), "netpower");
  EXPECT_EQ(get("2.4.0"), "100");
  EXPECT_EQ(get("2.3.0"), "60");   // 3600 s
  EXPECT_EQ(get("2.5.0"), "271");  // 27.1 V in 0.1 V
  EXPECT_EQ(get("3.3.1.3.1"), "230");
  EXPECT_EQ(get("4.4.1.5.1"), "23");
  EXPECT_EQ(get("4.1.0"), "3");
  upsd_.update_vars({{"ups.status", "OB DISCHRG"}, {"input.voltage", "0.0"}});
  EXPECT_TRUE(wait_until([&]() { return get("4.1.0") == "5"; }, 10s)) << agent_->log_text();
  EXPECT_TRUE(has_alarm("2"));
  EXPECT_EQ(get("3.1.0"), "1");
}

TEST_F(AgentNutTest, ShutdownCountedByTheAgentReachesTheUpsAsATrackedCommand) {
  // NUT's clone driver implements shutdown.stayoff for real; with a long offdelay it only raises
  // FSD, which the agent shows as upsAlarmShutdownImminent.
  start(upsd_.clone_ups());
  ASSERT_TRUE(cli_->set(kUps + "8.2.0", 'i', "8").ok());
  EXPECT_TRUE(has_alarm("22"));   // ShutdownPending while the agent counts
  EXPECT_FALSE(has_alarm("23"));  // Imminent only in the last 5 s
  // NUT counts nothing for the agent: the command goes at zero and its TRACKING result is logged.
  EXPECT_TRUE(wait_until(
      [&]() { return agent_->log_text().find("shutdown.stayoff done") != std::string::npos; }, 20s))
      << agent_->log_text() << upsd_.log_text();
  EXPECT_EQ(get("8.2.0"), "-1");
  // The clone driver raised FSD: ShutdownImminent stays after the agent's countdown ended.
  EXPECT_TRUE(wait_until([&]() { return has_alarm("23") && !has_alarm("22"); }, 10s))
      << agent_->log_text();
  auto log = agent_->log_text();
  // The password came from the environment and is never logged.
  EXPECT_EQ(log.find(upsd_.password()), std::string::npos);
}

}  // namespace
}  // namespace netpower::testing
