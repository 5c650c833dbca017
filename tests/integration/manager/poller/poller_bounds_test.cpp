// A poll's own bounds against hostile agents speaking UDP on loopback (ScriptedAgent): an agent
// that answers every GETBULK just within its timeout ends at the poll's deadline; an endless table
// of 2 KB values ends at the byte bound, an endless table of small values at the varbind bound;
// each poll hands on none of its varbinds, the poller holds nothing afterwards, and the next poll
// of the same agent works again. The defaults hold a real 26-board chain with its UPS. Assertions
// are on results and counters; the only times are the configured ones, in milliseconds.

#include <gtest/gtest.h>

#include <iostream>
#include <optional>
#include <string>

#include "tests/integration/agent_process.h"
#include "tests/integration/manager/poller/poller_run.h"
#include "tests/support/manager/scripted_agent.h"
#include "tests/support/snmpd_server.h"
#include "tests/support/wait.h"

namespace netpower::manager::poller {
namespace {

using netpower::testing::ScriptedAgent;
using netpower::testing::wait_until;

const char* const kRoot = "1.3.6.1.4.1.32473.99";

Oid root() { return *parse_oid(kRoot); }

config::AgentSettings scripted(const ScriptedAgent& agent, const std::string& name) {
  auto a = v2c_agent(name, agent.port(), "public");
  a.poll_interval = 1s;
  a.timeout = 100ms;
  a.retries = 0;
  return a;
}

// The first poll of `name` that failed, then the first good one after it.
struct FailedThenGood {
  PollResult failed;
  PollResult good;
};
std::optional<FailedThenGood> failed_then_good(const RecordingSink& sink, const std::string& name) {
  const auto polls = sink.polls(name);
  for (std::size_t i = 0; i < polls.size(); ++i) {
    if (polls[i].ok()) continue;
    for (std::size_t j = i + 1; j < polls.size(); ++j) {
      if (polls[j].ok()) return FailedThenGood{polls[i], polls[j]};
    }
    return std::nullopt;
  }
  return std::nullopt;
}

TEST(PollerBoundsTest, SlowAgentEndsAtTheDeadline) {
  // One row per answer, each 80 ms late against a 100 ms timeout: no request ever times out, and
  // without a deadline the endless table would keep the poll alive for ever.
  ScriptedAgent hostile(ScriptedAgent::endless_table(root(), 8));
  hostile.set_delay(80ms);
  auto options = test_options({kRoot});
  options.max_repetitions = 1;
  PollerRun run(options);
  auto agent = scripted(hostile, "slow");
  agent.poll_deadline = 300ms;
  run.add(agent);
  run.start();
  ASSERT_TRUE(wait_until([&] { return !run.sink.polls("slow").empty(); }, 10s));
  const auto first = run.sink.polls("slow")[0];
  EXPECT_EQ(first.error, PollError::kDeadline);
  EXPECT_NE(first.error_text.find("deadline exceeded after "), std::string::npos)
      << first.error_text;
  EXPECT_NE(first.error_text.find("varbinds (poll_deadline 300 ms"), std::string::npos)
      << first.error_text;
  EXPECT_GE(first.duration, 300ms);  // never before its deadline
  EXPECT_GE(first.requests, 2u);     // several answers came, each within the timeout
  EXPECT_EQ(first.retries, 0u);
  EXPECT_TRUE(first.varbinds.empty());
  EXPECT_GT(first.bytes, 0u);  // what it held before it was freed
  ASSERT_EQ(run.sink.states("slow").size(), 1u);
  EXPECT_EQ(run.sink.states("slow")[0].reason, PollError::kDeadline);

  // The agent mends: the next poll completes, and the answer that was in flight at the deadline
  // did not leak into it.
  hostile.set_delay(0ms);
  hostile.set_answer(ScriptedAgent::finite_table(root(), 5, 8));
  ASSERT_TRUE(wait_until([&] { return failed_then_good(run.sink, "slow").has_value(); }, 10s));
  const auto good = failed_then_good(run.sink, "slow")->good;
  ASSERT_EQ(good.varbinds.size(), 5u);
  EXPECT_EQ(to_string(good.varbinds[0].oid), std::string(kRoot) + ".1.1");
  EXPECT_EQ(run.poller().state("slow"), AgentState::kUp);
  const auto m = run.poller().metrics();
  EXPECT_GE(m.deadline_failures_total, 1u);
  EXPECT_EQ(m.limit_failures_total, 0u);
}

TEST(PollerBoundsTest, EndlessTableEndsAtTheByteBound) {
  ScriptedAgent hostile(ScriptedAgent::endless_table(root(), 2048));
  PollerRun run(test_options({kRoot}));
  auto agent = scripted(hostile, "endless");
  agent.max_poll_bytes = 256 << 10;
  run.add(agent);
  run.start();
  ASSERT_TRUE(wait_until([&] { return !run.sink.polls("endless").empty(); }, 10s));
  const auto first = run.sink.polls("endless")[0];
  EXPECT_EQ(first.error, PollError::kTooManyBytes) << first.error_text;
  EXPECT_NE(first.error_text.find("more than 262144 bytes (max_poll_bytes) after "),
            std::string::npos)
      << first.error_text;
  // It stopped at the bound: held no more than it, and less than one more row short of it.
  const auto row = poll_bytes(
      snmp::octets_value(*parse_oid(std::string(kRoot) + ".1.1"), std::string(2048, 'x')));
  EXPECT_LE(first.bytes, 256u << 10);
  EXPECT_GT(first.bytes + row, 256u << 10);
  // Freed, not handed on: no varbinds and no storage.
  EXPECT_TRUE(first.varbinds.empty());
  EXPECT_EQ(first.varbinds.capacity(), 0u);
  // Two or three answers of 25 rows (each a full datagram) reached the bound, not thousands.
  EXPECT_LE(hostile.answered(), 6u);

  hostile.set_answer(ScriptedAgent::finite_table(root(), 30, 2048));
  ASSERT_TRUE(wait_until([&] { return failed_then_good(run.sink, "endless").has_value(); }, 10s));
  EXPECT_EQ(failed_then_good(run.sink, "endless")->good.varbinds.size(), 30u);
  run.poller().stop();
  const auto m = run.poller().metrics();
  EXPECT_GE(m.limit_failures_total, 1u);
  EXPECT_EQ(m.held_bytes, 0u);  // nothing held once no poll runs
}

TEST(PollerBoundsTest, EndlessSmallRowsEndAtTheVarbindBound) {
  ScriptedAgent hostile(ScriptedAgent::endless_table(root(), 4));
  PollerRun run(test_options({kRoot}));
  auto agent = scripted(hostile, "many");
  agent.max_poll_varbinds = 100;
  run.add(agent);
  run.start();
  ASSERT_TRUE(wait_until([&] { return !run.sink.polls("many").empty(); }, 10s));
  const auto first = run.sink.polls("many")[0];
  EXPECT_EQ(first.error, PollError::kTooManyVarbinds) << first.error_text;
  EXPECT_NE(first.error_text.find("more than 100 varbinds (max_poll_varbinds)"), std::string::npos)
      << first.error_text;
  EXPECT_TRUE(first.varbinds.empty());
  EXPECT_EQ(hostile.answered(), 5u);  // 4 x 25 rows kept, the 101st refused
}

// The defaults (poller::PollLimits, docs/poller.md) against the largest chain the MIB allows, 26
// boards, with its UPS, through snmpd and the real netpower-agent: the walk fits 8 times over.
TEST(PollerBoundsTest, DefaultsHoldATwentySixBoardChainWithHeadroom) {
  netpower::testing::SnmpdServer snmpd;
  snmpd.start();
  netpower::testing::AgentSetup setup;
  setup.boards = 26;
  setup.ups_yaml = "ups:\n  driver: sim\n  poll_interval: 100ms\n";
  netpower::testing::AgentProcess process(snmpd, setup);
  process.start();
  PollerOptions options;  // the default subtrees: Sentry2 chain, UPS-MIB, NETPOWER-MIB
  options.spread_start = false;
  PollerRun run(options);
  auto agent = v2c_agent("big", snmpd.port(), snmpd.read_community());
  agent.poll_interval = 1h;
  run.add(agent);
  run.start();
  ASSERT_TRUE(wait_until([&] { return !run.sink.polls("big").empty(); }, 30s));
  const auto result = run.sink.polls("big")[0];
  ASSERT_TRUE(result.ok()) << result.error_text;
  const PollLimits defaults;
  std::cout << "26-board chain + UPS: " << result.varbinds.size() << " varbinds, " << result.bytes
            << " bytes\n";
  EXPECT_GT(result.varbinds.size(), 26u * 4 * 4);
  EXPECT_LE(result.varbinds.size() * 8, defaults.max_varbinds);
  EXPECT_LE(result.bytes * 8, defaults.max_bytes);
}

}  // namespace
}  // namespace netpower::manager::poller
