// RFC 1628 details of the UPS model that a strict NMS notices: upsAlarmShutdownImminent only in
// the last five seconds (not for a UPS's FSD during a shutdown we sent, not after an abort), and
// no CommunicationsLost alarm before the first read of a UPS at start.

#include <gtest/gtest.h>

#include <algorithm>

#include "agent/snmp/ups_mib.h"
#include "agent/ups/ups_model.h"
#include "collectors/sim/sim_ups_collector.h"
#include "tests/unit/agent/manual_loop.h"

namespace netpower::agent::ups {
namespace {

using namespace std::chrono_literals;
using collectors::UpsCollector;
using snmp::operator+;
using collectors::UpsCommand;
using collectors::UpsCommandDone;
using collectors::UpsReading;
using collectors::sim::SimUpsCollector;
using collectors::sim::SimUpsSettings;

// The simulated UPS as a Megatec one reports it: FSD in ups.status from the moment a shutdown
// command is received (S02: "shutdown active"), and still in the first reply after the abort
// (C) since that reply was read before the UPS took the command. It answers only once told to.
class MegatecLikeUps : public UpsCollector {
 public:
  explicit MegatecLikeUps(UpsCollector& inner) : inner_(inner) {}
  std::string name() const override { return "megatec-like"; }
  UpsReading read() override {
    if (!answering) return {};
    auto r = inner_.read();
    bool fsd = fsd_on || lingering > 0;
    if (lingering > 0) --lingering;
    if (fsd) r.vars.set("ups.status", r.vars.get("ups.status").value_or("") + " FSD");
    for (const auto& name : drop) r.vars.erase(name);
    for (const auto& [name, value] : add) r.vars.set(name, value);
    return r;
  }
  std::vector<std::string> commands() const override { return inner_.commands(); }
  std::chrono::seconds max_command_delay() const override { return inner_.max_command_delay(); }
  void run(const UpsCommand& command, UpsCommandDone done) override {
    if (command.name.starts_with("shutdown.return") || command.name == "shutdown.stayoff") {
      fsd_on = true;
    }
    if (command.name == "shutdown.stop" && fsd_on) {
      fsd_on = false;
      lingering = 1;
    }
    inner_.run(command, std::move(done));
  }

  bool answering = true;
  std::vector<std::string> drop;                         // variables this UPS does not report
  std::vector<std::pair<std::string, std::string>> add;  // ... and those it reports instead
  bool fsd_on = false;
  int lingering = 0;

 private:
  UpsCollector& inner_;
};

class UpsModelRfcTest : public ::testing::Test {
 protected:
  UpsModelRfcTest() {
    SimUpsSettings sim;
    sim.comm_lost_after = 30s;
    sim_ = std::make_unique<SimUpsCollector>(sim, loop_);
    ups_ = std::make_unique<MegatecLikeUps>(*sim_);
  }
  void start() {
    UpsAgentSettings settings;
    settings.poll_interval = 1s;
    model_ = std::make_unique<UpsModel>(loop_, *ups_, settings);
    model_->events().alarm_added = [this](const AlarmRow& row) { added_.push_back(row.alarm); };
    model_->events().alarm_removed = [this](const AlarmRow& row) { removed_.push_back(row.alarm); };
    model_->start_polling();
  }
  void advance(core::Duration d) {
    while (d > core::Duration::zero()) {
      auto step = std::min<core::Duration>(d, 100ms);
      loop_.advance(step);
      d -= step;
    }
  }
  bool ever_added(Alarm alarm) const {
    return std::find(added_.begin(), added_.end(), alarm) != added_.end();
  }
  bool imminent() const { return model_->alarms().has(Alarm::kShutdownImminent); }

  testing::ManualLoop loop_;
  std::unique_ptr<SimUpsCollector> sim_;
  std::unique_ptr<MegatecLikeUps> ups_;
  std::unique_ptr<UpsModel> model_;
  std::vector<Alarm> added_, removed_;
};

TEST_F(UpsModelRfcTest, ShutdownImminentOnlyInTheLastFiveSecondsNotForTheUpsCountingIt) {
  start();
  model_->set_shutdown_after_delay(120);
  advance(2s);
  ASSERT_TRUE(ups_->fsd_on) << "the UPS counts the 2 minutes itself (FSD)";
  EXPECT_TRUE(model_->alarms().has(Alarm::kShutdownPending));
  EXPECT_FALSE(imminent()) << "FSD of a shutdown we sent is not 'less than 5 seconds'";
  advance(113s);  // 115 s: exactly 5 s left
  EXPECT_FALSE(imminent());
  advance(5ms);  // on time, not at the next poll
  loop_.advance(0ms);
  EXPECT_TRUE(imminent());
}

TEST_F(UpsModelRfcTest, AnAbortedShutdownLeavesNoImminentAlarmBehind) {
  start();
  model_->set_shutdown_after_delay(120);
  advance(60s);
  model_->set_shutdown_after_delay(-1);
  EXPECT_FALSE(model_->alarms().has(Alarm::kShutdownPending));
  advance(1s);  // the poll still sees FSD, read before the UPS took the abort
  EXPECT_FALSE(imminent());
  advance(2s);
  EXPECT_FALSE(imminent());
  EXPECT_FALSE(ever_added(Alarm::kShutdownImminent));
}

TEST_F(UpsModelRfcTest, AnFsdTheUpsRaisesByItselfIsImminent) {
  start();
  ups_->fsd_on = true;
  advance(1s);
  EXPECT_TRUE(imminent());
}

TEST_F(UpsModelRfcTest, NoCommunicationsLostBeforeTheFirstReadAtStart) {
  ups_->answering = false;
  start();
  advance(5s);
  EXPECT_FALSE(model_->alarms().has(Alarm::kCommunicationsLost));
  ups_->answering = true;
  advance(2s);
  EXPECT_TRUE(added_.empty() || !ever_added(Alarm::kCommunicationsLost));
  EXPECT_TRUE(removed_.empty()) << "nothing added and removed at start";
  EXPECT_EQ(model_->battery_status(), BatteryStatus::kNormal);
}

TEST_F(UpsModelRfcTest, AUpsThatNeverAnswersIsLostAfterTheStartGrace) {
  ups_->answering = false;
  start();
  advance(29s);
  EXPECT_FALSE(model_->alarms().has(Alarm::kCommunicationsLost));
  advance(2s);
  EXPECT_TRUE(model_->alarms().has(Alarm::kCommunicationsLost));
}

// ---------------------------------------------------------------- the UPS-MIB's view of it

class UpsMibRfcTest : public UpsModelRfcTest {
 protected:
  void start_mib() {
    start();
    mib_ = std::make_unique<snmp::UpsMib>(*model_, "test");
  }
  // The value of mib-2.33.1.<suffix>, nullopt for noSuchInstance or no such object.
  std::optional<long> get(snmp::Oid suffix) {
    auto oid = snmp::kUpsObjects + suffix;
    const auto* instance = mib_->tree().exact(oid.data(), oid.size());
    if (instance == nullptr) return std::nullopt;
    auto v = instance->get();
    if (!v) return std::nullopt;
    return v->integer;
  }
  static bool carries(const snmp::Varbinds& vbs, const snmp::Oid& oid) {
    return std::any_of(vbs.begin(), vbs.end(), [&](const auto& vb) { return vb.first == oid; });
  }
  std::unique_ptr<snmp::UpsMib> mib_;
};

TEST_F(UpsMibRfcTest, OnBatteryTrapCarriesNoInventedMinutesRemaining) {
  ups_->drop = {"battery.runtime"};
  start_mib();
  sim_->ups().set_mains(false);
  advance(2s);
  EXPECT_EQ(get({2, 3, 0}), std::nullopt) << "the object is absent";
  auto vbs = mib_->on_battery_varbinds();
  EXPECT_FALSE(carries(vbs, snmp::kUpsObjects + snmp::Oid{2, 3, 0}))
      << "upsEstimatedMinutesRemaining must not be made up";
  EXPECT_TRUE(carries(vbs, snmp::kUpsObjects + snmp::Oid{2, 2, 0}));
  EXPECT_TRUE(carries(vbs, snmp::kUpsObjects + snmp::Oid{9, 7, 0}));

  ups_->drop.clear();
  advance(2s);
  vbs = mib_->on_battery_varbinds();
  ASSERT_TRUE(carries(vbs, snmp::kUpsObjects + snmp::Oid{2, 3, 0}));
  EXPECT_EQ(vbs.front().second.integer, *get({2, 3, 0}));
}

TEST_F(UpsMibRfcTest, NumLinesEqualTheRowsOfTheirTablesAlsoWhenLost) {
  start_mib();
  advance(2s);
  EXPECT_EQ(get({3, 2, 0}), 1);
  EXPECT_EQ(get({4, 3, 0}), 1);
  ups_->answering = false;
  advance(2s);
  ASSERT_FALSE(model_->has_data());
  EXPECT_EQ(get({3, 3, 1, 3, 1}), std::nullopt) << "upsInputVoltage.1: no row";
  EXPECT_EQ(get({3, 2, 0}), 0) << "upsInputNumLines";
  EXPECT_EQ(get({4, 4, 1, 2, 1}), std::nullopt) << "upsOutputVoltage.1: no row";
  EXPECT_EQ(get({4, 3, 0}), 0) << "upsOutputNumLines";
}

TEST_F(UpsMibRfcTest, OutputFrequencyAndPowerWhereTheUpsReportsThem) {
  // A line-interactive UPS that measures one frequency (Megatec's Q1) and rates its watts as
  // output.realpower.nominal.
  ups_->drop = {"output.frequency", "ups.realpower.nominal", "ups.type"};
  ups_->add = {{"ups.type", "offline / line interactive"}, {"output.realpower.nominal", "900"}};
  start_mib();
  advance(2s);
  EXPECT_EQ(get({4, 2, 0}), 500) << "upsOutputFrequency: the mains it passes through, 0.1 Hz";
  EXPECT_EQ(get({9, 6, 0}), 900) << "upsConfigOutputPower";
  sim_->ups().set_mains(false);
  advance(2s);
  EXPECT_EQ(get({4, 2, 0}), std::nullopt) << "on battery the input frequency says nothing";

  // An online UPS with no output.frequency: nothing derived.
  ups_->add = {{"ups.type", "online"}};
  sim_->ups().set_mains(true);
  advance(2s);
  EXPECT_EQ(get({4, 2, 0}), std::nullopt);
}

}  // namespace
}  // namespace netpower::agent::ups
