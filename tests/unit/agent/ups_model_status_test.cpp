// The UPS model's reading of ups.status in NUT's meaning (OL / OB: the mains only; DISCHRG: the
// battery feeds the output; OFF: no output) and its TimeStamps on the master's sysUpTime.

#include <gtest/gtest.h>

#include "agent/ups/ups_model.h"
#include "collectors/sim/sim_ups_collector.h"
#include "tests/unit/agent/manual_loop.h"

namespace netpower::agent::ups {
namespace {

using namespace std::chrono_literals;
using collectors::UpsCommandResult;
using collectors::sim::SimUpsCollector;
using collectors::sim::SimUpsSettings;
namespace cmd = collectors::ups_cmd;

class UpsModelStatusTest : public ::testing::Test {
 protected:
  UpsModelStatusTest() {
    SimUpsSettings sim;
    sim.quick_test_time = 30s;
    sim_ = std::make_unique<SimUpsCollector>(sim, loop_);
    UpsAgentSettings settings;
    settings.poll_interval = 1s;
    model_ = std::make_unique<UpsModel>(loop_, *sim_, settings);
    model_->set_uptime_source([this]() { return master_uptime_; });
    model_->events().on_battery = [this]() { ++on_battery_traps_; };
    model_->start_polling();
  }
  void advance(core::Duration d) {
    while (d > core::Duration::zero()) {
      auto step = std::min<core::Duration>(d, 100ms);
      loop_.advance(step);
      master_uptime_ += static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(step).count() / 10);
      d -= step;
    }
  }
  void run(const char* name) {
    sim_->run({name, {}, {}, {}}, [](const UpsCommandResult&) {});
  }
  const AlarmRow* row(Alarm alarm) {
    rows_ = model_->alarms().rows();
    for (const auto& r : rows_) {
      if (r.alarm == alarm) return &r;
    }
    return nullptr;
  }

  testing::ManualLoop loop_;
  std::unique_ptr<SimUpsCollector> sim_;
  std::unique_ptr<UpsModel> model_;
  std::uint64_t master_uptime_ = 4'000'000;  // the master has been up for 11 hours
  int on_battery_traps_ = 0;
  std::vector<AlarmRow> rows_;
};

TEST_F(UpsModelStatusTest, AnOutputOffOnBatteryIsNotOnBatteryPower) {
  sim_->ups().set_mains(false);
  advance(2s);
  ASSERT_NE(row(Alarm::kOnBattery), nullptr);
  EXPECT_EQ(model_->output_source(), OutputSource::kBattery);
  EXPECT_EQ(on_battery_traps_, 1);
  run(cmd::kLoadOff);  // "OB OFF": no mains, no output
  advance(2s);
  EXPECT_EQ(row(Alarm::kOnBattery), nullptr);
  EXPECT_EQ(model_->seconds_on_battery(), 0);
  EXPECT_EQ(model_->output_source(), OutputSource::kNone);
  EXPECT_NE(row(Alarm::kUpsOutputOff), nullptr);
  EXPECT_NE(row(Alarm::kAwaitingPower), nullptr);
  EXPECT_NE(row(Alarm::kInputBad), nullptr) << "the input is still out of tolerance";
  advance(2min);
  EXPECT_EQ(on_battery_traps_, 1) << "upsTrapOnBattery stops when the output is off";
}

TEST_F(UpsModelStatusTest, ABatteryTestOnMainsFeedsFromTheBatteryWithoutAnInputLineBad) {
  run(cmd::kTestQuick);  // "OL DISCHRG CAL"
  advance(2s);
  EXPECT_EQ(model_->output_source(), OutputSource::kBattery);
  EXPECT_EQ(row(Alarm::kOnBattery), nullptr) << "the mains are there";
  EXPECT_EQ(row(Alarm::kInputBad), nullptr);
  EXPECT_EQ(model_->input_line_bads(), 0u);
  EXPECT_EQ(on_battery_traps_, 0);
  advance(30s);
  EXPECT_EQ(model_->output_source(), OutputSource::kNormal);
}

TEST_F(UpsModelStatusTest, TimeStampsAreTheMastersSysUpTime) {
  advance(5s);
  sim_->ups().set_mains(false);
  auto at = master_uptime_;
  advance(1s);
  const auto* on_battery = row(Alarm::kOnBattery);
  ASSERT_NE(on_battery, nullptr);
  EXPECT_GE(on_battery->time, at);
  EXPECT_LE(on_battery->time, at + 100);
  EXPECT_EQ(model_->ticks(), static_cast<std::uint32_t>(master_uptime_));
  sim_->ups().set_mains(true);
  advance(2s);
  model_->start_test(TestKind::kQuickBatteryTest);
  EXPECT_EQ(model_->test_start_ticks(), static_cast<std::uint32_t>(master_uptime_));
}

TEST_F(UpsModelStatusTest, TimesTakenBeforeAMasterRestartBecomeZero) {
  advance(2s);
  sim_->ups().set_battery_bad(true);
  advance(2s);
  ASSERT_NE(row(Alarm::kBatteryBad), nullptr);
  ASSERT_GT(row(Alarm::kBatteryBad)->time, 4'000'000u);
  model_->start_test(TestKind::kQuickBatteryTest);
  ASSERT_GT(model_->test_start_ticks(), 4'000'000u);
  auto generation = model_->alarms().generation();
  master_uptime_ = 300;  // snmpd restarted 3 s ago
  advance(2s);
  EXPECT_EQ(row(Alarm::kBatteryBad)->time, 0u);
  EXPECT_EQ(model_->test_start_ticks(), 0u);
  EXPECT_NE(model_->alarms().generation(), generation) << "the MIB rebuilds the rows";
  // New conditions are stamped on the new sysUpTime.
  sim_->ups().set_temperature(60);
  advance(2s);
  ASSERT_NE(row(Alarm::kTempBad), nullptr);
  EXPECT_GE(row(Alarm::kTempBad)->time, 500u);
  EXPECT_LE(row(Alarm::kTempBad)->time, 800u);
}

TEST(UpsModelOwnClock, WithoutAnUptimeSourceTicksCountFromTheModelsStart) {
  testing::ManualLoop loop;
  SimUpsCollector sim(SimUpsSettings{}, loop);
  loop.advance(1h);
  UpsModel model(loop, sim, UpsAgentSettings{});
  loop.advance(12340ms);
  EXPECT_EQ(model.ticks(), 1234u);
}

}  // namespace
}  // namespace netpower::agent::ups
