#include "agent/model/chain_model.h"

#include <gtest/gtest.h>

#include "collectors/sim/sim_collector.h"
#include "tests/unit/agent/manual_loop.h"

namespace netpower::agent {
namespace {

using namespace std::chrono_literals;
using core::PortId;
using testing::ManualLoop;

PortId port(const char* name) { return *PortId::parse(name); }

class ChainModelTest : public ::testing::Test {
 protected:
  explicit ChainModelTest(int boards = 2) {
    collectors::sim::SimSettings sim;
    sim.boards = boards;
    sim.appliance_amps[static_cast<std::size_t>(port("A1").flat())] = 2.5;
    sim.appliance_amps[static_cast<std::size_t>(port("A2").flat())] = 1.0;
    sim.initially_on.fill(true);
    sim.initially_on[static_cast<std::size_t>(port("B4").flat())] = false;
    pdu_ = std::make_unique<collectors::sim::SimCollector>(sim, loop_.clock());
    settings_.location = "test rack";
    settings_.port(port("A2")).min_off = 20s;
    settings_.port(port("A1")).name = "router";
    model_ = std::make_unique<ChainModel>(loop_, *pdu_, settings_);
    model_->on_control_change([this](PortId id, ControlState s) { changes_.push_back({id, s}); });
    model_->start_polling(1s);
  }
  bool relay(const char* name) { return pdu_->chain().port(port(name)).relay_on; }
  ControlState control(const char* name) { return model_->port(port(name)).control; }

  ManualLoop loop_;
  std::unique_ptr<collectors::sim::SimCollector> pdu_;
  ChainSettings settings_;
  std::unique_ptr<ChainModel> model_;
  std::vector<std::pair<PortId, ControlState>> changes_;
};

TEST_F(ChainModelTest, AdoptsTheHardwareAtStart) {
  EXPECT_EQ(model_->board_count(), 2);
  EXPECT_TRUE(model_->link_up());
  EXPECT_EQ(control("A1"), ControlState::kOn);
  EXPECT_EQ(control("B4"), ControlState::kOff);
  auto a1 = model_->port(port("A1"));
  EXPECT_EQ(a1.name, "router");
  EXPECT_EQ(a1.module, ModuleStatus::kNormal);
  ASSERT_TRUE(a1.load_amps);
  EXPECT_DOUBLE_EQ(*a1.load_amps, 2.5);
  auto board_a = model_->board(core::BoardId{0});
  ASSERT_TRUE(board_a.input_load_amps);
  EXPECT_DOUBLE_EQ(*board_a.input_load_amps, 3.5);
  EXPECT_FALSE(model_->has_port(port("C1")));
}

TEST_F(ChainModelTest, OffAndOnSwitchTheRelayAndShowTheLoadAtOnce) {
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kOff).ok());
  EXPECT_FALSE(relay("A1"));
  EXPECT_EQ(control("A1"), ControlState::kOff);
  EXPECT_DOUBLE_EQ(*model_->port(port("A1")).load_amps, 0.0);  // without waiting for a poll
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kOn).ok());
  EXPECT_TRUE(relay("A1"));
  EXPECT_DOUBLE_EQ(*model_->port(port("A1")).load_amps, 2.5);
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kNoop).ok());
  EXPECT_EQ(pdu_->chain().history().size(), 8u + 2u);  // 8 initial states, off, on
}

// The rule's edge: off for max(15 s, minimum-off); the 14.999th second still off, the 15th on.
TEST_F(ChainModelTest, RebootComesBackOnAfterExactly15Seconds) {
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kReboot).ok());
  EXPECT_FALSE(relay("A1"));
  EXPECT_EQ(control("A1"), ControlState::kReboot);
  loop_.advance(14999ms);
  EXPECT_FALSE(relay("A1"));
  EXPECT_EQ(control("A1"), ControlState::kReboot);
  loop_.advance(1ms);
  EXPECT_TRUE(relay("A1"));
  EXPECT_EQ(control("A1"), ControlState::kOn);
}

TEST_F(ChainModelTest, RebootHonoursALongerMinimumOffTime) {
  ASSERT_TRUE(model_->act(port("A2"), PowerAction::kReboot).ok());
  loop_.advance(15s);
  EXPECT_FALSE(relay("A2")) << "min_off 20 s holds it off past 15 s";
  loop_.advance(4999ms);
  EXPECT_FALSE(relay("A2"));
  loop_.advance(1ms);
  EXPECT_TRUE(relay("A2"));
}

TEST_F(ChainModelTest, ASecondRebootDoesNotStack) {
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kReboot).ok());
  loop_.advance(10s);
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kReboot).ok());
  loop_.advance(5s);
  EXPECT_TRUE(relay("A1")) << "the first reboot's 15 s stand";
  loop_.advance(30s);
  EXPECT_TRUE(relay("A1"));
  int offs = 0;
  for (const auto& e : pdu_->chain().history()) offs += (e.port == port("A1") && !e.on) ? 1 : 0;
  EXPECT_EQ(offs, 1);
}

TEST_F(ChainModelTest, OffOrOnDuringARebootCancelsIt) {
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kReboot).ok());
  ASSERT_TRUE(model_->act(port("B1"), PowerAction::kReboot).ok());
  loop_.advance(5s);
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kOff).ok());
  ASSERT_TRUE(model_->act(port("B1"), PowerAction::kOn).ok());
  EXPECT_EQ(control("A1"), ControlState::kOff);
  EXPECT_EQ(control("B1"), ControlState::kOn);
  EXPECT_TRUE(relay("B1"));
  loop_.advance(60s);
  EXPECT_FALSE(relay("A1"));
  EXPECT_EQ(control("A1"), ControlState::kOff);
}

TEST_F(ChainModelTest, RebootOfAnOffPortTurnsItOnAtOnce) {
  ASSERT_TRUE(model_->act(port("B4"), PowerAction::kReboot).ok());
  EXPECT_TRUE(relay("B4"));
  EXPECT_EQ(control("B4"), ControlState::kOn);
}

TEST_F(ChainModelTest, ControlChangesAreReportedOnce) {
  changes_.clear();
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kReboot).ok());
  loop_.advance(15s);
  ASSERT_EQ(changes_.size(), 2u);
  EXPECT_EQ(changes_[0].second, ControlState::kReboot);
  EXPECT_EQ(changes_[1].second, ControlState::kOn);
}

TEST_F(ChainModelTest, ARelaySwitchedAtTheUnitIsAdoptedAndEndsAReboot) {
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kReboot).ok());
  pdu_->chain().press_button(port("A1"), true);
  loop_.advance(1s);  // the next poll
  EXPECT_EQ(control("A1"), ControlState::kOn);
  pdu_->chain().press_button(port("A1"), false);
  loop_.advance(1s);
  EXPECT_EQ(control("A1"), ControlState::kOff);
  loop_.advance(20s);
  EXPECT_FALSE(relay("A1")) << "the cancelled reboot must not switch it back on";
}

TEST_F(ChainModelTest, FailuresAreReportedAndChangeNothing) {
  pdu_->chain().set_port_fault(port("A3"), collectors::sim::PortFault::kNoResponse);
  auto r = model_->act(port("A3"), PowerAction::kOff);
  EXPECT_EQ(r.hardware.fault, collectors::PduFault::kNoResponse);
  EXPECT_EQ(control("A3"), ControlState::kOn);
  loop_.advance(1s);
  EXPECT_EQ(model_->port(port("A3")).module, ModuleStatus::kNoResponse);
  EXPECT_FALSE(model_->port(port("A3")).load_amps);

  EXPECT_EQ(model_->act(port("C1"), PowerAction::kOff).hardware.fault,
            collectors::PduFault::kNoSuchPort);

  pdu_->chain().set_unplugged(true);
  loop_.advance(1s);
  EXPECT_FALSE(model_->link_up());
  EXPECT_EQ(model_->board_count(), 2) << "the last known chain stays";
  EXPECT_EQ(model_->port(port("B1")).module, ModuleStatus::kNoResponse);
  EXPECT_FALSE(model_->board(core::BoardId{1}).temperature_c);
  EXPECT_EQ(model_->act(port("B1"), PowerAction::kOff).hardware.fault,
            collectors::PduFault::kLinkDown);
  pdu_->chain().set_unplugged(false);
  loop_.advance(1s);
  EXPECT_TRUE(model_->link_up());
  EXPECT_EQ(model_->port(port("B1")).module, ModuleStatus::kNormal);
}

TEST_F(ChainModelTest, ARebootThatCannotComeBackOnEndsOff) {
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kReboot).ok());
  pdu_->chain().set_unplugged(true);
  loop_.advance(15s);
  EXPECT_EQ(control("A1"), ControlState::kOff);
}

}  // namespace
}  // namespace netpower::agent
