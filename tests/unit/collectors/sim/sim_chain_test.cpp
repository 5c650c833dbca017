#include "collectors/sim/sim_chain.h"

#include <gtest/gtest.h>

#include <chrono>

#include "sim_test_util.h"

namespace netpower::collectors::sim {
namespace {

using namespace std::chrono_literals;
using testing::board;
using testing::port;
using testing::settings_from;

constexpr const char* kTwoBoards = R"(
boards: 2
appliances:
  A1: { load: 2.5 }
  A2: { load: 1.25 }
  A3: { load: 4.0, initial: off }
  B1: { load: 0.8 }
)";

class SimChainTest : public ::testing::Test {
 protected:
  const PortReading& reading(const ChainReadResult& r, const char* name) {
    auto id = port(name);
    return r.chain.boards.at(static_cast<std::size_t>(id.board.index))
        .ports.at(static_cast<std::size_t>(id.number - 1));
  }
  const BoardReading& board_reading(const ChainReadResult& r, const char* name) {
    return r.chain.boards.at(static_cast<std::size_t>(board(name).index));
  }

  core::ManualClock clock;
  SimChain chain{settings_from(kTwoBoards), clock};
};

TEST_F(SimChainTest, ReadsTheWholeChain) {
  auto r = chain.read();
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.chain.boards.size(), 2u);
  const auto& a = board_reading(r, "A");
  EXPECT_TRUE(a.responding);
  EXPECT_EQ(a.code_version, "2.0h");
  EXPECT_EQ(a.temperature_c, 27.0);
  EXPECT_TRUE(reading(r, "A1").responding);
  EXPECT_TRUE(reading(r, "A1").relay_on);
  EXPECT_EQ(reading(r, "A1").power_sensed, true);
  EXPECT_EQ(reading(r, "A1").load_amps, 2.5);
}

TEST_F(SimChainTest, InputLoadIsTheSumOfThePoweredPorts) {
  auto r = chain.read();
  EXPECT_DOUBLE_EQ(*board_reading(r, "A").input_load_amps, 2.5 + 1.25);  // A3 is off
  EXPECT_DOUBLE_EQ(*board_reading(r, "B").input_load_amps, 0.8);
  ASSERT_TRUE(chain.switch_port(port("A3"), true).ok());
  EXPECT_DOUBLE_EQ(*board_reading(chain.read(), "A").input_load_amps, 2.5 + 1.25 + 4.0);
}

TEST_F(SimChainTest, AnOffPortReadsZeroAmps) {
  auto r = chain.read();
  EXPECT_FALSE(reading(r, "A3").relay_on);
  EXPECT_EQ(reading(r, "A3").power_sensed, false);
  EXPECT_EQ(reading(r, "A3").load_amps, 0.0);
  ASSERT_TRUE(chain.switch_port(port("A1"), false).ok());
  EXPECT_EQ(reading(chain.read(), "A1").load_amps, 0.0);
}

TEST_F(SimChainTest, LoadChangesShowOnlyWhilePowered) {
  ASSERT_TRUE(chain.set_appliance_load(port("B1"), 7.5));
  EXPECT_EQ(reading(chain.read(), "B1").load_amps, 7.5);
  chain.switch_port(port("B1"), false);
  EXPECT_EQ(reading(chain.read(), "B1").load_amps, 0.0);
}

TEST(SimChainSensors, WithoutSensorsReadingsAreAbsent) {
  core::ManualClock clock;
  SimChain chain(
      settings_from("{boards: 1, temperature: none, load_sense: false, on_sense: false}"), clock);
  auto r = chain.read();
  ASSERT_TRUE(r.status.ok());
  const auto& a = r.chain.boards.at(0);
  EXPECT_EQ(a.temperature_c, std::nullopt);
  EXPECT_EQ(a.input_load_amps, std::nullopt);
  EXPECT_EQ(a.ports[0].power_sensed, std::nullopt);
  EXPECT_EQ(a.ports[0].load_amps, std::nullopt);
  EXPECT_TRUE(a.ports[0].relay_on);
}

TEST(SimChainSensors, BoardTemperaturesCanDiffer) {
  core::ManualClock clock;
  SimChain chain(
      settings_from("{boards: 3, temperature: 30, board_temperatures: {B: 41.5, C: none}}"), clock);
  auto r = chain.read();
  EXPECT_EQ(r.chain.boards[0].temperature_c, 30.0);
  EXPECT_EQ(r.chain.boards[1].temperature_c, 41.5);
  EXPECT_EQ(r.chain.boards[2].temperature_c, std::nullopt);
  ASSERT_TRUE(chain.set_temperature(board("A"), 80.0));
  ASSERT_TRUE(chain.set_temperature(board("B"), std::nullopt));
  r = chain.read();
  EXPECT_EQ(r.chain.boards[0].temperature_c, 80.0);
  EXPECT_EQ(r.chain.boards[1].temperature_c, std::nullopt);
}

TEST_F(SimChainTest, PortNoResponse) {
  chain.set_port_fault(port("A1"), PortFault::kNoResponse);
  auto r = chain.read();
  ASSERT_TRUE(r.status.ok());
  EXPECT_FALSE(reading(r, "A1").responding);
  EXPECT_TRUE(reading(r, "A2").responding);
  // The appliance still draws current through the board's input.
  EXPECT_DOUBLE_EQ(*board_reading(r, "A").input_load_amps, 3.75);
  auto s = chain.switch_port(port("A1"), false);
  EXPECT_EQ(s.fault, PduFault::kNoResponse);
  EXPECT_TRUE(chain.port(port("A1")).relay_on);
  EXPECT_EQ(chain.set_shutdown_signal(port("A1"), true).fault, PduFault::kNoResponse);
  EXPECT_EQ(chain.tickle(port("A1"), {1}).fault, PduFault::kNoResponse);

  chain.set_port_fault(port("A1"), PortFault::kNone);
  EXPECT_TRUE(reading(chain.read(), "A1").responding);
  EXPECT_TRUE(chain.switch_port(port("A1"), false).ok());
}

TEST_F(SimChainTest, OnSenseFailure) {
  chain.set_port_fault(port("A1"), PortFault::kOnSense);
  auto r = chain.read();
  EXPECT_TRUE(reading(r, "A1").responding);
  EXPECT_TRUE(reading(r, "A1").relay_on);
  EXPECT_EQ(reading(r, "A1").power_sensed, false);
  EXPECT_EQ(reading(r, "A1").load_amps, 0.0);
  EXPECT_DOUBLE_EQ(*board_reading(r, "A").input_load_amps, 1.25);
  // Switching works; the power still does not come.
  EXPECT_TRUE(chain.switch_port(port("A1"), false).ok());
  EXPECT_TRUE(chain.switch_port(port("A1"), true).ok());
  EXPECT_EQ(reading(chain.read(), "A1").power_sensed, false);
}

TEST_F(SimChainTest, OffFailure) {
  chain.set_port_fault(port("A1"), PortFault::kOffFail);
  EXPECT_TRUE(chain.switch_port(port("A1"), false).ok());
  auto r = chain.read();
  EXPECT_FALSE(reading(r, "A1").relay_on);
  EXPECT_EQ(reading(r, "A1").power_sensed, true);
  EXPECT_EQ(reading(r, "A1").load_amps, 2.5);
  EXPECT_DOUBLE_EQ(*board_reading(r, "A").input_load_amps, 3.75);
  chain.set_port_fault(port("A1"), PortFault::kNone);
  EXPECT_EQ(reading(chain.read(), "A1").power_sensed, false);
}

TEST_F(SimChainTest, BoardNoResponse) {
  chain.set_board_fault(board("B"), BoardFault::kNoResponse);
  auto r = chain.read();
  ASSERT_TRUE(r.status.ok());
  EXPECT_TRUE(board_reading(r, "A").responding);
  const auto& b = board_reading(r, "B");
  EXPECT_FALSE(b.responding);
  EXPECT_EQ(b.temperature_c, std::nullopt);
  for (const auto& p : b.ports) EXPECT_FALSE(p.responding);
  EXPECT_EQ(chain.switch_port(port("B2"), false).fault, PduFault::kNoResponse);
  EXPECT_TRUE(chain.port(port("B2")).relay_on);
  EXPECT_TRUE(chain.switch_port(port("A2"), false).ok());
  chain.set_board_fault(board("B"), BoardFault::kNone);
  EXPECT_TRUE(board_reading(chain.read(), "B").responding);
}

TEST_F(SimChainTest, UnpluggedFailsEverything) {
  chain.set_unplugged(true);
  EXPECT_EQ(chain.read().status.fault, PduFault::kLinkDown);
  EXPECT_EQ(chain.switch_port(port("A1"), false).fault, PduFault::kLinkDown);
  EXPECT_EQ(chain.set_shutdown_signal(port("A1"), true).fault, PduFault::kLinkDown);
  EXPECT_EQ(chain.tickle(port("A1"), {1, 2}).fault, PduFault::kLinkDown);
  EXPECT_TRUE(chain.port(port("A1")).relay_on);
  chain.set_unplugged(false);
  EXPECT_TRUE(chain.read().status.ok());
}

TEST_F(SimChainTest, PortsOutsideTheChainAreRefused) {
  EXPECT_EQ(chain.switch_port(port("C1"), true).fault, PduFault::kNoSuchPort);
  EXPECT_EQ(chain.set_shutdown_signal(port("Z4"), true).fault, PduFault::kNoSuchPort);
  EXPECT_EQ(chain.tickle(port("C1"), {}).fault, PduFault::kNoSuchPort);
  EXPECT_FALSE(chain.set_port_fault(port("C1"), PortFault::kOnSense));
  EXPECT_FALSE(chain.set_board_fault(board("C"), BoardFault::kNoResponse));
  EXPECT_FALSE(chain.set_appliance_load(port("C1"), 1.0));
  EXPECT_FALSE(chain.set_temperature(board("C"), 1.0));
  EXPECT_FALSE(chain.press_button(port("C1"), true));
}

TEST_F(SimChainTest, LocalButtonWorksWhateverTheLinkAndFaults) {
  chain.set_unplugged(true);
  chain.set_port_fault(port("A1"), PortFault::kNoResponse);
  EXPECT_TRUE(chain.press_button(port("A1"), false));
  EXPECT_FALSE(chain.port(port("A1")).relay_on);
  EXPECT_EQ(chain.history().back().source, HistoryEntry::Source::kLocal);
}

TEST_F(SimChainTest, HistoryStartsWithEveryInitialRelayState) {
  const auto& h = chain.history();
  ASSERT_EQ(h.size(), 8u);
  for (std::size_t i = 0; i < h.size(); ++i) {
    EXPECT_EQ(h[i].port, core::PortId::from_flat(static_cast<int>(i)));
    EXPECT_EQ(h[i].kind, HistoryEntry::Kind::kRelay);
    EXPECT_EQ(h[i].source, HistoryEntry::Source::kInitial);
    EXPECT_EQ(h[i].at, clock.now());
  }
  EXPECT_TRUE(h[0].on);
  EXPECT_FALSE(h[2].on);  // A3: initial off
}

TEST_F(SimChainTest, HistoryRecordsWhenAPortWentOffAndOn) {
  auto start = clock.now();
  clock.advance(5s);
  chain.switch_port(port("A1"), false);
  clock.advance(15s);
  chain.switch_port(port("A1"), true);
  chain.switch_port(port("A1"), true);  // no change, no entry
  const auto& h = chain.history();
  ASSERT_EQ(h.size(), 10u);
  EXPECT_EQ(h[8].port, port("A1"));
  EXPECT_FALSE(h[8].on);
  EXPECT_EQ(h[8].at, start + 5s);
  EXPECT_EQ(h[8].source, HistoryEntry::Source::kCollector);
  EXPECT_TRUE(h[9].on);
  EXPECT_EQ(h[9].at - h[8].at, 15s);
}

TEST_F(SimChainTest, HistoryRecordsEveryShutdownSignalAndTickle) {
  clock.advance(1s);
  ASSERT_TRUE(chain.set_shutdown_signal(port("B1"), true).ok());
  EXPECT_TRUE(chain.port(port("B1")).shutdown_asserted);
  clock.advance(1s);
  ASSERT_TRUE(chain.set_shutdown_signal(port("B1"), true).ok());
  ASSERT_TRUE(chain.tickle(port("B1"), {0xde, 0xad}).ok());
  const auto& h = chain.history();
  ASSERT_EQ(h.size(), 11u);
  EXPECT_EQ(h[8].kind, HistoryEntry::Kind::kShutdown);
  EXPECT_TRUE(h[8].on);
  EXPECT_EQ(h[9].at - h[8].at, 1s);
  EXPECT_EQ(h[10].kind, HistoryEntry::Kind::kTickle);
  EXPECT_EQ(h[10].pattern, (std::vector<std::uint8_t>{0xde, 0xad}));
}

TEST_F(SimChainTest, HistoryKeepsTheNewestEntries) {
  for (std::size_t i = 0; i < SimChain::kMaxHistory + 5; ++i) chain.tickle(port("A1"), {});
  EXPECT_EQ(chain.history().size(), SimChain::kMaxHistory);
  EXPECT_EQ(chain.history().front().kind, HistoryEntry::Kind::kTickle);
}

TEST(SimChainNames, FaultNamesRoundTrip) {
  for (auto f :
       {PortFault::kNone, PortFault::kNoResponse, PortFault::kOnSense, PortFault::kOffFail}) {
    EXPECT_EQ(parse_port_fault(to_string(f)), f);
  }
  for (auto f : {BoardFault::kNone, BoardFault::kNoResponse}) {
    EXPECT_EQ(parse_board_fault(to_string(f)), f);
  }
  EXPECT_EQ(parse_port_fault("bogus"), std::nullopt);
  EXPECT_EQ(parse_board_fault("on-sense"), std::nullopt);
}

}  // namespace
}  // namespace netpower::collectors::sim
