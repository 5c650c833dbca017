// The Sentry2 trap engine over the chain model and the simulated chain, on a manual clock: every
// kind, the steady-state period's edges, freezing, coalescing while traps cannot be sent,
// enables and limits changed at run time.

#include "agent/traps/trap_engine.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/snmp/sentry2_traps.h"
#include "collectors/sim/sim_collector.h"
#include "tests/unit/agent/manual_loop.h"

namespace netpower::agent::traps {
namespace {

using namespace std::chrono_literals;
using core::BoardId;
using core::PortId;
using testing::ManualLoop;
using T = Sentry2Trap;

PortId port(const char* name) { return *PortId::parse(name); }
BoardId board(const char* name) { return *BoardId::parse(name); }

struct Got {
  Sentry2Trap trap;
  std::string subject;  // "B", "A1", "" for ChainStart
  std::string value;    // the last varbind, as it went out
  bool operator==(const Got&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Got& got) {
  return os << to_string(got.trap) << " " << got.subject << " '" << got.value << "'";
}

// Records what would be sent, with the varbinds of the moment; can refuse like a lost session.
class RecordingSink final : public TrapSink {
 public:
  bool can_send() const override { return sendable; }
  void send(const TrapEvent& event) override {
    ASSERT_TRUE(sendable) << "sent while the session is down";
    auto varbinds = snmp::sentry2_trap_varbinds(*model, event);
    std::string subject;
    if (is_board_trap(event.trap)) subject = event.board.str();
    if (is_port_trap(event.trap)) subject = event.port.str();
    sent.push_back({event.trap, subject, varbinds.back().second.octets});
  }

  const ChainModel* model = nullptr;
  bool sendable = true;
  std::vector<Got> sent;
};

class TrapEngineTest : public ::testing::Test {
 protected:
  TrapEngineTest() {
    sim_.boards = 2;
    sim_.appliance_amps[static_cast<std::size_t>(port("A1").flat())] = 2.5;
    sim_.appliance_amps[static_cast<std::size_t>(port("A2").flat())] = 1.0;
    settings_.location = "rack 1";
    settings_.board(board("B")).page_name = "lower";
    settings_.port(port("A1")).name = "router";
  }

  // Reads the chain once (the agent's start) and runs what became due.
  void start(bool sendable = true) {
    pdu_ = std::make_unique<collectors::sim::SimCollector>(sim_, loop_.clock());
    model_ = std::make_unique<ChainModel>(loop_, *pdu_, settings_);
    sink_.model = model_.get();
    sink_.sendable = sendable;
    engine_ = std::make_unique<TrapEngine>(loop_, *model_, sink_, 60s);
    model_->on_refreshed([this]() { engine_->on_refreshed(); });
    model_->on_control_change([this](PortId id, ControlState) { engine_->on_control_change(id); });
    model_->start_polling(1s);
    loop_.advance(0ms);
  }
  // The next read of the collector (polls run every second).
  void poll() { loop_.advance(1s); }
  // Lets `d` pass a second at a time, so that every poll on the way runs.
  void run_for(core::Duration d) {
    for (; d >= 1s; d -= 1s) loop_.advance(1s);
    if (d > 0s) loop_.advance(d);
  }
  collectors::sim::SimChain& chain() { return pdu_->chain(); }
  void configure(const std::function<void(ChainSettings&)>& change) {
    auto next = model_->settings();
    change(next);
    model_->update_settings(next);
  }
  // What was sent since the last call.
  std::vector<Got> take() {
    auto out = std::move(sink_.sent);
    sink_.sent.clear();
    return out;
  }

  ManualLoop loop_;
  collectors::sim::SimSettings sim_;
  ChainSettings settings_;
  std::unique_ptr<collectors::sim::SimCollector> pdu_;
  std::unique_ptr<ChainModel> model_;
  RecordingSink sink_;
  std::unique_ptr<TrapEngine> engine_;
};

TEST_F(TrapEngineTest, ChainStartAtTheFirstReadAndWhenTheCollectorAnswersAgain) {
  start();
  // The relays adopted at the first read are no control status changes.
  EXPECT_EQ(take(), (std::vector<Got>{{T::kChainStart, "", "rack 1"}}));
  chain().set_unplugged(true);
  poll();
  run_for(2min);
  EXPECT_TRUE(take().empty());
  chain().set_unplugged(false);
  poll();
  EXPECT_EQ(take(), (std::vector<Got>{{T::kChainStart, "", "rack 1"}}));
}

TEST_F(TrapEngineTest, ChainStartWaitsForTheSession) {
  start(/*sendable=*/false);
  run_for(5s);
  EXPECT_TRUE(sink_.sent.empty());
  EXPECT_EQ(engine_->held(), 1u);
  sink_.sendable = true;
  engine_->on_sendable();
  loop_.advance(0ms);
  EXPECT_EQ(take(), (std::vector<Got>{{T::kChainStart, "", "rack 1"}}));
  EXPECT_EQ(engine_->held(), 0u);
}

TEST_F(TrapEngineTest, ChainStartFollowsBoardAsStartEnable) {
  settings_.board(board("A")).trap_start = false;
  settings_.board(board("B")).trap_start = true;  // only the first board's counts
  start();
  chain().set_unplugged(true);
  poll();
  chain().set_unplugged(false);
  poll();
  EXPECT_TRUE(take().empty());
}

TEST_F(TrapEngineTest, TemperatureRepeatsOnThePeriodAndIsNormalAfterAWholePeriodInRange) {
  start();
  take();
  chain().set_temperature(board("B"), 80.0);
  poll();  // t = 1 s
  EXPECT_EQ(take(), (std::vector<Got>{{T::kBoardTemperatureHighError, "B", "80.0 Deg C"}}));
  run_for(59999ms);  // 60.999 s: polls read 80 all along
  EXPECT_TRUE(take().empty());
  loop_.advance(1ms);  // 61 s: one steady-state period after the first
  EXPECT_EQ(take(), (std::vector<Got>{{T::kBoardTemperatureHighError, "B", "80.0 Deg C"}}));
  chain().set_temperature(board("B"), 30.0);
  run_for(60s);  // 121 s: in range from 62 s only, so the condition lasted this period
  EXPECT_EQ(take(), (std::vector<Got>{{T::kBoardTemperatureHighError, "B", "30.0 Deg C"}}));
  run_for(59999ms);
  EXPECT_TRUE(take().empty());
  loop_.advance(1ms);  // 181 s: a whole period in range
  EXPECT_EQ(take(), (std::vector<Got>{{T::kBoardTemperatureNormal, "B", "30.0 Deg C"}}));
  run_for(10min);
  EXPECT_TRUE(take().empty());
}

TEST_F(TrapEngineTest, TemperatureHighToLowIsSentAtOnce) {
  start();
  take();
  chain().set_temperature(board("B"), 80.0);
  poll();
  run_for(10s);
  chain().set_temperature(board("B"), -5.0);  // below the default low limit, 1
  poll();
  EXPECT_EQ(take(), (std::vector<Got>{{T::kBoardTemperatureHighError, "B", "80.0 Deg C"},
                                      {T::kBoardTemperatureLowError, "B", "-5.0 Deg C"}}));
  run_for(59s);
  EXPECT_TRUE(take().empty());
  run_for(1s);  // the Low condition's own period
  EXPECT_EQ(take(), (std::vector<Got>{{T::kBoardTemperatureLowError, "B", "-5.0 Deg C"}}));
}

TEST_F(TrapEngineTest, LimitsChangedAtRunTimeApplyAtTheNextRead) {
  start();
  take();
  configure([](ChainSettings& s) { s.board(BoardId{0}).temp_high = 20; });
  poll();
  EXPECT_EQ(take(), (std::vector<Got>{{T::kBoardTemperatureHighError, "A", "27.0 Deg C"}}));
}

TEST_F(TrapEngineTest, InputLoadHighLowAndNormal) {
  settings_.board(board("A")).trap_input_load = true;
  settings_.board(board("A")).input_load_high = 10;  // low limit: 1 A
  start();
  take();
  chain().set_appliance_load(port("A3"), 8.0);  // board A: 2.5 + 1 + 8 = 11.5 A > 10 A
  poll();
  EXPECT_EQ(take(), (std::vector<Got>{{T::kBoardInputLoadHighError, "A", "11.50A"}}));
  for (const char* p : {"A1", "A2", "A3"}) chain().set_appliance_load(port(p), 0.0);
  chain().set_appliance_load(port("A4"), 0.5);  // 0.5 A < 1 A
  poll();
  EXPECT_EQ(take(), (std::vector<Got>{{T::kBoardInputLoadLowError, "A", "0.50A"}}));
  chain().set_appliance_load(port("A4"), 5.0);
  run_for(2min);
  EXPECT_EQ(take(), (std::vector<Got>{{T::kBoardInputLoadLowError, "A", "5.00A"},
                                      {T::kBoardInputLoadNormal, "A", "5.00A"}}));
}

TEST_F(TrapEngineTest, DeviceLoadHighLowNormalAndNothingWhileThePortIsOff) {
  settings_.port(port("A1")).trap_load = true;  // limits: 4 A and 1 A
  start();
  take();
  chain().set_appliance_load(port("A1"), 5.0);
  poll();
  EXPECT_EQ(take(), (std::vector<Got>{{T::kPortDeviceLoadHighError, "A1", "5.00A"}}));
  chain().set_appliance_load(port("A1"), 0.5);
  poll();
  EXPECT_EQ(take(), (std::vector<Got>{{T::kPortDeviceLoadLowError, "A1", "0.50A"}}));
  chain().set_appliance_load(port("A1"), 2.5);
  run_for(2min);
  EXPECT_EQ(take(), (std::vector<Got>{{T::kPortDeviceLoadLowError, "A1", "2.50A"},
                                      {T::kPortDeviceLoadNormal, "A1", "2.50A"}}));
  // Off, the port draws nothing: that is no Low load, only a control status change.
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kOff).ok());
  run_for(5min);
  EXPECT_EQ(take(), (std::vector<Got>{{T::kPortControlStatusChange, "A1", "Off"}}));
}

TEST_F(TrapEngineTest, ModuleStatusErrorRepeatsAndReturnsToNormal) {
  start();
  take();
  chain().set_port_fault(port("A2"), collectors::sim::PortFault::kOnSense);
  poll();
  EXPECT_EQ(take(), (std::vector<Got>{{T::kPortModuleStatusError, "A2", "OnS Fail"}}));
  run_for(60s);
  EXPECT_EQ(take(), (std::vector<Got>{{T::kPortModuleStatusError, "A2", "OnS Fail"}}));
  chain().set_port_fault(port("A2"), collectors::sim::PortFault::kNone);
  run_for(60s);  // in range only from the next read on: the condition lasted
  EXPECT_EQ(take(), (std::vector<Got>{{T::kPortModuleStatusError, "A2", "Normal"}}));
  run_for(60s);
  EXPECT_EQ(take(), (std::vector<Got>{{T::kPortModuleStatusNormal, "A2", "Normal"}}));
}

TEST_F(TrapEngineTest, ControlStatusChangeAtOnceWithTheStatusAndNoRepeat) {
  start();
  take();
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kOff).ok());
  loop_.advance(0ms);  // sent from the loop, right after the action
  EXPECT_EQ(take(), (std::vector<Got>{{T::kPortControlStatusChange, "A1", "Off"}}));
  chain().press_button(port("A1"), true);  // switched at the unit
  poll();
  EXPECT_EQ(take(), (std::vector<Got>{{T::kPortControlStatusChange, "A1", "On"}}));
  run_for(5min);
  EXPECT_TRUE(take().empty());
}

TEST_F(TrapEngineTest, WhileTrapsCannotBeSentChangesAreCoalescedIntoTheLatestState) {
  start();
  take();
  sink_.sendable = false;
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kOff).ok());
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kOn).ok());
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kOff).ok());
  chain().set_temperature(board("B"), 80.0);
  poll();
  run_for(30s);
  chain().set_temperature(board("B"), -5.0);
  poll();
  run_for(3min);  // repeats fall due meanwhile: still one per kind and board/port
  EXPECT_TRUE(sink_.sent.empty());
  EXPECT_EQ(engine_->held(), 2u);
  sink_.sendable = true;
  engine_->on_sendable();
  loop_.advance(0ms);
  EXPECT_EQ(take(), (std::vector<Got>{{T::kPortControlStatusChange, "A1", "Off"},
                                      {T::kBoardTemperatureLowError, "B", "-5.0 Deg C"}}));
  // The condition's own cadence goes on (Low at 32 s, repeats every 60 s since).
  run_for(60s);
  EXPECT_EQ(take(), (std::vector<Got>{{T::kBoardTemperatureLowError, "B", "-5.0 Deg C"}}));
}

TEST_F(TrapEngineTest, DisablingForgetsTheConditionAndEnablingEvaluatesAfresh) {
  start();
  take();
  chain().set_temperature(board("B"), 80.0);
  poll();
  EXPECT_EQ(take().size(), 1u);
  configure([](ChainSettings& s) { s.board(BoardId{1}).trap_temp = false; });
  run_for(5min);
  chain().set_temperature(board("B"), 30.0);
  run_for(5min);
  EXPECT_TRUE(take().empty());  // no repeat, no Normal
  chain().set_temperature(board("B"), 80.0);
  poll();
  EXPECT_TRUE(take().empty());
  configure([](ChainSettings& s) { s.board(BoardId{1}).trap_temp = true; });
  poll();
  EXPECT_EQ(take(), (std::vector<Got>{{T::kBoardTemperatureHighError, "B", "80.0 Deg C"}}));
  // A disabled control status trap sends nothing; what was held of a kind disabled since is
  // dropped.
  configure([](ChainSettings& s) { s.port(PortId{}).trap_control = false; });
  ASSERT_TRUE(model_->act(port("A1"), PowerAction::kOff).ok());
  loop_.advance(0ms);
  EXPECT_TRUE(take().empty());
  sink_.sendable = false;
  ASSERT_TRUE(model_->act(port("A2"), PowerAction::kOff).ok());
  loop_.advance(0ms);
  configure([](ChainSettings& s) { s.port(port("A2")).trap_control = false; });
  sink_.sendable = true;
  engine_->on_sendable();
  loop_.advance(0ms);
  EXPECT_TRUE(take().empty());
}

TEST_F(TrapEngineTest, ALinkDownFreezesConditionsUntilTheChainAnswers) {
  start();
  take();
  chain().set_temperature(board("B"), 80.0);
  poll();
  EXPECT_EQ(take().size(), 1u);
  chain().set_unplugged(true);
  run_for(5min);  // no repeats; no module errors for the silent ports
  EXPECT_TRUE(take().empty());
  chain().set_unplugged(false);
  poll();
  // The collector is back: ChainStart, and the period that ended meanwhile is settled at once.
  EXPECT_EQ(take(), (std::vector<Got>{{T::kChainStart, "", "rack 1"},
                                      {T::kBoardTemperatureHighError, "B", "80.0 Deg C"}}));
}

TEST_F(TrapEngineTest, ASilentBoardFreezesItsTemperatureAndItsPortsShowNoResponse) {
  start();
  take();
  chain().set_temperature(board("B"), 80.0);
  poll();
  take();
  chain().set_board_fault(board("B"), collectors::sim::BoardFault::kNoResponse);
  poll();
  EXPECT_EQ(take(), (std::vector<Got>{{T::kPortModuleStatusError, "B1", "No Rspns"},
                                      {T::kPortModuleStatusError, "B2", "No Rspns"},
                                      {T::kPortModuleStatusError, "B3", "No Rspns"},
                                      {T::kPortModuleStatusError, "B4", "No Rspns"}}));
  run_for(61s);
  auto repeats = take();
  EXPECT_EQ(repeats.size(), 4u);  // the module errors repeat; the temperature (N/A) does not
  for (const auto& got : repeats) EXPECT_EQ(got.trap, T::kPortModuleStatusError);
}

}  // namespace
}  // namespace netpower::agent::traps
