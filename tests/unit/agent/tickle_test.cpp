// ChainModel's tickles on a manual clock: the pattern goes through the collector, a port stays
// busy exactly for its window, ports tickle independently, a collector error is kept; and on the
// sim's wires the window covers every edge the sim plays.
#include <gtest/gtest.h>

#include <memory>

#include "agent/model/chain_model.h"
#include "collectors/sim/sim_collector.h"
#include "collectors/sim/sim_wire.h"
#include "core/tickle_code.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wire_endpoint.h"
#include "tests/unit/agent/manual_loop.h"

namespace netpower::agent {
namespace {

using namespace std::chrono_literals;
using core::PortId;
using testing::ManualLoop;

PortId port(const char* name) { return *PortId::parse(name); }
constexpr core::Duration kBitTime = 1ms;
constexpr std::uint64_t kNonce = 0x0123456789abcdefULL;

class TickleTest : public ::testing::Test {
 protected:
  explicit TickleTest(int boards = 2) {
    collectors::sim::SimSettings sim;
    sim.boards = boards;
    pdu_ = std::make_unique<collectors::sim::SimCollector>(sim, loop_.clock());
    model_ = std::make_unique<ChainModel>(loop_, *pdu_, ChainSettings{}, kBitTime);
    model_->refresh();
  }
  // The tickle patterns the collector received, in order.
  std::vector<std::pair<PortId, std::vector<std::uint8_t>>> sent() const {
    std::vector<std::pair<PortId, std::vector<std::uint8_t>>> out;
    for (const auto& e : pdu_->chain().history()) {
      if (e.kind == collectors::sim::HistoryEntry::Kind::kTickle)
        out.emplace_back(e.port, e.pattern);
    }
    return out;
  }
  TickleStatus status(const char* name) const { return model_->tickle_state(port(name)).status; }

  ManualLoop loop_;
  std::unique_ptr<collectors::sim::SimCollector> pdu_;
  std::unique_ptr<ChainModel> model_;
};

TEST_F(TickleTest, APortIsIdleBeforeItsFirstTickle) {
  auto s = model_->tickle_state(port("A1"));
  EXPECT_EQ(s.status, TickleStatus::kIdle);
  EXPECT_FALSE(s.nonce);
  EXPECT_EQ(s.started_ticks, 0u);
  EXPECT_EQ(s.error, "");
  EXPECT_FALSE(model_->tickle_busy(port("A1")));
  EXPECT_EQ(model_->tickle_bit_time(), kBitTime);
  EXPECT_EQ(model_->tickle_window(), 3 * kBitTime + core::tickle_duration(kBitTime));
}

TEST_F(TickleTest, TheEncodedNonceGoesThroughTheCollector) {
  loop_.advance(1234ms);
  auto r = model_->tickle(port("B3"), kNonce);
  ASSERT_TRUE(r.ok()) << r.error;
  auto patterns = sent();
  ASSERT_EQ(patterns.size(), 1u);
  EXPECT_EQ(patterns[0].first, port("B3"));
  EXPECT_EQ(patterns[0].second, core::encode_tickle(kNonce, kBitTime));
  auto s = model_->tickle_state(port("B3"));
  EXPECT_EQ(s.status, TickleStatus::kSending);
  EXPECT_EQ(s.nonce, kNonce);
  EXPECT_EQ(s.started_ticks, 123u) << "hundredths of a second since the model was made";
  EXPECT_EQ(s.error, "");
}

// The window: the sim's lead-in of 3 bit times plus the 98-bit frame. Refused up to its last
// nanosecond, accepted from its end on; the status goes sending -> sent at the end.
TEST_F(TickleTest, APortIsBusyExactlyForItsWindow) {
  ASSERT_TRUE(model_->tickle(port("A1"), kNonce).ok());
  const auto window = 101ms;
  loop_.advance(window - 1ns);
  EXPECT_TRUE(model_->tickle_busy(port("A1")));
  EXPECT_EQ(status("A1"), TickleStatus::kSending);
  auto refused = model_->tickle(port("A1"), 42);
  EXPECT_EQ(refused.outcome, TickleResult::Outcome::kBusy);
  EXPECT_EQ(model_->tickle_state(port("A1")).nonce, kNonce) << "a refusal changes nothing";
  EXPECT_EQ(sent().size(), 1u);

  loop_.advance(1ns);
  EXPECT_FALSE(model_->tickle_busy(port("A1")));
  EXPECT_EQ(status("A1"), TickleStatus::kSent);
  EXPECT_EQ(model_->tickle_state(port("A1")).nonce, kNonce);

  loop_.advance(1ns);
  auto again = model_->tickle(port("A1"), 42);
  ASSERT_TRUE(again.ok()) << again.error;
  EXPECT_EQ(status("A1"), TickleStatus::kSending);
  EXPECT_EQ(model_->tickle_state(port("A1")).nonce, 42u);
  EXPECT_EQ(sent().size(), 2u);
  loop_.advance(window);
  EXPECT_EQ(status("A1"), TickleStatus::kSent);
}

// The clock decides, not the timer: a write that comes in when the window has ended is accepted
// even before the loop has run the timer that marks the tickle sent.
TEST_F(TickleTest, TheEndOfTheWindowCountsEvenBeforeItsTimerRan) {
  ASSERT_TRUE(model_->tickle(port("A1"), 1).ok());
  loop_.manual_clock().advance(101ms);  // the clock moves, no timer runs
  EXPECT_EQ(status("A1"), TickleStatus::kSent);
  ASSERT_TRUE(model_->tickle(port("A1"), 2).ok());
  loop_.advance(0ns);  // the first tickle's timer runs now and must not end the second one
  EXPECT_EQ(status("A1"), TickleStatus::kSending);
  EXPECT_TRUE(model_->tickle_busy(port("A1")));
  loop_.advance(101ms);
  EXPECT_EQ(status("A1"), TickleStatus::kSent);
}

TEST_F(TickleTest, PortsTickleIndependently) {
  ASSERT_TRUE(model_->tickle(port("A1"), 1).ok());
  loop_.advance(50ms);
  ASSERT_TRUE(model_->tickle(port("A2"), 2).ok()) << "A1 sending does not hold A2";
  loop_.advance(51ms);
  EXPECT_EQ(status("A1"), TickleStatus::kSent);
  EXPECT_EQ(status("A2"), TickleStatus::kSending);
  EXPECT_EQ(model_->tickle(port("A2"), 3).outcome, TickleResult::Outcome::kBusy);
  EXPECT_TRUE(model_->tickle(port("A1"), 4).ok());
  EXPECT_EQ(status("B1"), TickleStatus::kIdle);
}

TEST_F(TickleTest, ACollectorErrorLeavesThePortFailedWithItsText) {
  ASSERT_TRUE(
      pdu_->chain().set_board_fault(core::BoardId{0}, collectors::sim::BoardFault::kNoResponse));
  auto r = model_->tickle(port("A2"), kNonce);
  EXPECT_EQ(r.outcome, TickleResult::Outcome::kFailed);
  EXPECT_NE(r.error.find("board A does not respond"), std::string::npos) << r.error;
  auto s = model_->tickle_state(port("A2"));
  EXPECT_EQ(s.status, TickleStatus::kFailed);
  EXPECT_EQ(s.error, r.error);
  EXPECT_EQ(s.nonce, kNonce);
  EXPECT_FALSE(model_->tickle_busy(port("A2"))) << "a failed tickle holds nothing";
  loop_.advance(1s);
  EXPECT_EQ(status("A2"), TickleStatus::kFailed) << "it stays failed";

  ASSERT_TRUE(pdu_->chain().set_board_fault(core::BoardId{0}, collectors::sim::BoardFault::kNone));
  ASSERT_TRUE(model_->tickle(port("A2"), 7).ok());
  EXPECT_EQ(model_->tickle_state(port("A2")).error, "");
  EXPECT_EQ(status("A2"), TickleStatus::kSending);
}

TEST_F(TickleTest, APortOutsideTheChainIsNotTickled) {
  auto r = model_->tickle(port("C1"), 1);
  EXPECT_EQ(r.outcome, TickleResult::Outcome::kFailed);
  EXPECT_TRUE(sent().empty());
  EXPECT_EQ(status("C1"), TickleStatus::kIdle);
}

TEST(TickleSettings, TheBitTimeMustBeInRange) {
  ManualLoop loop;
  collectors::sim::SimCollector pdu(collectors::sim::SimSettings{}, loop.clock());
  EXPECT_THROW(ChainModel(loop, pdu, {}, 999ns), std::invalid_argument);
  EXPECT_THROW(ChainModel(loop, pdu, {}, 10s + 1ns), std::invalid_argument);
  EXPECT_NO_THROW(ChainModel(loop, pdu, {}, 1us));
  EXPECT_NO_THROW(ChainModel(loop, pdu, {}, 10s));
  EXPECT_EQ(ChainModel(loop, pdu, {}).tickle_bit_time(), 10ms) << "the default";
}

// Every port of a full chain at once, on the sim's wires: each host decodes its own nonce, and no
// port reads sent while the sim still has edges of it to play.
TEST(TickleOnWires, AHundredAndFourPortsAtOnceEachDecodeAndTheWindowCoversEveryEdge) {
  netpower::testing::TempDir dir{"np-tkl"};
  collectors::sim::SimSettings sim;
  sim.boards = core::kMaxBoards;
  std::vector<std::unique_ptr<netpower::testing::WireEndpoint>> hosts;
  for (int flat = 0; flat < core::kMaxPorts; ++flat) {
    hosts.push_back(
        std::make_unique<netpower::testing::WireEndpoint>(dir.file(std::to_string(flat)).string()));
    sim.wires[static_cast<std::size_t>(flat)] = hosts.back()->path();
  }
  ManualLoop loop;
  collectors::sim::SimCollector pdu(sim, loop.clock());
  collectors::sim::SimWirePlayer player(loop, pdu.chain());
  ChainModel model(loop, pdu, {}, kBitTime);
  model.refresh();
  const auto start = loop.clock().now();
  auto nonce_of = [](int flat) { return 0xa5a5000000000000ULL + static_cast<std::uint64_t>(flat); };
  for (int flat = 0; flat < core::kMaxPorts; ++flat) {
    ASSERT_TRUE(model.tickle(PortId::from_flat(flat), nonce_of(flat)).ok());
  }
  const auto step = kBitTime / 4;
  while (loop.clock().now() < start + model.tickle_window()) {
    loop.advance(step);
    for (auto& h : hosts) h->receive();
    if (model.tickle_state(PortId::from_flat(0)).status == TickleStatus::kSent) {
      EXPECT_EQ(player.pending(), 0u) << "sent while edges were still to play";
    }
  }
  EXPECT_EQ(player.pending(), 0u);
  EXPECT_EQ(player.dropped(), 0u);
  core::TimePoint last{};
  for (int flat = 0; flat < core::kMaxPorts; ++flat) {
    auto id = PortId::from_flat(flat);
    EXPECT_EQ(model.tickle_state(id).status, TickleStatus::kSent) << id.str();
    auto events = hosts[static_cast<std::size_t>(flat)]->drain();
    EXPECT_EQ(netpower::testing::decode_tickles(events), std::vector<std::uint64_t>{nonce_of(flat)})
        << id.str();
    if (!events.empty()) last = std::max(last, events.back().at);
  }
  // The window is tight: the last edge comes within a bit time of its end.
  EXPECT_LE(last, start + model.tickle_window());
  EXPECT_GT(last, start + model.tickle_window() - kBitTime);
}

}  // namespace
}  // namespace netpower::agent
