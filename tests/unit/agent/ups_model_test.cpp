// The UPS model's rules on a manual clock, against the simulated UPS: alarm ids, the one-minute
// on-battery repeat, the test spin lock, and the countdowns with their edges.

#include "agent/ups/ups_model.h"

#include <gtest/gtest.h>

#include "collectors/sim/sim_ups_collector.h"
#include "tests/unit/agent/manual_loop.h"

namespace netpower::agent::ups {
namespace {

using namespace std::chrono_literals;
using collectors::sim::SimUpsCollector;
using collectors::sim::SimUpsSettings;

TEST(AlarmTable, IdsIncreaseWrapToTheFirstFreeOneAndStartupRowsHaveTimeZero) {
  AlarmTable table(3);
  auto first = table.update({Alarm::kOnBattery, Alarm::kInputBad}, 500);
  ASSERT_EQ(first.added.size(), 2u);
  EXPECT_EQ(first.added[0].time, 0u);  // present at start-up
  EXPECT_EQ(first.added[1].time, 0u);
  EXPECT_EQ(table.rows()[0].id, 1);
  EXPECT_EQ(table.rows()[1].id, 2);

  auto second = table.update({Alarm::kOnBattery, Alarm::kInputBad, Alarm::kLowBattery}, 700);
  ASSERT_EQ(second.added.size(), 1u);
  EXPECT_EQ(second.added[0].id, 3);
  EXPECT_EQ(second.added[0].time, 700u);

  // 1 is freed; the next id wraps past the maximum (3) to the first free one, 1.
  auto third = table.update({Alarm::kInputBad, Alarm::kLowBattery, Alarm::kTempBad}, 800);
  ASSERT_EQ(third.removed.size(), 1u);
  EXPECT_EQ(third.removed[0].alarm, Alarm::kOnBattery);
  ASSERT_EQ(third.added.size(), 1u);
  EXPECT_EQ(third.added[0].id, 1);
  // Rows in id order, not in order of arrival.
  auto rows = table.rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].alarm, Alarm::kTempBad);
  EXPECT_EQ(rows[2].alarm, Alarm::kLowBattery);

  auto generation = table.generation();
  table.update({Alarm::kInputBad, Alarm::kLowBattery, Alarm::kTempBad}, 900);
  EXPECT_EQ(table.generation(), generation);  // nothing changed, no rebuild
}

TEST(AlarmTable, RfcExclusionsForTraps) {
  EXPECT_FALSE(announced_on_add(Alarm::kOnBattery));
  EXPECT_FALSE(announced_on_add(Alarm::kTestInProgress));
  EXPECT_TRUE(announced_on_add(Alarm::kLowBattery));
  EXPECT_TRUE(announced_on_remove(Alarm::kOnBattery));
  EXPECT_FALSE(announced_on_remove(Alarm::kTestInProgress));
}

class UpsModelTest : public ::testing::Test {
 protected:
  explicit UpsModelTest(std::chrono::seconds max_delay = 600s) {
    SimUpsSettings sim;
    sim.max_command_delay = max_delay;
    sim.comm_lost_after = 30s;
    collector_ = std::make_unique<SimUpsCollector>(sim, loop_);
    UpsAgentSettings settings;
    settings.poll_interval = 1s;
    settings.test_timeout = 5min;
    model_ = std::make_unique<UpsModel>(loop_, *collector_, settings);
    model_->events().on_battery = [this]() { on_battery_traps_.push_back(loop_.clock().now()); };
    model_->events().test_completed = [this]() { ++tests_completed_; };
    model_->events().alarm_added = [this](const AlarmRow& row) { added_.push_back(row.alarm); };
    model_->events().alarm_removed = [this](const AlarmRow& row) { removed_.push_back(row.alarm); };
    model_->start_polling();
  }
  void advance(core::Duration d) {
    // In poll-sized steps, as the loop would run.
    while (d > core::Duration::zero()) {
      auto step = std::min<core::Duration>(d, 100ms);
      loop_.advance(step);
      d -= step;
    }
  }
  std::vector<std::string> sent() const {
    std::vector<std::string> out;
    for (const auto& record : collector_->ups().history()) out.push_back(record.text);
    return out;
  }

  testing::ManualLoop loop_;
  std::unique_ptr<SimUpsCollector> collector_;
  std::unique_ptr<UpsModel> model_;
  std::vector<core::TimePoint> on_battery_traps_;
  int tests_completed_ = 0;
  std::vector<Alarm> added_, removed_;
};

TEST_F(UpsModelTest, OnBatteryTrapAtOnceThenAtTheSixtiethSecondNotBefore) {
  collector_->ups().set_mains(false);
  advance(1s);
  ASSERT_EQ(on_battery_traps_.size(), 1u);
  auto start = on_battery_traps_[0];
  // Polls go on every second; the repeat is on its own one-minute timer.
  advance(59s - 1ms);
  EXPECT_EQ(on_battery_traps_.size(), 1u);
  advance(2s);
  ASSERT_EQ(on_battery_traps_.size(), 2u);
  // Recorded at the end of the 100 ms step in which the timer ran.
  EXPECT_GE(on_battery_traps_[1] - start, 60s);
  EXPECT_LT(on_battery_traps_[1] - start, 60s + 100ms);
  EXPECT_GE(model_->seconds_on_battery(), 60);
  // OnBattery is a row but not announced; InputBad is both.
  EXPECT_TRUE(model_->alarms().has(Alarm::kOnBattery));
  EXPECT_EQ(std::count(added_.begin(), added_.end(), Alarm::kOnBattery), 0);
  EXPECT_EQ(std::count(added_.begin(), added_.end(), Alarm::kInputBad), 1);
  EXPECT_EQ(model_->input_line_bads(), 1u);

  collector_->ups().set_mains(true);
  advance(1s);
  EXPECT_EQ(model_->seconds_on_battery(), 0);
  advance(120s);
  EXPECT_EQ(on_battery_traps_.size(), 2u);  // no repeats on mains
  EXPECT_EQ(std::count(removed_.begin(), removed_.end(), Alarm::kOnBattery), 1);
  // A second failure counts again.
  collector_->ups().set_mains(false);
  advance(1s);
  EXPECT_EQ(model_->input_line_bads(), 2u);
}

TEST_F(UpsModelTest, SpinLockIsTestAndIncr) {
  EXPECT_EQ(model_->test_spin_lock(), 1);
  EXPECT_FALSE(model_->take_spin_lock(2));
  EXPECT_TRUE(model_->take_spin_lock(1));
  EXPECT_EQ(model_->test_spin_lock(), 2);
  for (long v = 2; v < 5; ++v) ASSERT_TRUE(model_->take_spin_lock(v));
  EXPECT_EQ(model_->test_spin_lock(), 5);
}

TEST_F(UpsModelTest, QuickTestRunsToItsResultAndASecondIsRefusedMeanwhile) {
  ASSERT_EQ(model_->can_start_test(TestKind::kQuickBatteryTest), Refusal::kNone);
  EXPECT_EQ(model_->can_start_test(TestKind::kAbortTestInProgress), Refusal::kBusy);
  model_->start_test(TestKind::kQuickBatteryTest);
  EXPECT_EQ(model_->test_summary(), TestSummary::kInProgress);
  EXPECT_TRUE(model_->alarms().has(Alarm::kTestInProgress));
  EXPECT_EQ(model_->can_start_test(TestKind::kQuickBatteryTest), Refusal::kBusy);
  advance(9s);
  EXPECT_EQ(model_->test_summary(), TestSummary::kInProgress);
  advance(2s);
  EXPECT_EQ(model_->test_summary(), TestSummary::kDonePass);
  EXPECT_EQ(tests_completed_, 1);
  EXPECT_GE(model_->test_elapsed_ticks(), 1000);
  EXPECT_LE(model_->test_elapsed_ticks(), 1100);
  EXPECT_FALSE(model_->alarms().has(Alarm::kTestInProgress));
  // TestInProgress is never announced.
  EXPECT_EQ(std::count(added_.begin(), added_.end(), Alarm::kTestInProgress), 0);
  EXPECT_EQ(std::count(removed_.begin(), removed_.end(), Alarm::kTestInProgress), 0);
}

TEST_F(UpsModelTest, AbortEndsTheTestAsAborted) {
  model_->start_test(TestKind::kDeepBatteryCalibration);
  advance(1s);
  ASSERT_EQ(model_->can_start_test(TestKind::kAbortTestInProgress), Refusal::kNone);
  model_->start_test(TestKind::kAbortTestInProgress);
  advance(1s);
  EXPECT_EQ(model_->test_summary(), TestSummary::kAborted);
  EXPECT_EQ(model_->test_id(), TestKind::kAbortTestInProgress);
  EXPECT_EQ(sent().back(), "test.battery.stop");
}

TEST_F(UpsModelTest, LongShutdownDelayIsSentWhenTheRemainderFitsTheUps) {
  model_->set_shutdown_after_delay(900);
  EXPECT_TRUE(model_->alarms().has(Alarm::kShutdownPending));
  advance(300s - 1ms);
  EXPECT_TRUE(sent().empty());
  EXPECT_EQ(model_->shutdown_after_delay(), 601);  // 600.001 s, rounded up to the second
  advance(1ms);
  ASSERT_EQ(sent().size(), 1u);
  // The mains are present: no power loss, so no automatic restart (upsAutoRestart).
  EXPECT_EQ(sent()[0], "shutdown.stayoff delay=600s");
  EXPECT_EQ(model_->shutdown_after_delay(), 600);
  // ShutdownImminent in the last five seconds only.
  advance(594s);
  EXPECT_FALSE(model_->alarms().has(Alarm::kShutdownImminent));
  advance(2s);
  EXPECT_TRUE(model_->alarms().has(Alarm::kShutdownImminent));
  advance(5s);
  EXPECT_EQ(model_->shutdown_after_delay(), -1);
  EXPECT_TRUE(model_->alarms().has(Alarm::kOutputOffAsRequested));
  EXPECT_EQ(model_->output_source(), OutputSource::kNone);
}

TEST_F(UpsModelTest, OnBatteryWithAutoRestartTheUpsComesBackWithTheMains) {
  collector_->ups().set_mains(false);
  advance(1s);
  model_->set_shutdown_after_delay(20);
  advance(1ms);
  ASSERT_EQ(sent().size(), 1u);
  EXPECT_EQ(sent()[0], "shutdown.return delay=20s");
  advance(21s);
  EXPECT_FALSE(collector_->ups().output_on());
  EXPECT_TRUE(model_->alarms().has(Alarm::kAwaitingPower));
  collector_->ups().set_mains(true);
  advance(1s);
  EXPECT_TRUE(collector_->ups().output_on());
  EXPECT_FALSE(model_->alarms().has(Alarm::kOutputOffAsRequested));
}

TEST_F(UpsModelTest, StartupThenShutdownBecomesOneCommandWithItsRestartTime) {
  // A startup countdown set first, then a shutdown that fits the UPS: one S..R.. command.
  model_->set_startup_after_delay(200);
  model_->set_shutdown_after_delay(60);
  advance(1ms);
  ASSERT_EQ(sent().size(), 1u);
  EXPECT_EQ(sent()[0], "shutdown.return delay=60s restart_after=140s");
  advance(61s);
  EXPECT_FALSE(collector_->ups().output_on());
  advance(140s);
  EXPECT_TRUE(collector_->ups().output_on());
  EXPECT_EQ(sent().size(), 1u);  // the UPS restarted itself: no load.on from the agent
}

class CountlessUpsModelTest : public UpsModelTest {
 protected:
  CountlessUpsModelTest() : UpsModelTest(0s) {}
};

TEST_F(CountlessUpsModelTest, TheAgentCountsAndCutsAtZero) {
  model_->set_auto_restart(false);
  model_->set_shutdown_after_delay(30);
  advance(30s - 1ms);
  EXPECT_TRUE(sent().empty());
  advance(1ms);
  ASSERT_EQ(sent().size(), 1u);
  EXPECT_EQ(sent()[0], "load.off");
}

TEST_F(CountlessUpsModelTest, RebootIsOffNowOnAfterTheDuration) {
  model_->set_reboot_with_duration(20);
  advance(1ms);
  ASSERT_EQ(sent().size(), 1u);
  EXPECT_EQ(sent()[0], "load.off");
  EXPECT_EQ(model_->reboot_with_duration(), 20);
  advance(19s);
  EXPECT_EQ(sent().size(), 1u);
  advance(1s + 1ms);
  ASSERT_EQ(sent().size(), 2u);
  EXPECT_EQ(sent()[1], "load.on");
  EXPECT_EQ(model_->reboot_with_duration(), -1);
}

TEST_F(CountlessUpsModelTest, StartupDuringAUtilityFailureWaitsForTheMains) {
  collector_->ups().run({collectors::ups_cmd::kLoadOff, {}, {}, {}});
  collector_->ups().set_mains(false);
  advance(1s);
  model_->set_startup_after_delay(10);
  advance(11s);
  EXPECT_EQ(sent().size(), 1u);  // only the load.off above
  collector_->ups().set_mains(true);
  advance(2s);
  ASSERT_EQ(sent().size(), 2u);
  EXPECT_EQ(sent()[1], "load.on");
}

TEST_F(UpsModelTest, LostLinkRaisesCommunicationsLostAndUnknownBattery) {
  collector_->ups().set_silent(true);
  advance(29s);
  EXPECT_FALSE(model_->alarms().has(Alarm::kCommunicationsLost));  // stale, values kept
  EXPECT_EQ(model_->battery_status(), BatteryStatus::kNormal);
  advance(2s);
  EXPECT_TRUE(model_->alarms().has(Alarm::kCommunicationsLost));
  EXPECT_EQ(model_->battery_status(), BatteryStatus::kUnknown);
  EXPECT_EQ(model_->can_control(), Refusal::kNoUps);
  EXPECT_EQ(model_->static_vars().get("ups.model"), "SimUPS 1500");
}

}  // namespace
}  // namespace netpower::agent::ups
