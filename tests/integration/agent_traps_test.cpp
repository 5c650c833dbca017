// The 13 Sentry2 traps end to end: faults injected into the simulated chain of a real
// netpower-agent, notifications through a real snmpd master to a real snmptrapd. The agent runs
// with a steady-state period of 1 s (traps.period) so that repeats and returns to normal happen
// within the test; the unit tests check the period's edges on a manual clock.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/integration/agent_process.h"
#include "tests/support/trap_receiver.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using namespace std::chrono_literals;

const std::string kRoot = ".1.3.6.1.4.1.1718.2";
const std::string kLocation = kRoot + ".1.1.0";
constexpr auto kWait = 15s;

// sentry2Events.N
std::string event(int n) { return kRoot + ".100.0." + std::to_string(n); }
// A column of the board / port table at a board's / port's index, computed independently of the
// agent: board B is .66, port A1 is .65.49.
std::string board_column(int column, char board) {
  return kRoot + ".1.3.1." + std::to_string(column) + "." + std::to_string(int{board});
}
std::string port_column(int column, const std::string& port) {
  return kRoot + ".1.4.1." + std::to_string(column) + "." + std::to_string(int{port[0]}) + "." +
         std::to_string(int{port[1]});
}

using Wire = std::vector<std::pair<std::string, std::string>>;

// The string in snmptrapd's "STRING: \"text\"".
std::string text_of(std::string value) {
  if (value.rfind("STRING: ", 0) == 0) value = value.substr(8);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  return value;
}

Wire wire(const ReceivedTrap& trap) {
  Wire out;
  for (const auto& [name, value] : trap.varbinds) out.emplace_back(name, text_of(value));
  return out;
}

std::string value_of(const ReceivedTrap& trap) { return wire(trap).back().second; }

// The board trap's varbinds: location, index, page name, then temperature (4) or input load (5).
Wire board_wire(char board, const std::string& page, int column, const std::string& value) {
  return {{kLocation, "itest rack"},
          {board_column(1, board), std::string(1, board)},
          {board_column(2, board), page},
          {board_column(column, board), value}};
}

// The port trap's varbinds: location, index, device name, then control (4), module (5) or load (6).
Wire port_wire(const std::string& port, const std::string& name, int column,
               const std::string& value) {
  return {{kLocation, "itest rack"},
          {port_column(1, port), port},
          {port_column(3, port), name},
          {port_column(column, port), value}};
}

class AgentTrapsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SnmpdOptions options;
    options.extra_config = {traps_.sink_line()};
    snmpd_ = std::make_unique<SnmpdServer>(options);
    snmpd_->start();
    AgentSetup setup;
    setup.boards = 2;
    setup.chain_yaml =
        "  location: \"itest rack\"\n"
        "  boards:\n"
        "    A: { page: upper, input_load_high: 10, traps: { input_load: true } }\n"
        "    B: { page: lower, temp_high: 50, temp_low: 10 }\n"
        "  ports:\n"
        "    A1: { name: router, load_high: 4, load_low: 1, traps: { load: true } }\n"
        "    A2: { name: switch }\n"
        "    B1: { name: quiet, traps: { control: false, module: false } }\n";
    setup.sim_yaml =
        "    appliances:\n"
        "      A1: { load: 2.5 }\n"
        "      A2: { load: 1.0 }\n";
    setup.extra_yaml = "traps:\n  period: 1s\n";
    agent_ = std::make_unique<AgentProcess>(*snmpd_, setup);
    agent_->start();
    ASSERT_TRUE(traps_.wait_for(event(1), kWait)) << diagnostics();
  }

  void sim(const std::string& line) { agent_->sim().must(line); }

  // The traps of sentry2Events.n about the board or port whose index object is `index_oid`.
  std::vector<ReceivedTrap> about(int n, const std::string& index_oid) const {
    std::vector<ReceivedTrap> out;
    for (auto& trap : traps_.traps_of(event(n))) {
      if (trap.varbinds.size() >= 2 && trap.varbinds[1].first == index_oid) out.push_back(trap);
    }
    return out;
  }
  // Waits until there are `count` of them and returns the last one.
  ReceivedTrap wait_about(int n, const std::string& index_oid, std::size_t count = 1) {
    bool ok = wait_until([&]() { return about(n, index_oid).size() >= count; }, kWait);
    EXPECT_TRUE(ok) << "no " << count << " x " << event(n) << " about " << index_oid << "\n"
                    << diagnostics();
    auto list = about(n, index_oid);
    return list.empty() ? ReceivedTrap{} : list[std::min(count, list.size()) - 1];
  }
  // The Sentry2 traps received so far about `index_oid`, as their event numbers, in order.
  std::vector<int> events_about(const std::string& index_oid) const {
    std::vector<int> out;
    for (const auto& trap : traps_.traps()) {
      auto prefix = kRoot + ".100.0.";
      if (trap.trap_oid.rfind(prefix, 0) != 0) continue;
      if (trap.varbinds.size() >= 2 && trap.varbinds[1].first == index_oid) {
        out.push_back(std::stoi(trap.trap_oid.substr(prefix.size())));
      }
    }
    return out;
  }
  std::size_t log_count(const std::string& needle) const {
    auto log = agent_->log_text();
    std::size_t n = 0;
    for (auto at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) ++n;
    return n;
  }
  void wait_log(const std::string& needle, std::size_t count = 1) {
    ASSERT_TRUE(wait_until([&]() { return log_count(needle) >= count; }, kWait))
        << "agent log never showed '" << needle << "' x" << count << "\n"
        << diagnostics();
  }
  std::string get(const std::string& oid) {
    auto r = snmpd_->cli_v3().get({oid.substr(1)});
    return r.ok() && !r.varbinds.empty() ? r.varbinds[0].value : "error " + r.error;
  }
  std::string diagnostics() const {
    return "agent log:\n" + agent_->log_text() + "\ntrap receiver log:\n" + traps_.log_text();
  }

  TrapReceiver traps_;
  std::unique_ptr<SnmpdServer> snmpd_;
  std::unique_ptr<AgentProcess> agent_;
};

TEST_F(AgentTrapsTest, ChainStartAtStartAndWhenTheChainAnswersAgain) {
  auto start = traps_.traps_of(event(1));
  ASSERT_EQ(start.size(), 1u);
  EXPECT_EQ(wire(start[0]), (Wire{{kLocation, "itest rack"}}));
  sim("unplug");
  ASSERT_TRUE(wait_until([&]() { return get(port_column(5, "A1")) == "No Rspns"; }, kWait));
  sim("plug");
  ASSERT_TRUE(traps_.wait_for(event(1), kWait, {}, 1)) << diagnostics();
  EXPECT_EQ(wire(traps_.traps_of(event(1))[1]), (Wire{{kLocation, "itest rack"}}));
  // The relays adopted at start are no changes; the silent chain froze every condition: no
  // module errors for its "No Rspns" ports.
  for (const auto& trap : traps_.traps()) {
    if (trap.trap_oid.rfind(kRoot, 0) != 0) continue;  // snmpd's own coldStart
    EXPECT_EQ(trap.trap_oid, event(1)) << "unexpected trap " << trap.trap_oid;
  }
}

TEST_F(AgentTrapsTest, BoardTemperatureHighRepeatsNormalAfterAWholePeriodThenLow) {
  const auto b = board_column(1, 'B');
  sim("temperature B 80");
  auto high = wait_about(2, b);
  EXPECT_EQ(wire(high), board_wire('B', "lower", 4, "80.0 Deg C"));
  wait_about(2, b, 2);  // the repeat after one period
  sim("temperature B 30");
  auto normal = wait_about(4, b);
  EXPECT_EQ(wire(normal), board_wire('B', "lower", 4, "30.0 Deg C"));
  // High until the period in which it came back ended (that repeat already carries 30.0), then
  // Normal once after a whole period in range.
  auto seen = events_about(b);
  ASSERT_GE(seen.size(), 4u);
  EXPECT_EQ(seen.back(), 4);
  EXPECT_TRUE(std::all_of(seen.begin(), seen.end() - 1, [](int n) { return n == 2; }));
  auto highs = about(2, b);
  EXPECT_EQ(value_of(highs.front()), "80.0 Deg C");
  EXPECT_EQ(value_of(highs.back()), "30.0 Deg C");
  sim("temperature B 5");  // below temp_low (10)
  auto low = wait_about(3, b);
  EXPECT_EQ(wire(low), board_wire('B', "lower", 4, "5.0 Deg C"));
  EXPECT_EQ(about(4, b).size(), 1u);  // Normal was sent once
}

TEST_F(AgentTrapsTest, BoardInputLoadHighThenLowAtOnceThenNormal) {
  const auto a = board_column(1, 'A');
  sim("load A3 8");  // board A: 2.5 + 1.0 + 8 = 11.5 A > 10 A
  EXPECT_EQ(wire(wait_about(11, a)), board_wire('A', "upper", 5, "11.50A"));
  sim("load A3 0");
  sim("load A2 0");
  sim("load A1 0.5");  // 0.5 A < 1 A: a new condition, sent at once
  EXPECT_EQ(wire(wait_about(12, a)), board_wire('A', "upper", 5, "0.50A"));
  sim("load A1 2.5");
  EXPECT_EQ(wire(wait_about(13, a)), board_wire('A', "upper", 5, "2.50A"));
  auto seen = events_about(a);
  ASSERT_GE(seen.size(), 3u);
  EXPECT_EQ(seen.front(), 11);
  EXPECT_EQ(seen.back(), 13);
}

TEST_F(AgentTrapsTest, PortDeviceLoadHighLowAndNormal) {
  const auto a1 = port_column(1, "A1");
  sim("load A1 5");
  EXPECT_EQ(wire(wait_about(8, a1)), port_wire("A1", "router", 6, "5.00A"));
  sim("load A1 0.5");
  EXPECT_EQ(wire(wait_about(9, a1)), port_wire("A1", "router", 6, "0.50A"));
  sim("load A1 2.5");
  EXPECT_EQ(wire(wait_about(10, a1)), port_wire("A1", "router", 6, "2.50A"));
  auto seen = events_about(a1);
  EXPECT_EQ(seen.front(), 8);
  EXPECT_EQ(seen.back(), 10);
  EXPECT_EQ(about(10, a1).size(), 1u);
}

TEST_F(AgentTrapsTest, PortModuleStatusErrorRepeatsAndReturnsToNormalAndADisabledPortIsQuiet) {
  const auto a2 = port_column(1, "A2");
  const auto b1 = port_column(1, "B1");
  sim("fault B1 on-sense");  // B1's module status traps are disabled
  sim("fault A2 on-sense");
  EXPECT_EQ(wire(wait_about(6, a2)), port_wire("A2", "switch", 5, "OnS Fail"));
  wait_about(6, a2, 2);  // repeated after one period
  sim("fault A2 none");
  EXPECT_EQ(wire(wait_about(7, a2)), port_wire("A2", "switch", 5, "Normal"));
  auto seen = events_about(a2);
  EXPECT_EQ(seen.back(), 7);
  EXPECT_GE(seen.size(), 3u);
  // B1 has been "OnS Fail" for more than two periods by now.
  EXPECT_EQ(get(port_column(5, "B1")), "OnS Fail");
  EXPECT_TRUE(events_about(b1).empty());
}

TEST_F(AgentTrapsTest, PortControlStatusChangeAtEachChangeAndNotWhereDisabled) {
  const auto a1 = port_column(1, "A1");
  const auto a2 = port_column(1, "A2");
  const auto b1 = port_column(1, "B1");
  sim("switch B1 off");  // B1's control status trap is disabled
  auto set = snmpd_->cli_v3().set(port_column(2, "A2").substr(1), 'i', "1");  // powerOff
  ASSERT_TRUE(set.ok()) << set.describe();
  EXPECT_EQ(wire(wait_about(5, a2)), port_wire("A2", "switch", 4, "Off"));
  sim("switch A1 off");  // at the unit
  EXPECT_EQ(wire(wait_about(5, a1)), port_wire("A1", "router", 4, "Off"));
  sim("switch A1 on");
  EXPECT_EQ(wire(wait_about(5, a1, 2)), port_wire("A1", "router", 4, "On"));
  // A1 is on again: its load is back in range, and nothing else was sent about these ports.
  EXPECT_EQ(events_about(a1), (std::vector<int>{5, 5}));
  EXPECT_EQ(events_about(a2), (std::vector<int>{5}));
  EXPECT_TRUE(events_about(b1).empty());
}

TEST_F(AgentTrapsTest, WhileTheMasterIsAwayTrapsAreHeldAndCoalescedIntoTheLatestState) {
  const auto a1 = port_column(1, "A1");
  const auto b = board_column(1, 'B');
  snmpd_->stop();
  wait_log("AgentX session to the master closed");
  // Three changes of A1 and two temperature conditions of B, each seen by the agent and held.
  sim("switch A1 off");
  wait_log("sentry2PortControlStatusChange .A1 held");
  sim("switch A1 on");
  wait_log("sentry2PortControlStatusChange .A1 held", 2);
  sim("switch A1 off");
  wait_log("sentry2PortControlStatusChange .A1 held", 3);
  sim("temperature B 80");
  wait_log("sentry2BoardTemperatureHighError .B held");
  sim("temperature B 5");
  wait_log("sentry2BoardTemperatureLowError .B held");
  snmpd_->start();
  auto control = wait_about(5, a1);
  auto low = wait_about(3, b);
  // One trap each, with the latest state; the High that was never sent stays unsent.
  EXPECT_EQ(wire(control), port_wire("A1", "router", 4, "Off"));
  EXPECT_EQ(wire(low), board_wire('B', "lower", 4, "5.0 Deg C"));
  wait_about(3, b, 2);  // the Low condition goes on repeating once per period
  EXPECT_EQ(events_about(a1), (std::vector<int>{5}));
  EXPECT_TRUE(about(2, b).empty());
  EXPECT_EQ(traps_.traps_of(event(1)).size(), 1u);  // the master came back, not the chain
}

}  // namespace
}  // namespace netpower::testing
