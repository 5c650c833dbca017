// The patent's outlet rules on an injected clock: minimum-on/off holds, reboot timing, shutdown
// delay, locks, groups and the wake-up state.

#include <gtest/gtest.h>

#include "agent/model/chain_model.h"
#include "collectors/sim/sim_collector.h"
#include "tests/unit/agent/manual_loop.h"

namespace netpower::agent {
namespace {

using namespace std::chrono_literals;
using collectors::sim::HistoryEntry;
using core::PortId;
using testing::ManualLoop;
using Outcome = ActionResult::Outcome;

PortId port(const char* name) { return *PortId::parse(name); }

class OutletRulesTest : public ::testing::Test {
 protected:
  void start(bool cold_start = false) {
    collectors::sim::SimSettings sim;
    sim.boards = 2;
    sim.initially_on.fill(true);
    sim.cold_start = cold_start;
    for (int flat = 0; flat < 8; ++flat) sim.appliance_amps[static_cast<std::size_t>(flat)] = 1.0;
    pdu_ = std::make_unique<collectors::sim::SimCollector>(sim, loop_.clock());
    model_ = std::make_unique<ChainModel>(loop_, *pdu_, settings_);
    model_->on_control_change([this](PortId id, ControlState s) { changes_.push_back({id, s}); });
    model_->start_polling(1s);
  }
  PortSettings& cfg(const char* name) { return settings_.port(port(name)); }
  bool relay(const char* name) { return pdu_->chain().port(port(name)).relay_on; }
  bool signal(const char* name) { return pdu_->chain().port(port(name)).shutdown_asserted; }
  ControlState control(const char* name) { return model_->port(port(name)).control; }
  Outcome act(const char* name, PowerAction action) {
    return model_->act(port(name), action).outcome;
  }
  int relay_switches(const char* name, bool on) {
    int n = 0;
    for (const auto& e : pdu_->chain().history()) {
      n += e.port == port(name) && e.kind == HistoryEntry::Kind::kRelay &&
                   e.source == HistoryEntry::Source::kCollector && e.on == on
               ? 1
               : 0;
    }
    return n;
  }

  ManualLoop loop_;
  ChainSettings settings_;
  std::unique_ptr<collectors::sim::SimCollector> pdu_;
  std::unique_ptr<ChainModel> model_;
  std::vector<std::pair<PortId, ControlState>> changes_;
};

TEST_F(OutletRulesTest, MinimumOnTimeDefersAnOffToTheEndOfTheHold) {
  cfg("A1").min_on = 30s;
  start();
  // At start the last change is unknown: no hold.
  ASSERT_EQ(act("A1", PowerAction::kOff), Outcome::kDone);
  ASSERT_EQ(act("A1", PowerAction::kOn), Outcome::kDone);  // on at t0
  loop_.advance(10s);
  EXPECT_EQ(act("A1", PowerAction::kOff), Outcome::kDeferred);
  EXPECT_TRUE(relay("A1"));
  EXPECT_EQ(control("A1"), ControlState::kPendingOff);
  EXPECT_TRUE(model_->port(port("A1")).relay_on);
  loop_.advance(19999ms);  // t0 + 29.999 s
  EXPECT_TRUE(relay("A1"));
  loop_.advance(1ms);  // t0 + 30 s
  EXPECT_FALSE(relay("A1"));
  EXPECT_EQ(control("A1"), ControlState::kOff);
}

TEST_F(OutletRulesTest, MinimumOffTimeDefersAnOnAndANewActionReplacesTheDeferredOne) {
  cfg("A2").min_off = 20s;
  start();
  ASSERT_EQ(act("A2", PowerAction::kOff), Outcome::kDone);  // off at t0 (no min_on)
  loop_.advance(5s);
  EXPECT_EQ(act("A2", PowerAction::kOn), Outcome::kDeferred);
  EXPECT_EQ(control("A2"), ControlState::kPendingOn);
  loop_.advance(14999ms);
  EXPECT_FALSE(relay("A2"));
  loop_.advance(1ms);
  EXPECT_TRUE(relay("A2"));
  EXPECT_EQ(control("A2"), ControlState::kOn);

  // Off again at t1; a deferred on, then an off: the port stays off, nothing happens at the end.
  loop_.advance(1s);
  ASSERT_EQ(act("A2", PowerAction::kOff), Outcome::kDone);
  ASSERT_EQ(act("A2", PowerAction::kOn), Outcome::kDeferred);
  ASSERT_EQ(act("A2", PowerAction::kOff), Outcome::kDone);
  EXPECT_EQ(control("A2"), ControlState::kOff);
  int ons = relay_switches("A2", true);
  loop_.advance(30s);
  EXPECT_FALSE(relay("A2"));
  EXPECT_EQ(relay_switches("A2", true), ons);
}

// The edge: the 14th second of a reboot still off, the 16th on.
TEST_F(OutletRulesTest, RebootIsOffAtTheFourteenthSecondAndOnAtTheSixteenth) {
  start();
  ASSERT_EQ(act("B2", PowerAction::kReboot), Outcome::kDone);
  loop_.advance(14s);
  EXPECT_FALSE(relay("B2"));
  EXPECT_EQ(control("B2"), ControlState::kReboot);
  loop_.advance(2s);
  EXPECT_TRUE(relay("B2"));
  EXPECT_EQ(control("B2"), ControlState::kOn);
}

TEST_F(OutletRulesTest, MinimumOnTimeDefersAReboot) {
  cfg("A3").min_on = 60s;
  start();
  ASSERT_EQ(act("A3", PowerAction::kOff), Outcome::kDone);
  ASSERT_EQ(act("A3", PowerAction::kOn), Outcome::kDone);
  loop_.advance(50s);
  EXPECT_EQ(act("A3", PowerAction::kReboot), Outcome::kDeferred);
  EXPECT_EQ(control("A3"), ControlState::kPendingReboot);
  EXPECT_EQ(act("A3", PowerAction::kReboot), Outcome::kDeferred) << "the same, still one reboot";
  loop_.advance(10s);
  EXPECT_FALSE(relay("A3"));
  EXPECT_EQ(control("A3"), ControlState::kReboot);
  loop_.advance(15s);
  EXPECT_TRUE(relay("A3"));
  EXPECT_EQ(relay_switches("A3", false), 2);  // the first off and the reboot's
}

TEST_F(OutletRulesTest, ShutdownDelayAssertsTheSignalThenCutsPower) {
  cfg("B1").shutdown_delay = 60s;
  start();
  ASSERT_EQ(act("B1", PowerAction::kOff), Outcome::kDone);
  EXPECT_TRUE(signal("B1"));
  EXPECT_TRUE(relay("B1"));
  EXPECT_EQ(control("B1"), ControlState::kShutdown);
  EXPECT_TRUE(model_->port(port("B1")).shutdown_signal);
  loop_.advance(59999ms);
  EXPECT_TRUE(relay("B1"));
  loop_.advance(1ms);
  EXPECT_FALSE(relay("B1"));
  EXPECT_FALSE(signal("B1")) << "released once the power is cut";
  EXPECT_EQ(control("B1"), ControlState::kOff);
}

TEST_F(OutletRulesTest, PowerOnDuringTheShutdownDelayCancelsIt) {
  cfg("B1").shutdown_delay = 60s;
  start();
  ASSERT_EQ(act("B1", PowerAction::kOff), Outcome::kDone);
  loop_.advance(30s);
  ASSERT_EQ(act("B1", PowerAction::kOn), Outcome::kDone);
  EXPECT_FALSE(signal("B1"));
  EXPECT_EQ(control("B1"), ControlState::kOn);
  loop_.advance(60s);
  EXPECT_TRUE(relay("B1"));
  EXPECT_EQ(relay_switches("B1", false), 0) << "the power was never cut";
}

TEST_F(OutletRulesTest, RebootWithAShutdownDelaySignalsWaitsCutsAndComesBack) {
  cfg("B3").shutdown_delay = 30s;
  cfg("B3").min_off = 20s;
  start();
  ASSERT_EQ(act("B3", PowerAction::kReboot), Outcome::kDone);
  EXPECT_EQ(control("B3"), ControlState::kShutdown);
  EXPECT_EQ(act("B3", PowerAction::kReboot), Outcome::kDone);  // does not stack
  loop_.advance(30s);
  EXPECT_FALSE(relay("B3"));
  EXPECT_FALSE(signal("B3"));
  EXPECT_EQ(control("B3"), ControlState::kReboot);
  loop_.advance(19999ms);
  EXPECT_FALSE(relay("B3"));
  loop_.advance(1ms);
  EXPECT_TRUE(relay("B3"));
  EXPECT_EQ(relay_switches("B3", false), 1);
}

TEST_F(OutletRulesTest, OffDuringARebootsShutdownDelayStaysOff) {
  cfg("B3").shutdown_delay = 30s;
  start();
  ASSERT_EQ(act("B3", PowerAction::kReboot), Outcome::kDone);
  loop_.advance(10s);
  ASSERT_EQ(act("B3", PowerAction::kOff), Outcome::kDone);
  loop_.advance(20s);
  EXPECT_FALSE(relay("B3"));
  loop_.advance(60s);
  EXPECT_FALSE(relay("B3")) << "the reboot became an off";
  EXPECT_EQ(control("B3"), ControlState::kOff);
}

TEST_F(OutletRulesTest, ALockedPortRefusesEveryRemoteChange) {
  cfg("A4").locked = true;
  start();
  changes_.clear();
  for (auto action : {PowerAction::kOff, PowerAction::kReboot}) {
    auto r = model_->act(port("A4"), action);
    EXPECT_EQ(r.outcome, Outcome::kLocked);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.hardware.detail, "the port is locked");
  }
  EXPECT_EQ(model_->act(port("A4"), PowerAction::kNoop).outcome, Outcome::kDone);
  EXPECT_TRUE(relay("A4"));
  EXPECT_TRUE(model_->port(port("A4")).locked);
  EXPECT_TRUE(changes_.empty());
  // The unit's own button still works (locks are against remote changes).
  pdu_->chain().press_button(port("A4"), false);
  loop_.advance(1s);
  EXPECT_EQ(control("A4"), ControlState::kOff);
  EXPECT_EQ(act("A4", PowerAction::kOn), Outcome::kLocked);
  EXPECT_FALSE(relay("A4"));
}

TEST_F(OutletRulesTest, LockingAPortCancelsItsDeferredAction) {
  cfg("A1").min_on = 30s;
  start();
  act("A1", PowerAction::kOff);
  act("A1", PowerAction::kOn);
  ASSERT_EQ(act("A1", PowerAction::kOff), Outcome::kDeferred);
  auto next = model_->settings();
  next.port(port("A1")).locked = true;
  model_->update_settings(next);
  EXPECT_EQ(control("A1"), ControlState::kOn);
  loop_.advance(60s);
  EXPECT_TRUE(relay("A1"));
}

TEST_F(OutletRulesTest, AGroupWithOneLockedMemberActsOnTheOthersAndCountsThem) {
  cfg("A1").group = "web";
  cfg("A2").group = "WEB";
  cfg("B1").group = "web";
  cfg("B1").locked = true;
  cfg("B2").group = "db";
  start();
  auto r = model_->act_group("Web", PowerAction::kOff);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->acted, 2);
  EXPECT_EQ(r->locked, 1);
  EXPECT_EQ(r->text, "2 port(s) turned off, 1 port(s) locked");
  EXPECT_FALSE(relay("A1"));
  EXPECT_FALSE(relay("A2"));
  EXPECT_TRUE(relay("B1"));
  EXPECT_TRUE(relay("B2"));
}

TEST_F(OutletRulesTest, GroupActionsCountPortsTheUserMayNotSwitchAndHoldsStillApply) {
  cfg("A1").min_on = 30s;
  cfg("B4").name = "spare";
  start();
  act("A1", PowerAction::kOff);
  act("A1", PowerAction::kOn);
  auto r = model_->act_group("ALL", PowerAction::kOff,
                             [](PortId id) { return id.board.index == 0; });  // board A only
  ASSERT_TRUE(r);
  EXPECT_EQ(r->acted, 4) << "A1 deferred by its hold still counts as acted";
  EXPECT_EQ(r->not_permitted, 0) << "a user's ALL is the ports that user may switch";
  EXPECT_EQ(r->text, "4 port(s) turned off, 0 port(s) locked");
  EXPECT_EQ(control("A1"), ControlState::kPendingOff);
  EXPECT_TRUE(relay("B1"));
  auto named =
      model_->act_group("B2", PowerAction::kOff, [](PortId id) { return id.board.index == 0; });
  ASSERT_TRUE(named);
  EXPECT_EQ(named->text, "0 port(s) turned off, 0 port(s) locked, 1 port(s) not permitted")
      << "a port named explicitly keeps its own count";
  EXPECT_TRUE(relay("B2"));

  auto by_name = model_->act_group("SPARE", PowerAction::kOff);
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->acted, 1);
  EXPECT_FALSE(relay("B4"));
  auto absolute = model_->act_group(".B3", PowerAction::kReboot);
  ASSERT_TRUE(absolute);
  EXPECT_EQ(absolute->text, "1 port(s) rebooted, 0 port(s) locked");
  EXPECT_FALSE(model_->act_group("nosuch", PowerAction::kOff));
  EXPECT_FALSE(model_->act_group("C1", PowerAction::kOff)) << "not in a chain of two boards";
}

TEST_F(OutletRulesTest, AUsersAllIsItsOwnPortsWhileAGroupCountsTheOthers) {
  cfg("A2").group = "web";
  cfg("B1").group = "web";
  start();
  auto only_a1_a2 = [](PortId id) { return id.board.index == 0 && id.number <= 2; };
  auto all = model_->act_group("all", PowerAction::kOff, only_a1_a2);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->text, "2 port(s) turned off, 0 port(s) locked");
  EXPECT_TRUE(relay("A3"));
  auto group = model_->act_group("web", PowerAction::kOn, only_a1_a2);
  ASSERT_TRUE(group);
  EXPECT_EQ(group->text, "1 port(s) turned on, 0 port(s) locked, 1 port(s) not permitted");
  auto none = model_->act_group("ALL", PowerAction::kOff, [](PortId) { return false; });
  ASSERT_TRUE(none) << "ALL still names the chain";
  EXPECT_EQ(none->text, "0 port(s) turned off, 0 port(s) locked");
}

TEST_F(OutletRulesTest, WakeUpStatesApplyWhenABoardPowersUpAgain) {
  cfg("A2").wake_up = WakeUpState::kOff;
  cfg("B1").wake_up = WakeUpState::kOff;
  start();
  ASSERT_TRUE(relay("A2"));
  pdu_->chain().power_loss(core::BoardId{0});
  EXPECT_FALSE(relay("A1"));
  loop_.advance(1s);  // the next read sees board A powered up
  EXPECT_TRUE(relay("A1"));
  EXPECT_FALSE(relay("A2"));
  EXPECT_TRUE(relay("A3"));
  EXPECT_EQ(control("A2"), ControlState::kOff);
  EXPECT_TRUE(relay("B1")) << "board B did not lose power";
  EXPECT_FALSE(pdu_->chain().board(core::BoardId{0}).powered_up) << "acknowledged";
  pdu_->chain().press_button(port("A2"), true);
  loop_.advance(1s);
  EXPECT_TRUE(relay("A2")) << "applied once, not on every read";
}

TEST_F(OutletRulesTest, AnAgentStartingAfterAPowerLossAppliesTheWakeUpStates) {
  cfg("A3").wake_up = WakeUpState::kOff;
  start(/*cold_start=*/true);
  EXPECT_TRUE(relay("A1"));
  EXPECT_FALSE(relay("A3"));
  EXPECT_TRUE(relay("B4"));
  EXPECT_EQ(control("A3"), ControlState::kOff);
  EXPECT_EQ(control("A1"), ControlState::kOn);
}

TEST_F(OutletRulesTest, AButtonPressDuringTheShutdownDelayEndsItAndReleasesTheSignal) {
  cfg("B2").shutdown_delay = 60s;
  start();
  ASSERT_EQ(act("B2", PowerAction::kOff), Outcome::kDone);
  pdu_->chain().press_button(port("B2"), false);
  loop_.advance(1s);
  EXPECT_EQ(control("B2"), ControlState::kOff);
  EXPECT_FALSE(signal("B2"));
  pdu_->chain().press_button(port("B2"), true);
  loop_.advance(90s);
  EXPECT_TRUE(relay("B2")) << "the ended shutdown must not cut the power later";
}

}  // namespace
}  // namespace netpower::agent
