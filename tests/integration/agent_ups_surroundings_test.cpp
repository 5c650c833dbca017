// The UPS-MIB and what surrounds the UPS, end to end through a real snmpd: the simulated chain
// behind the simulated UPS (`feeds_chain`: upsOutputPercentLoad follows the outlets, the chain
// goes dark while the output is off), and the master's sysUpTime in upsAlarmTime and
// upsTestStartTime.

#include <gtest/gtest.h>

#include "collectors/sim/sim_control_client.h"
#include "tests/integration/agent_process.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using namespace std::chrono_literals;

const std::string kUps = "1.3.6.1.2.1.33.1.";
const std::string kOutputSource = kUps + "4.1.0";
const std::string kOutputLoad = kUps + "4.4.1.5.1";  // upsOutputPercentLoad.1
const std::string kPortEntry = "1.3.6.1.4.1.1718.2.1.4.1";
const std::string kB1Load = kPortEntry + ".6.66.49";  // sentry2PortDeviceLoad.'B1'
constexpr const char* kSysUpTime = "1.3.6.1.2.1.1.3.0";

class AgentUpsSurroundingsTest : public ::testing::Test {
 protected:
  void start(AgentSetup setup) {
    agent_ = std::make_unique<AgentProcess>(*snmpd_, std::move(setup));
    agent_->start();
    cli_ = std::make_unique<SnmpCli>(snmpd_->cli_v3());
  }
  std::string get(const std::string& oid) {
    auto r = cli_->get({oid});
    return r.ok() ? r.varbinds.at(0).value : "error " + r.error;
  }
  bool eventually(const std::string& oid, const std::string& value) {
    return wait_until([&]() { return get(oid) == value; }, 10s, 50ms);
  }
  void ups_ok(const std::string& line) {
    ASSERT_EQ(collectors::sim::control_request(agent_->ups_socket().string(), line, 5s), "ok");
  }
  std::string diagnostics() { return "agent log:\n" + agent_->log_text(); }

  std::unique_ptr<SnmpdServer> snmpd_ = std::make_unique<SnmpdServer>();
  std::unique_ptr<AgentProcess> agent_;
  std::unique_ptr<SnmpCli> cli_;
};

TEST_F(AgentUpsSurroundingsTest, TheUpsLoadFollowsTheChainItFeedsAndTheChainGoesDarkWithItsOutput) {
  snmpd_->start();
  AgentSetup setup;
  setup.boards = 2;
  setup.sim_yaml = "    appliances: { A1: { load: 3.0 }, B1: { load: 1.5 } }\n";
  setup.ups_yaml =
      "ups:\n  driver: sim\n  poll_interval: 100ms\n"
      "  settings:\n    control_socket: @UPS_SOCKET@\n    feeds_chain: true\n";
  start(setup);
  // 4.5 A at 230 V of the sim's 1500 VA.
  EXPECT_TRUE(eventually(kOutputLoad, "69")) << get(kOutputLoad) << diagnostics();
  EXPECT_EQ(get(kOutputSource), "3");  // normal
  EXPECT_EQ(get(kB1Load), "1.50A");
  ASSERT_TRUE(cli_->set(kPortEntry + ".2.65.49", 'i', "1").ok());  // A1 powerOff(1)
  EXPECT_TRUE(eventually(kOutputLoad, "23")) << get(kOutputLoad);

  // upsShutdownAfterDelay 0 (mains present: the output stays off): no output, a dark chain.
  ASSERT_TRUE(cli_->set(kUps + "8.2.0", 'i', "0").ok());
  EXPECT_TRUE(eventually(kOutputSource, "2")) << diagnostics();  // none
  EXPECT_EQ(get(kOutputLoad), "0");
  EXPECT_TRUE(eventually(kB1Load, "0.00A")) << get(kB1Load);
  auto state = agent_->sim().state();
  EXPECT_EQ(state["supplied"], false);
  EXPECT_EQ(state["boards"][1]["ports"][0]["relay_on"], true) << "the relays keep their state";
  EXPECT_EQ(state["boards"][1]["ports"][0]["power_sensed"], false);

  // upsStartupAfterDelay 0: the output and the chain come back.
  ASSERT_TRUE(cli_->set(kUps + "8.3.0", 'i', "0").ok());
  EXPECT_TRUE(eventually(kOutputSource, "3")) << diagnostics();
  EXPECT_TRUE(eventually(kB1Load, "1.50A"));
  EXPECT_EQ(get(kOutputLoad), "23");
}

// net-snmp's subagent takes the master's sysUpTime from every AgentX response: TimeStamps are on
// the master's clock even when the agent starts long after snmpd.
TEST_F(AgentUpsSurroundingsTest, AlarmAndTestTimesAreTheMastersSysUpTime) {
  snmpd_->start();
  auto cli = snmpd_->cli_v3();
  long master_up = 0;
  ASSERT_TRUE(wait_until(
      [&]() {
        auto r = cli.get({kSysUpTime});
        master_up = r.ok() ? std::stol(r.varbinds.at(0).value) : 0;
        return master_up >= 250;  // the master has been up for 2.5 s before the agent starts
      },
      10s, 100ms));
  AgentSetup setup;
  setup.pdu = false;
  setup.ups_yaml =
      "ups:\n  driver: sim\n  poll_interval: 100ms\n"
      "  settings:\n    control_socket: @UPS_SOCKET@\n";
  start(setup);
  ups_ok("mains off");
  // upsAlarmTime of the OnBattery row (upsAlarmDescr upsAlarmOnBattery), then sysUpTime.0.
  std::string alarm_time;
  ASSERT_TRUE(wait_until(
      [&]() {
        auto walk = cli_->walk(kUps + "6.2.1.2");
        for (const auto& vb : walk.varbinds) {
          if (vb.value != kUps + "6.3.2") continue;
          auto id = vb.oid.substr(vb.oid.rfind('.') + 1);
          alarm_time = get(kUps + "6.2.1.3." + id);
          return true;
        }
        return false;
      },
      10s, 50ms))
      << diagnostics();
  long now = std::stol(get(kSysUpTime));
  long stamped = std::stol(alarm_time);
  EXPECT_GE(stamped, master_up) << "an agent-uptime stamp would be near 0";
  EXPECT_LE(stamped, now);
  EXPECT_LT(now - stamped, 300) << "stamped " << stamped << ", sysUpTime " << now;

  ups_ok("mains on");
  ASSERT_TRUE(eventually(kOutputSource, "3"));
  ASSERT_TRUE(cli_->set(kUps + "7.1.0", 'o', "1.3.6.1.2.1.33.1.7.7.4").ok()) << diagnostics();
  long started = std::stol(get(kUps + "7.5.0"));  // upsTestStartTime
  now = std::stol(get(kSysUpTime));
  EXPECT_GE(started, master_up);
  EXPECT_LE(started, now);
  EXPECT_LT(now - started, 300);
}

}  // namespace
}  // namespace netpower::testing
