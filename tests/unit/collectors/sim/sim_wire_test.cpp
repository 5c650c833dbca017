// The sim's wires: tickles and shutdown signals played as timed datagrams to each port's cable
// endpoint, and the control commands that re-wire, cut, delay and add noise.
#include "collectors/sim/sim_wire.h"

#include <gtest/gtest.h>

#include <memory>

#include "collectors/sim/sim_control_protocol.h"
#include "collectors/sim/sim_settings.h"
#include "core/config_error.h"
#include "core/select_loop.h"
#include "core/tickle_code.h"
#include "core/tickle_wire.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wire_endpoint.h"

namespace netpower::collectors::sim {
namespace {

using namespace std::chrono_literals;

core::PortId port(const char* name) { return *core::PortId::parse(name); }

using Endpoint = testing::WireEndpoint;
using testing::decode_tickles;

class SimWireTest : public ::testing::Test {
 protected:
  SimSettings two_wires() const {
    SimSettings s;
    s.boards = 1;
    s.wires[0] = a.path();
    s.wires[1] = b.path();
    return s;
  }
  // Runs the loop until every scheduled edge is sent, the manual clock stepping a millisecond.
  void play(std::initializer_list<Endpoint*> also = {}) {
    for (int i = 0; i < 100000 && player.pending() > 0; ++i) {
      clock.advance(1ms);
      loop.run_once(core::Duration(0));
      a.receive();
      b.receive();
      for (auto* e : also) e->receive();
    }
  }
  std::string run(const std::string& line) { return execute_control_command(chain, line); }

  testing::TempDir dir{"np-wire"};
  Endpoint a{dir.file("a.sock").string()};
  Endpoint b{dir.file("b.sock").string()};
  SimSettings settings = two_wires();
  core::ManualClock clock;
  core::SelectLoop loop{clock};
  SimChain chain{settings, clock};
  SimWirePlayer player{loop, chain};
};

TEST_F(SimWireTest, ATicklePlaysOnThePortsWireInTime) {
  const auto start = clock.now();
  ASSERT_TRUE(chain.tickle(port("A1"), core::encode_tickle(0x1234, 10ms)).ok());
  EXPECT_GT(player.pending(), 50u);
  play();
  auto events = a.drain();
  EXPECT_EQ(decode_tickles(events), std::vector<std::uint64_t>{0x1234});
  ASSERT_FALSE(events.empty());
  EXPECT_GE(events.front().at, start + 30ms);  // three bit times of lead-in
  EXPECT_LE(events.back().at, start + 30ms + core::tickle_duration(10ms));
  EXPECT_TRUE(b.drain().empty());
  EXPECT_EQ(player.dropped(), 0u);
}

TEST_F(SimWireTest, TicklesOnTwoPortsAtOnceReachTheirOwnHosts) {
  chain.tickle(port("A1"), core::encode_tickle(1, 10ms));
  chain.tickle(port("A2"), core::encode_tickle(2, 7ms));
  play();
  EXPECT_EQ(decode_tickles(a.drain()), std::vector<std::uint64_t>{1});
  EXPECT_EQ(decode_tickles(b.drain()), std::vector<std::uint64_t>{2});
}

TEST_F(SimWireTest, SwappedCablesReachTheOtherHost) {
  EXPECT_EQ(run("swap A1 A2"), "ok");
  chain.tickle(port("A1"), core::encode_tickle(7, 10ms));
  play();
  EXPECT_TRUE(a.drain().empty());
  EXPECT_EQ(decode_tickles(b.drain()), std::vector<std::uint64_t>{7});
}

TEST_F(SimWireTest, ACutCableCarriesNothingUntilMended) {
  EXPECT_EQ(run("cut A1"), "ok");
  chain.tickle(port("A1"), core::encode_tickle(7, 10ms));
  play();
  EXPECT_TRUE(a.drain().empty());
  EXPECT_GT(player.dropped(), 50u);
  EXPECT_EQ(run("mend A1"), "ok");
  chain.tickle(port("A1"), core::encode_tickle(8, 10ms));
  play();
  EXPECT_EQ(decode_tickles(a.drain()), std::vector<std::uint64_t>{8});
}

TEST_F(SimWireTest, CuttingMidTickleLosesTheRest) {
  chain.tickle(port("A1"), core::encode_tickle(9, 10ms));
  for (int i = 0; i < 400; ++i) {
    clock.advance(1ms);
    loop.run_once(core::Duration(0));
  }
  run("cut A1");
  play();
  EXPECT_TRUE(decode_tickles(a.drain()).empty());
}

TEST_F(SimWireTest, DelayShiftsEveryEdge) {
  EXPECT_EQ(run("delay A1 250"), "ok");
  const auto start = clock.now();
  chain.tickle(port("A1"), core::encode_tickle(3, 10ms));
  play();
  auto events = a.drain();
  EXPECT_EQ(decode_tickles(events), std::vector<std::uint64_t>{3});
  EXPECT_GE(events.front().at, start + 280ms);
}

TEST_F(SimWireTest, NoiseNeverProducesAnotherNonce) {
  EXPECT_EQ(run("noise A1 30"), "ok");
  int decoded = 0;
  for (std::uint64_t nonce = 100; nonce < 140; ++nonce) {
    chain.tickle(port("A1"), core::encode_tickle(nonce, 10ms));
    play();
    for (auto n : decode_tickles(a.drain())) {
      EXPECT_EQ(n, nonce);
      ++decoded;
    }
  }
  EXPECT_LT(decoded, 5);  // 30 glitches in a 98-bit frame break almost every one
}

TEST_F(SimWireTest, NoisyEventsAlternateAndAreOrdered) {
  std::mt19937_64 rng(5);
  auto events = noisy_tickle_events(core::make_tickle_pattern(1, 1ms), clock.now(), 50, rng);
  for (std::size_t i = 1; i < events.size(); ++i) {
    EXPECT_NE(events[i].level, events[i - 1].level);
    EXPECT_GT(events[i].at, events[i - 1].at);
  }
  EXPECT_FALSE(events.back().level);
}

TEST_F(SimWireTest, TheShutdownSignalIsALevelOnTheWire) {
  ASSERT_TRUE(chain.set_shutdown_signal(port("A2"), true).ok());
  play();
  auto events = b.drain();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].line, core::WireLine::kShutdown);
  EXPECT_TRUE(events[0].level);
  chain.power_loss(std::nullopt);  // every signal goes off with the controller
  play();
  events = b.drain();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(events[0].level);
}

TEST_F(SimWireTest, TheTickleCommandSendsAsTheAgentWould) {
  EXPECT_EQ(run("tickle A1 0xfeedfacecafebeef 20ms"), "ok");
  EXPECT_EQ(run("tickle .A2 42"), "ok");
  play();
  EXPECT_EQ(decode_tickles(a.drain()), std::vector<std::uint64_t>{0xfeedfacecafebeefULL});
  EXPECT_EQ(decode_tickles(b.drain()), std::vector<std::uint64_t>{0x42});
  EXPECT_EQ(chain.history().back().kind, HistoryEntry::Kind::kTickle);
}

TEST_F(SimWireTest, WireCommandsCheckTheirWords) {
  EXPECT_EQ(run("wire A1 none"), "ok");
  EXPECT_TRUE(chain.port(port("A1")).cable.endpoint.empty());
  EXPECT_EQ(run("wire A1 @sim-wire-A1"), "ok");
  EXPECT_EQ(chain.port(port("A1")).cable.endpoint, "@sim-wire-A1");
  for (const char* bad :
       {"wire A1", "wire Q9 x", "wire B1 /x", "swap A1", "swap A1 B1", "cut", "cut A9",
        "noise A1 -1", "noise A1 1.5", "noise A1 1001", "delay A1 x", "delay A1 60001", "tickle A1",
        "tickle A1 xyz", "tickle A1 12345678901234567", "tickle A1 1 0s", "tickle A1 1 11s",
        "mend"}) {
    EXPECT_EQ(run(bad).rfind("error: ", 0), 0u) << bad;
  }
  EXPECT_NE(run("help").find("swap PORT PORT"), std::string::npos);
  EXPECT_NE(run("state").find("\"wire\":\"@sim-wire-A1\""), std::string::npos);
}

TEST_F(SimWireTest, AbstractEndpointsWork) {
  Endpoint abstract("@np-sim-wire-test-" + std::to_string(::getpid()));
  chain.set_cable_endpoint(port("A3"), abstract.path());
  chain.tickle(port("A3"), core::encode_tickle(5, 10ms));
  play({&abstract});
  EXPECT_EQ(decode_tickles(abstract.drain()), std::vector<std::uint64_t>{5});
}

TEST_F(SimWireTest, ArbitraryPatternBytesAreRecordedButNotPlayed) {
  EXPECT_TRUE(chain.tickle(port("A1"), {1, 2, 3}).ok());
  EXPECT_EQ(player.pending(), 0u);
}

TEST(SimWireChain, AHundredAndFourTicklesAtOnceEachReachTheirHost) {
  testing::TempDir dir{"np-wire104"};
  SimSettings settings;
  settings.boards = core::kMaxBoards;
  std::vector<std::unique_ptr<Endpoint>> hosts;
  for (int flat = 0; flat < core::kMaxPorts; ++flat) {
    hosts.push_back(std::make_unique<Endpoint>(dir.file(std::to_string(flat)).string()));
    settings.wires[static_cast<std::size_t>(flat)] = hosts.back()->path();
  }
  core::ManualClock clock;
  core::SelectLoop loop{clock};
  SimChain chain{settings, clock};
  SimWirePlayer player{loop, chain};
  for (int flat = 0; flat < core::kMaxPorts; ++flat) {
    auto nonce = 0x5a00000000000000ULL + static_cast<std::uint64_t>(flat);
    ASSERT_TRUE(chain.tickle(core::PortId::from_flat(flat), core::encode_tickle(nonce, 10ms)).ok());
  }
  for (int i = 0; i < 100000 && player.pending() > 0; ++i) {
    clock.advance(1ms);
    loop.run_once(core::Duration(0));
    for (auto& h : hosts) h->receive();
  }
  for (int flat = 0; flat < core::kMaxPorts; ++flat) {
    EXPECT_EQ(decode_tickles(hosts[static_cast<std::size_t>(flat)]->drain()),
              std::vector<std::uint64_t>{0x5a00000000000000ULL + static_cast<std::uint64_t>(flat)})
        << core::PortId::from_flat(flat).str();
  }
  EXPECT_EQ(player.dropped(), 0u);
}

TEST(SimWireSettings, WiresMapPortsToEndpoints) {
  core::YamlReader reader("agent.yaml");
  auto s = parse_sim_settings(
      reader.load_string("boards: 2\nwires: { A1: /run/h1.sock, .B4: \"@sim-wire-B4\" }\n"),
      reader);
  EXPECT_EQ(s.wires[0], "/run/h1.sock");
  EXPECT_EQ(s.wires[7], "@sim-wire-B4");
  for (const char* bad : {"wires: [a]\n", "wires: { Q1: /x }\n", "wires: { C1: /x }\n",
                          "wires: { A1: [1] }\n", "wires: { A1: \"@\" }\n"}) {
    EXPECT_THROW(parse_sim_settings(reader.load_string(std::string("boards: 2\n") + bad), reader),
                 core::ConfigError)
        << bad;
  }
}

}  // namespace
}  // namespace netpower::collectors::sim
