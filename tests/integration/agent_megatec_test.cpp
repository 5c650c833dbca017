// A Megatec serial UPS end to end: netpower-megatec-sim on a pty, the real netpower-agent with the
// megatec driver, a real snmpd master with a trap sink, snmptrapd, and the net-snmp tools as NMS.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "collectors/sim/sim_control_client.h"
#include "tests/integration/agent_process.h"
#include "tests/support/trap_receiver.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using namespace std::chrono_literals;

const std::string kUps = "1.3.6.1.2.1.33.1.";
const std::string kQuickTest = "1.3.6.1.2.1.33.1.7.7.4";

class AgentMegatecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The UPS: rated 230 V / 6 A / 50 Hz, a 24 V pack at 25.0 V, 27 % load, 32 degrees C. Its own
    // clock runs 10x so that its 10 s battery test takes one second.
    sim_ = std::make_unique<Process>(std::vector<std::string>{NETPOWER_MEGATEC_SIM_BIN,
                                                              "--link",
                                                              dir_.file("tty").string(),
                                                              "--control",
                                                              dir_.file("ctl").string(),
                                                              "--time-scale",
                                                              "10",
                                                              "--rated-voltage",
                                                              "230",
                                                              "--rated-current",
                                                              "6",
                                                              "--rated-frequency",
                                                              "50",
                                                              "--battery-nominal",
                                                              "24",
                                                              "--battery",
                                                              "25.0",
                                                              "--input-voltage",
                                                              "231.0",
                                                              "--input-frequency",
                                                              "50.1",
                                                              "--load",
                                                              "27",
                                                              "--temperature",
                                                              "32.0",
                                                              "--mfr",
                                                              "Netpower Test",
                                                              "--model",
                                                              "MT-1000",
                                                              "--firmware",
                                                              "V1.2"},
                                     dir_.file("sim.log"));
    ASSERT_TRUE(wait_until([&]() { return std::filesystem::exists(dir_.file("ctl")); }, 10s))
        << sim_->log_text();

    SnmpdOptions options;
    options.extra_config = {traps_.sink_line()};
    snmpd_ = std::make_unique<SnmpdServer>(options);
    snmpd_->start();
    AgentSetup setup;
    setup.pdu = false;
    setup.ups_yaml =
        "ups:\n"
        "  driver: megatec\n"
        "  poll_interval: 200ms\n"
        "  settings:\n"
        "    device: " +
        dir_.file("tty").string() +
        "\n"
        "    poll_interval: 200ms\n"
        "    reply_timeout: 150ms\n"
        "    comm_lost_after: 2s\n"
        "    battery:\n"
        "      runtime: { runtime_at_high_load: 5m, runtime_at_low_load: 14m }\n";
    agent_ = std::make_unique<AgentProcess>(*snmpd_, setup);
    agent_->start();
    cli_ = std::make_unique<SnmpCli>(snmpd_->cli_v3());
    // The identity (I) and ratings (F) arrive after the first Q1s.
    ASSERT_TRUE(wait_until([&]() { return get("1.2.0") == "MT-1000"; }, 10s)) << diagnostics();
  }

  std::string sim(const std::string& line) {
    return collectors::sim::control_request(dir_.file("ctl").string(), line, 5s);
  }
  // The command lines the simulated UPS received, in order (its Q1/F/I polls left out).
  std::vector<std::string> received() {
    std::vector<std::string> out;
    for (const auto& c : nlohmann::json::parse(sim("commands"))) {
      auto line = c["line"].get<std::string>();
      if (line != "Q1" && line != "F" && line != "I") out.push_back(line);
    }
    return out;
  }
  bool received_line(const std::string& line) {
    return wait_until(
        [&]() {
          auto all = received();
          return std::find(all.begin(), all.end(), line) != all.end();
        },
        5s, 50ms);
  }
  std::string get(const std::string& suffix) {
    auto r = cli_->get({kUps + suffix});
    return r.ok() ? r.varbinds.at(0).value : "error " + r.error;
  }
  std::string diagnostics() {
    return "agent log:\n" + agent_->log_text() + "\nsimulator log:\n" + sim_->log_text();
  }

  TempDir dir_{"np-megatec"};
  ProcessPtr sim_;
  TrapReceiver traps_;
  std::unique_ptr<SnmpdServer> snmpd_;
  std::unique_ptr<AgentProcess> agent_;
  std::unique_ptr<SnmpCli> cli_;
};

TEST_F(AgentMegatecTest, WalkShowsTheSerialUpsInTheRfcsUnits) {
  auto walk = cli_->bulk_walk("1.3.6.1.2.1.33.1");
  ASSERT_TRUE(walk.ok()) << walk.describe();
  std::map<std::string, std::string> got;
  for (const auto& vb : walk.varbinds) got[vb.oid.substr(kUps.size())] = vb.value;
  auto expect = [&](const std::string& suffix, const std::string& value) {
    EXPECT_EQ(got[suffix], value) << suffix << "\n" << walk.raw;
  };
  expect("1.1.0", "Netpower Test");  // I: company, model, version, padding trimmed
  expect("1.2.0", "MT-1000");
  expect("1.3.0", "V1.2");
  expect("2.1.0", "2");    // batteryNormal
  expect("2.2.0", "0");    // not on battery
  expect("2.4.0", "81");   // 25.0 V between 20.8 (0 %) and 26.0 (100 %): 80.8 %
  expect("2.5.0", "250");  // 0.1 V DC
  expect("2.7.0", "32");
  expect("3.3.1.2.1", "501");  // 50.1 Hz in 0.1 Hz
  expect("3.3.1.3.1", "231");
  expect("4.1.0", "3");  // normal
  expect("4.4.1.2.1", "231");
  expect("4.4.1.3.1", "16");  // 27 % of the rated 6 A: 1.6 A in 0.1 A
  expect("4.4.1.5.1", "27");
  expect("9.1.0", "230");   // F: rated voltage
  expect("9.2.0", "500");   // F: rated frequency
  expect("9.5.0", "1380");  // 230 V x 6 A
  // The runtime calibration gives an estimate; without one the object would be absent.
  ASSERT_TRUE(got.count("2.3.0")) << walk.raw;
  EXPECT_GT(std::stol(got["2.3.0"]), 5);
}

TEST_F(AgentMegatecTest, PullingTheMainsSendsUpsTrapOnBattery) {
  ASSERT_EQ(sim("mains off"), "ok");
  auto trap = traps_.wait_for(".1.3.6.1.2.1.33.2.1", 10s);
  ASSERT_TRUE(trap) << traps_.log_text() << diagnostics();
  EXPECT_EQ(trap->varbinds.at(1).first, "." + kUps + "2.2.0");
  EXPECT_TRUE(wait_until([&]() { return get("4.1.0") == "5"; }, 5s));  // battery(5)
  EXPECT_EQ(get("3.3.1.3.1"), "0");                                    // no input voltage
  ASSERT_EQ(sim("mains on"), "ok");
  EXPECT_TRUE(wait_until([&]() { return get("4.1.0") == "3"; }, 5s));
}

TEST_F(AgentMegatecTest, UpsTestIdSendsTAndTheResultComesBack) {
  auto set = cli_->set({{kUps + "7.2.0", 'i', "1"}, {kUps + "7.1.0", 'o', kQuickTest}});
  ASSERT_TRUE(set.ok()) << set.describe() << diagnostics();
  EXPECT_TRUE(received_line("T")) << sim("commands");
  auto done = traps_.wait_for(".1.3.6.1.2.1.33.2.2", 15s);
  ASSERT_TRUE(done) << traps_.log_text() << diagnostics();
  EXPECT_EQ(done->varbinds.at(2).second, "INTEGER: 1");  // donePass
  EXPECT_EQ(get("7.3.0"), "1");
}

TEST_F(AgentMegatecTest, ShutdownsArriveInTheProtocolsMinuteFormats) {
  // Mains present: no automatic restart, so the output stays off (R0000).
  ASSERT_TRUE(cli_->set(kUps + "8.2.0", 'i', "30").ok());
  EXPECT_TRUE(received_line("S.5R0000")) << sim("commands");
  // -1 aborts with C.
  ASSERT_TRUE(cli_->set(kUps + "8.2.0", 'i', "-1").ok());
  EXPECT_TRUE(received_line("C")) << sim("commands");
  // 150 s is 2.5 minutes: rounded up to 03, never cut earlier than asked.
  ASSERT_TRUE(cli_->set(kUps + "8.2.0", 'i', "150").ok());
  EXPECT_TRUE(received_line("S03R0000")) << sim("commands");
  ASSERT_TRUE(cli_->set(kUps + "8.2.0", 'i', "-1").ok());
  // A reboot of 90 s: off at once, back after 2 minutes (the RFC allows up to +60 s).
  ASSERT_TRUE(cli_->set(kUps + "8.4.0", 'i', "90").ok());
  EXPECT_TRUE(received_line("S00R0002")) << sim("commands");
}

}  // namespace
}  // namespace netpower::testing
