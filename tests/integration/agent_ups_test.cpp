// The UPS-MIB end to end with the simulated UPS: a real snmpd master with a trap sink, the real
// netpower-agent (UPS only, clock 20x), the net-snmp tools as the NMS, snmptrapd as the receiver.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "collectors/sim/sim_control_client.h"
#include "tests/integration/agent_process.h"
#include "tests/support/trap_receiver.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using namespace std::chrono_literals;

const std::string kUps = "1.3.6.1.2.1.33.1.";
const std::string kTrapOnBattery = ".1.3.6.1.2.1.33.2.1";
const std::string kTrapTestCompleted = ".1.3.6.1.2.1.33.2.2";
const std::string kTrapAlarmAdded = ".1.3.6.1.2.1.33.2.3";
const std::string kTrapAlarmRemoved = ".1.3.6.1.2.1.33.2.4";
const std::string kAlarms = "1.3.6.1.2.1.33.1.6.3.";
constexpr double kScale = 20.0;  // 60 s of agent time in 3 s

class AgentUpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SnmpdOptions options;
    options.extra_config = {traps_.sink_line()};
    snmpd_ = std::make_unique<SnmpdServer>(options);
    snmpd_->start();
    AgentSetup setup;
    setup.pdu = false;
    setup.time_scale = kScale;
    setup.ups_yaml =
        "ups:\n"
        "  driver: sim\n"
        "  poll_interval: 1s\n"
        "  name: \"rack 7 UPS\"\n"
        "  attached_devices: \"web1, web2\"\n"
        "  low_battery_minutes: 3\n" +
        extra_ups_yaml_ +
        "  settings:\n"
        "    control_socket: @UPS_SOCKET@\n"
        "    comm_lost_after: 20s\n"
        "    recharge_time: 10m\n";
    agent_ = std::make_unique<AgentProcess>(*snmpd_, setup);
    agent_->start();
    cli_ = std::make_unique<SnmpCli>(snmpd_->cli_v3());
  }

  std::string ups(const std::string& line) {
    return collectors::sim::control_request(agent_->ups_socket().string(), line, 5s);
  }
  void ups_ok(const std::string& line) { ASSERT_EQ(ups(line), "ok") << line; }

  // The value of one UPS-MIB instance ("2.1.0" = upsBatteryStatus.0), or the exception name.
  std::string get(const std::string& suffix) {
    auto r = cli_->get({kUps + suffix});
    if (!r.ok()) return "error " + r.error;
    return r.varbinds.at(0).value;
  }
  std::string type_of(const std::string& suffix) {
    auto r = cli_->get({kUps + suffix});
    return r.ok() ? r.varbinds.at(0).type : "error " + r.error;
  }
  bool eventually(const std::string& suffix, const std::string& value,
                  std::chrono::milliseconds timeout = 10s) {
    return wait_until([&]() { return get(suffix) == value; }, timeout, 50ms);
  }
  std::vector<std::string> alarm_descrs() {
    std::vector<std::string> out;
    auto r = cli_->walk(kUps + "6.2.1.2");
    for (const auto& vb : r.varbinds) out.push_back(vb.value);
    return out;
  }
  std::string diagnostics() { return "agent log:\n" + agent_->log_text(); }

  std::string extra_ups_yaml_;  // more keys of the ups: section
  TrapReceiver traps_;
  std::unique_ptr<SnmpdServer> snmpd_;
  std::unique_ptr<AgentProcess> agent_;
  std::unique_ptr<SnmpCli> cli_;
};

TEST_F(AgentUpsTest, WalkServesEveryGroupInTheRfcsUnitsAndTypes) {
  auto walk = cli_->bulk_walk("1.3.6.1.2.1.33");
  ASSERT_TRUE(walk.ok()) << walk.describe();
  std::map<std::string, std::pair<std::string, std::string>> got;
  for (const auto& vb : walk.varbinds) got[vb.oid.substr(kUps.size())] = {vb.type, vb.value};
  auto expect = [&](const std::string& suffix, const std::string& type, const std::string& value) {
    ASSERT_TRUE(got.count(suffix)) << suffix << " missing from the walk\n" << walk.raw;
    EXPECT_EQ(got[suffix].first, type) << suffix;
    EXPECT_EQ(got[suffix].second, value) << suffix;
  };
  // upsIdent
  expect("1.1.0", "STRING", "netpower");
  expect("1.2.0", "STRING", "SimUPS 1500");
  expect("1.3.0", "STRING", "1.0");
  expect("1.4.0", "STRING", "netpower-agent 0.1.0 (sim)");
  expect("1.5.0", "STRING", "rack 7 UPS");
  expect("1.6.0", "STRING", "web1, web2");
  // upsBattery: normal, on mains, 100 %, 27.0 V DC in 0.1 V, 30 degrees C
  expect("2.1.0", "INTEGER", "2");
  expect("2.2.0", "INTEGER", "0");
  expect("2.4.0", "INTEGER", "100");
  expect("2.5.0", "INTEGER", "270");
  expect("2.7.0", "INTEGER", "30");
  // 10 min at full load, (100/30)^1.2 more at 30 %: 42 minutes
  expect("2.3.0", "INTEGER", "42");
  // upsInput: 50.0 Hz in 0.1 Hz, 230 V, 2.0 A in 0.1 A, 315 W
  expect("3.1.0", "Counter32", "0");
  expect("3.2.0", "INTEGER", "1");
  expect("3.3.1.2.1", "INTEGER", "500");
  expect("3.3.1.3.1", "INTEGER", "230");
  expect("3.3.1.4.1", "INTEGER", "20");
  expect("3.3.1.5.1", "INTEGER", "315");
  // upsOutput: normal(3)
  expect("4.1.0", "INTEGER", "3");
  expect("4.2.0", "INTEGER", "500");
  expect("4.3.0", "INTEGER", "1");
  expect("4.4.1.2.1", "INTEGER", "230");
  expect("4.4.1.3.1", "INTEGER", "20");
  expect("4.4.1.4.1", "INTEGER", "315");
  expect("4.4.1.5.1", "INTEGER", "30");
  // no bypass on this UPS: the group is absent
  for (const auto& [suffix, _] : got) EXPECT_NE(suffix.rfind("5.", 0), 0u) << suffix;
  // upsAlarm: none
  expect("6.1.0", "Gauge32", "0");
  // upsTest: never run
  expect("7.1.0", "OID", "1.3.6.1.2.1.33.1.7.7.1");
  expect("7.2.0", "INTEGER", "1");
  expect("7.3.0", "INTEGER", "6");
  expect("7.4.0", "STRING", "");
  expect("7.5.0", "Timeticks", "0");
  expect("7.6.0", "INTEGER", "0");
  // upsControl: output(1), no countdowns, autoRestart on(1)
  expect("8.1.0", "INTEGER", "1");
  expect("8.2.0", "INTEGER", "-1");
  expect("8.3.0", "INTEGER", "-1");
  expect("8.4.0", "INTEGER", "-1");
  expect("8.5.0", "INTEGER", "1");
  // upsConfig
  expect("9.1.0", "INTEGER", "230");
  expect("9.2.0", "INTEGER", "500");
  expect("9.3.0", "INTEGER", "230");
  expect("9.4.0", "INTEGER", "500");
  expect("9.5.0", "INTEGER", "1500");
  expect("9.6.0", "INTEGER", "1050");
  expect("9.7.0", "INTEGER", "3");
  expect("9.8.0", "INTEGER", "2");
  expect("9.9.0", "INTEGER", "170");
  expect("9.10.0", "INTEGER", "280");
}

TEST_F(AgentUpsTest, MainsFailureRaisesAlarmsAndRepeatsOnBatteryEveryMinute) {
  ups_ok("mains off");
  auto first = traps_.wait_for(kTrapOnBattery, 10s);
  ASSERT_TRUE(first) << traps_.log_text() << diagnostics();
  ASSERT_EQ(first->varbinds.size(), 3u);
  EXPECT_EQ(first->varbinds[0].first, "." + kUps + "2.3.0");  // upsEstimatedMinutesRemaining
  EXPECT_EQ(first->varbinds[1].first, "." + kUps + "2.2.0");  // upsSecondsOnBattery
  EXPECT_EQ(first->varbinds[2].first, "." + kUps + "9.7.0");  // upsConfigLowBattTime
  EXPECT_EQ(first->varbinds[2].second, "INTEGER: 3");

  // The input went out of tolerance: an alarm row, its trap, and upsInputLineBads counts it. The
  // OnBattery row is there too but has no AlarmEntryAdded trap of its own (RFC 1628).
  auto input_bad = traps_.wait_for(kTrapAlarmAdded, 10s, [](const ReceivedTrap& t) {
    return t.value_under(".1.3.6.1.2.1.33.1.6.2.1.2.") == "OID: ." + kAlarms + "6";
  });
  ASSERT_TRUE(input_bad) << traps_.log_text();
  EXPECT_TRUE(eventually("3.1.0", "1"));
  EXPECT_TRUE(eventually("4.1.0", "5"));  // upsOutputSource battery(5)
  auto alarms = alarm_descrs();
  EXPECT_NE(std::find(alarms.begin(), alarms.end(), kAlarms + "2"), alarms.end());
  EXPECT_NE(std::find(alarms.begin(), alarms.end(), kAlarms + "6"), alarms.end());
  EXPECT_EQ(get("6.1.0"), std::to_string(alarms.size()));
  for (const auto& trap : traps_.traps_of(kTrapAlarmAdded)) {
    EXPECT_NE(trap.value_under(".1.3.6.1.2.1.33.1.6.2.1.2."), "OID: ." + kAlarms + "2");
  }

  // Repeated once a minute (3 s at 20x) while on battery; seconds on battery grows.
  auto second = traps_.wait_for(kTrapOnBattery, 10s, {}, 1);
  ASSERT_TRUE(second) << traps_.log_text();
  auto seconds_text = second->varbinds[1].second;  // "INTEGER: 61"
  long seconds = std::stol(seconds_text.substr(seconds_text.find(' ') + 1));
  EXPECT_GE(seconds, 55);
  EXPECT_LE(seconds, 90);

  // Mains back: rows removed with their traps (OnBattery's removal is announced), no more
  // on-battery traps, the counter keeps its count.
  ups_ok("mains on");
  auto removed = traps_.wait_for(kTrapAlarmRemoved, 10s, [](const ReceivedTrap& t) {
    return t.value_under(".1.3.6.1.2.1.33.1.6.2.1.2.") == "OID: ." + kAlarms + "2";
  });
  EXPECT_TRUE(removed) << traps_.log_text();
  EXPECT_TRUE(eventually("6.1.0", "0"));
  EXPECT_EQ(get("2.2.0"), "0");
  auto count = traps_.traps_of(kTrapOnBattery).size();
  std::this_thread::sleep_for(4s);  // more than a minute of agent time
  EXPECT_EQ(traps_.traps_of(kTrapOnBattery).size(), count);
  EXPECT_EQ(get("3.1.0"), "1");
}

// NUT's snmp-ups (mibs=ietf) starts a test by setting upsTestId alone, as this snmpset does.
TEST_F(AgentUpsTest, UpsTestIdAloneStartsATestWhenNoneRuns) {
  const std::string id = kUps + "7.1.0", quick = "1.3.6.1.2.1.33.1.7.7.4";
  auto alone = cli_->set(id, 'o', quick);
  ASSERT_TRUE(alone.ok()) << alone.describe() << diagnostics();
  EXPECT_EQ(get("7.3.0"), "5");  // inProgress
  EXPECT_EQ(get("7.2.0"), "2") << "the spin lock advances as if it had been set";
  auto again = cli_->set(id, 'o', quick);
  EXPECT_EQ(again.error, "inconsistentValue") << "a running test is never overridden";
  EXPECT_EQ(cli_->set(id, 'o', "1.3.6.1.2.1.33.1.7.7.2").error, "inconsistentValue")
      << "an abort needs the spin lock";
  ASSERT_TRUE(traps_.wait_for(kTrapTestCompleted, 10s)) << traps_.log_text();
  EXPECT_EQ(get("7.3.0"), "1");
  EXPECT_NE(ups("commands").find("test.battery.start.quick"), std::string::npos);
}

class AgentUpsStrictSpinLockTest : public AgentUpsTest {
 protected:
  AgentUpsStrictSpinLockTest() { extra_ups_yaml_ = "  test_without_spin_lock: false\n"; }
};

TEST_F(AgentUpsStrictSpinLockTest, UpsTestIdAloneIsRefusedWhenTheOptionIsOff) {
  auto alone = cli_->set(kUps + "7.1.0", 'o', "1.3.6.1.2.1.33.1.7.7.4");
  EXPECT_EQ(alone.error, "inconsistentValue") << alone.describe();
  EXPECT_EQ(get("7.3.0"), "6");
}

TEST_F(AgentUpsTest, TestNeedsTheSpinLockRunsAndReportsItsResult) {
  const std::string spin = kUps + "7.2.0", id = kUps + "7.1.0";
  const std::string quick = "1.3.6.1.2.1.33.1.7.7.4";
  // With a stale spin lock value: refused, and nothing starts.
  auto stale = cli_->set({{spin, 'i', "7"}, {id, 'o', quick}});
  EXPECT_EQ(stale.error, "inconsistentValue") << stale.describe();
  EXPECT_EQ(get("7.3.0"), "6");
  // upsTestNoTestsInitiated cannot be "started".
  EXPECT_EQ(cli_->set({{spin, 'i', "1"}, {id, 'o', "1.3.6.1.2.1.33.1.7.7.1"}}).error, "wrongValue");

  auto started = cli_->set({{spin, 'i', "1"}, {id, 'o', quick}});
  ASSERT_TRUE(started.ok()) << started.describe() << diagnostics();
  EXPECT_EQ(get("7.2.0"), "2");  // TestAndIncr
  EXPECT_EQ(get("7.3.0"), "5");  // inProgress
  EXPECT_EQ(get("7.1.0"), quick);
  // A second test while one runs: refused.
  EXPECT_EQ(cli_->set({{spin, 'i', "2"}, {id, 'o', quick}}).error, "inconsistentValue");

  // The sim's quick test lasts 10 s of agent time; the trap reports it done and passed.
  auto done = traps_.wait_for(kTrapTestCompleted, 10s);
  ASSERT_TRUE(done) << traps_.log_text() << diagnostics();
  ASSERT_EQ(done->varbinds.size(), 6u);
  EXPECT_EQ(done->varbinds[0].second, "OID: ." + quick);
  EXPECT_EQ(done->varbinds[2].second, "INTEGER: 1");  // donePass
  EXPECT_EQ(get("7.3.0"), "1");
  EXPECT_EQ(get("7.4.0"), "Done and passed");
  long elapsed = std::stol(get("7.6.0"));  // TimeInterval, hundredths of a second
  EXPECT_GE(elapsed, 1000);
  EXPECT_LE(elapsed, 1400);
  auto sent = ups("commands");
  EXPECT_NE(sent.find("test.battery.start.quick"), std::string::npos) << sent;

  // A battery that needs replacing fails the next test: doneError and the DiagnosticTestFailed
  // alarm.
  ups_ok("battery-bad on");
  ASSERT_TRUE(cli_->set({{spin, 'i', "2"}, {id, 'o', quick}}).ok());
  auto failed = traps_.wait_for(kTrapTestCompleted, 10s, {}, 1);
  ASSERT_TRUE(failed) << traps_.log_text();
  EXPECT_EQ(failed->varbinds[2].second, "INTEGER: 3");  // doneError
  EXPECT_TRUE(traps_.wait_for(kTrapAlarmAdded, 10s, [](const ReceivedTrap& t) {
    return t.value_under(".1.3.6.1.2.1.33.1.6.2.1.2.") == "OID: ." + kAlarms + "19";
  }));
}

TEST_F(AgentUpsTest, ShutdownCountdownIsSentWhenTheUpsCanCountTheRestAndCanBeAborted) {
  const std::string delay = kUps + "8.2.0";
  // On battery, with upsAutoRestart on: the UPS is to come back with the mains.
  ups_ok("mains off");
  ASSERT_TRUE(eventually("4.1.0", "5"));
  // 900 s: longer than the sim's 600 s; the agent counts the first 300 s (15 s real) itself.
  ASSERT_TRUE(cli_->set(delay, 'i', "900").ok());
  long left = std::stol(get("8.2.0"));
  EXPECT_LE(left, 900);
  EXPECT_GT(left, 850);
  EXPECT_TRUE(wait_until(
      [&]() {
        for (const auto& d : alarm_descrs()) {
          if (d == kAlarms + "22") return true;  // upsAlarmShutdownPending
        }
        return false;
      },
      5s));
  EXPECT_EQ(ups("commands"), "[]");  // nothing sent yet
  std::string sent;
  ASSERT_TRUE(wait_until(
      [&]() {
        sent = ups("commands");
        return sent != "[]";
      },
      25s, 100ms))
      << diagnostics();
  EXPECT_NE(sent.find("shutdown.return delay=600s"), std::string::npos) << sent;
  left = std::stol(get("8.2.0"));
  EXPECT_LE(left, 600);
  EXPECT_GT(left, 500);

  // -1 aborts: the UPS is told, the countdown reads -1, the alarm goes.
  ASSERT_TRUE(cli_->set(delay, 'i', "-1").ok());
  EXPECT_EQ(get("8.2.0"), "-1");
  EXPECT_TRUE(
      wait_until([&]() { return ups("commands").find("shutdown.stop") != std::string::npos; }, 5s));
  EXPECT_TRUE(wait_until(
      [&]() {
        for (const auto& d : alarm_descrs()) {
          if (d == kAlarms + "22") return false;
        }
        return true;
      },
      5s));

  // With autoRestart off and a short delay the command goes at once and stays off.
  ups_ok("mains on");
  ASSERT_TRUE(cli_->set(kUps + "8.5.0", 'i', "2").ok());
  ASSERT_TRUE(cli_->set(delay, 'i', "30").ok());
  EXPECT_TRUE(wait_until(
      [&]() { return ups("commands").find("shutdown.stayoff delay=30s") != std::string::npos; },
      5s));
  // At zero the output is off as requested (upsOutputSource none(2)).
  EXPECT_TRUE(eventually("4.1.0", "2", 10s)) << diagnostics();
  EXPECT_EQ(get("8.2.0"), "-1");
  auto alarms = alarm_descrs();
  EXPECT_NE(std::find(alarms.begin(), alarms.end(), kAlarms + "11"), alarms.end());  // OffAsReq.
  EXPECT_NE(std::find(alarms.begin(), alarms.end(), kAlarms + "14"), alarms.end());  // OutputOff
}

TEST_F(AgentUpsTest, LostCommunicationRaisesItsAlarmAndHidesMeasurements) {
  ups_ok("silence on");
  auto lost = traps_.wait_for(kTrapAlarmAdded, 15s, [](const ReceivedTrap& t) {
    return t.value_under(".1.3.6.1.2.1.33.1.6.2.1.2.") == "OID: ." + kAlarms + "20";
  });
  ASSERT_TRUE(lost) << traps_.log_text() << diagnostics();
  EXPECT_EQ(type_of("3.3.1.3.1"), "error noSuchInstance");  // no invented input voltage
  EXPECT_EQ(get("2.1.0"), "1");                             // upsBatteryStatus unknown
  EXPECT_EQ(get("1.2.0"), "SimUPS 1500");                   // identity stays known
  ups_ok("silence off");
  EXPECT_TRUE(traps_.wait_for(kTrapAlarmRemoved, 10s, [](const ReceivedTrap& t) {
    return t.value_under(".1.3.6.1.2.1.33.1.6.2.1.2.") == "OID: ." + kAlarms + "20";
  }));
  EXPECT_TRUE(eventually("3.3.1.3.1", "230"));
}

TEST_F(AgentUpsTest, BadSetsGetTheRightErrorsAndGoodOnesStick) {
  EXPECT_EQ(cli_->set(kUps + "8.1.0", 'i', "3").error, "wrongValue");
  EXPECT_EQ(cli_->set(kUps + "8.4.0", 'i', "301").error, "wrongValue");
  EXPECT_EQ(cli_->set(kUps + "8.2.0", 's', "10").error, "wrongType");
  EXPECT_EQ(cli_->set(kUps + "1.5.0", 's', std::string(64, 'x')).error, "wrongLength");
  EXPECT_EQ(cli_->set(kUps + "9.1.0", 'i', "120").error, "notWritable");
  EXPECT_EQ(cli_->set(kUps + "2.4.0", 'i', "50").error, "notWritable");
  EXPECT_EQ(cli_->set(kUps + "8.3.0", 'i', "-2").error, "wrongValue");

  ASSERT_TRUE(cli_->set(kUps + "1.5.0", 's', "renamed").ok());
  EXPECT_EQ(get("1.5.0"), "renamed");
  ASSERT_TRUE(cli_->set(kUps + "9.7.0", 'i', "500").ok());
  EXPECT_EQ(get("9.7.0"), "120");                         // the largest supported value (RFC 1628)
  ASSERT_TRUE(cli_->set(kUps + "9.8.0", 'i', "1").ok());  // audible disabled
  EXPECT_TRUE(eventually("9.8.0", "1"));
  EXPECT_NE(ups("commands").find("beeper.disable"), std::string::npos);
}

TEST(AgentPduAndUps, OneAgentServesTheChainAndTheUps) {
  SnmpdServer snmpd;
  snmpd.start();
  AgentSetup setup;
  setup.boards = 2;
  setup.ups_yaml = "ups:\n  driver: sim\n  poll_interval: 100ms\n";
  AgentProcess agent(snmpd, setup);
  agent.start();  // waits for the chain (last board B)
  auto cli = snmpd.cli_v3();
  EXPECT_TRUE(wait_until(
      [&]() {
        auto r = cli.get({kUps + "1.2.0", "1.3.6.1.4.1.1718.2.1.2.0"});
        return r.ok() && r.varbinds.size() == 2 && r.varbinds[0].value == "SimUPS 1500" &&
               r.varbinds[1].value == "B";
      },
      10s))
      << agent.log_text();
}

}  // namespace
}  // namespace netpower::testing

namespace netpower::testing {
namespace {

// UPS-MIB's writable settings are kept by the settings store like NETPOWER-MIB's: a restart of
// the agent reads them back.
TEST_F(AgentUpsTest, WritableSettingsSurviveAnAgentRestart) {
  auto set = cli_->set({{kUps + "1.5.0", 's', "UPS rack 9"},
                        {kUps + "1.6.0", 's', "db1, db2"},
                        {kUps + "9.7.0", 'i', "7"},
                        {kUps + "8.1.0", 'i', "2"},
                        {kUps + "8.5.0", 'i', "2"}});
  ASSERT_TRUE(set.ok()) << set.describe() << diagnostics();
  EXPECT_EQ(get("1.5.0"), "UPS rack 9");
  agent_->process().terminate();
  std::ifstream in(agent_->settings_file());
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("UPS rack 9"), std::string::npos) << text.str();
  agent_->start();
  EXPECT_TRUE(eventually("1.5.0", "UPS rack 9")) << diagnostics();
  EXPECT_EQ(get("1.6.0"), "db1, db2");
  EXPECT_EQ(get("9.7.0"), "7");
  EXPECT_EQ(get("8.1.0"), "2") << "upsShutdownType system";
  EXPECT_EQ(get("8.5.0"), "2") << "upsAutoRestart off";
}

}  // namespace
}  // namespace netpower::testing
