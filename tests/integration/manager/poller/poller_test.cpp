// The poller against real agents on loopback: snmpd as the AgentX master with the real
// netpower-agent (simulated chain and UPS) behind it, and snmpd alone. The walks must equal what
// net-snmp's snmpbulkwalk returns; SNMPv3 authPriv works and a wrong key or user is named; a dead
// agent is marked down while a live one keeps its schedule; an agent that comes back is marked up.
// Assertions are on results, counts and order, never on how long something took.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <memory>

#include "manager/mib/decode.h"
#include "manager/mib/samples.h"
#include "tests/integration/agent_process.h"
#include "tests/integration/manager/poller/poller_run.h"
#include "tests/support/ports.h"
#include "tests/support/snmpd_server.h"
#include "tests/support/wait.h"

namespace netpower::manager::poller {
namespace {

using namespace std::chrono_literals;
using netpower::testing::AgentProcess;
using netpower::testing::AgentSetup;
using netpower::testing::SnmpdOptions;
using netpower::testing::SnmpdServer;
using netpower::testing::wait_until;

// snmpd + netpower-agent with a 4-board chain and a UPS, shared by the tests of the suite; extra
// SNMPv3 users with other protocols.
class PollerAgentTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    SnmpdOptions options;
    options.extra_config = {
        "createUser np-sha256 SHA-256 np-auth-secret-256 AES-256 np-priv-secret-256",
        "rouser -s usm np-sha256 priv",
        "createUser np-md5des MD5 np-auth-secret-md5 DES np-priv-secret-des",
        "rouser -s usm np-md5des priv",
        "createUser np-shaaes256 SHA np-auth-secret-x AES-256 np-priv-secret-x",
        "rouser -s usm np-shaaes256 priv",
    };
    snmpd_ = new SnmpdServer(options);
    snmpd_->start();
    AgentSetup setup;
    setup.boards = 4;
    setup.ups_yaml = "ups:\n  driver: sim\n  poll_interval: 100ms\n";
    agent_ = new AgentProcess(*snmpd_, setup);
    agent_->start();
  }
  static void TearDownTestSuite() {
    delete agent_;
    delete snmpd_;
    agent_ = nullptr;
    snmpd_ = nullptr;
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << agent_->log_text() << "\n" << snmpd_->log_text() << "\n";
  }

  // One poll of `agent`, run to its end.
  static PollResult poll_once(config::AgentSettings agent, PollerOptions options) {
    agent.poll_interval = 1h;
    PollerRun run(std::move(options));
    run.add(agent);
    run.start();
    EXPECT_TRUE(wait_until([&] { return !run.sink.polls(agent.name).empty(); }, 30s));
    auto polls = run.sink.polls(agent.name);
    return polls.empty() ? PollResult{} : polls[0];
  }

  static std::vector<netpower::testing::Varbind> bulk_walk(const char* root) {
    auto r = snmpd_->cli_read().bulk_walk(root, 25);
    EXPECT_TRUE(r.ok()) << r.describe();
    return r.varbinds;
  }

  static std::vector<Varbind> under(const PollResult& r, const char* root) {
    std::vector<Varbind> out;
    for (const auto& vb : r.varbinds) {
      if (starts_with(vb.oid, *parse_oid(root))) out.push_back(vb);
    }
    return out;
  }

  static void expect_same(const std::vector<Varbind>& ours,
                          const std::vector<netpower::testing::Varbind>& theirs,
                          bool values = true) {
    ASSERT_EQ(ours.size(), theirs.size());
    for (std::size_t i = 0; i < ours.size(); ++i) {
      EXPECT_EQ(to_string(ours[i].oid), theirs[i].oid) << i;
      EXPECT_EQ(to_string(ours[i].type), theirs[i].type) << theirs[i].oid;
      if (values) {
        EXPECT_EQ(ours[i].value_text(), theirs[i].value) << theirs[i].oid;
      }
    }
  }

  static SnmpdServer* snmpd_;
  static AgentProcess* agent_;
};
SnmpdServer* PollerAgentTest::snmpd_ = nullptr;
AgentProcess* PollerAgentTest::agent_ = nullptr;

TEST_F(PollerAgentTest, V2cWalkEqualsSnmpbulkwalk) {
  const auto theirs = bulk_walk(kSentry2Chain);
  const auto ups = bulk_walk(kUpsMib);
  ASSERT_GT(theirs.size(), 4u * 4 * 4);  // 4 boards x 4 ports x (at least) 4 columns
  ASSERT_FALSE(ups.empty());
  auto result =
      poll_once(v2c_agent("rack", snmpd_->port(), snmpd_->read_community()), test_options());
  ASSERT_TRUE(result.ok()) << result.error_text;
  EXPECT_EQ(result.poll_number, 1u);
  EXPECT_GT(result.requests, 2u);  // several GETBULKs: both subtrees, 25 repetitions each
  EXPECT_EQ(result.retries, 0u);
  expect_same(under(result, kSentry2Chain), theirs);
  // The UPS's readings move with the simulated clock: same objects and types, values may differ.
  expect_same(under(result, kUpsMib), ups, /*values=*/false);
  EXPECT_EQ(result.varbinds.size(), theirs.size() + ups.size());

  const auto readings = mib::decode_poll(result.varbinds, result.started);
  const auto samples =
      mib::poll_samples({result.agent, result.started, result.duration, true}, &readings);
  std::size_t currents = 0;
  for (const auto& s : samples) currents += s.metric == std::string(mib::kMetricOutletCurrent);
  EXPECT_EQ(currents, 16u);  // every port of the 4 boards has a load reading ("Not On" is 0 A)
}

TEST_F(PollerAgentTest, SmallRepetitionsWalkTheSame) {
  auto options = test_options({kSentry2Chain});
  options.max_repetitions = 1;
  auto result = poll_once(v2c_agent("rack", snmpd_->port(), snmpd_->read_community()), options);
  ASSERT_TRUE(result.ok()) << result.error_text;
  const auto theirs = bulk_walk(kSentry2Chain);
  EXPECT_EQ(result.requests, theirs.size() + 1);  // one row each, and the one that leaves
  expect_same(result.varbinds, theirs);
}

TEST_F(PollerAgentTest, V3AuthPrivShaAesWalks) {
  auto result = poll_once(v3_agent("rack-v3", snmpd_->port(), snmpd_->v3_user(),
                                   snmpd_->v3_auth_password(), snmpd_->v3_priv_password()),
                          test_options({kSentry2Chain}));
  ASSERT_TRUE(result.ok()) << result.error_text;
  expect_same(result.varbinds, bulk_walk(kSentry2Chain));
}

TEST_F(PollerAgentTest, V3OtherProtocolsWalk) {
  auto sha256 = v3_agent("rack-sha256", snmpd_->port(), "np-sha256", "np-auth-secret-256",
                         "np-priv-secret-256");
  sha256.usm.auth_protocol = config::AuthProtocol::kSha256;
  sha256.usm.priv_protocol = config::PrivProtocol::kAes256;
  auto result = poll_once(sha256, test_options({kSentry2Chain}));
  ASSERT_TRUE(result.ok()) << result.error_text;
  expect_same(result.varbinds, bulk_walk(kSentry2Chain));

  auto md5 =
      v3_agent("rack-md5", snmpd_->port(), "np-md5des", "np-auth-secret-md5", "np-priv-secret-des");
  md5.usm.auth_protocol = config::AuthProtocol::kMd5;
  md5.usm.priv_protocol = config::PrivProtocol::kDes;
  result = poll_once(md5, test_options({kSentry2Chain}));
  ASSERT_TRUE(result.ok()) << result.error_text;
  expect_same(result.varbinds, bulk_walk(kSentry2Chain));

  // SHA-1 gives 20 key bytes; AES-256 needs 32: the key is extended as net-snmp does.
  auto extended =
      v3_agent("rack-ext", snmpd_->port(), "np-shaaes256", "np-auth-secret-x", "np-priv-secret-x");
  extended.usm.priv_protocol = config::PrivProtocol::kAes256;
  result = poll_once(extended, test_options({kSentry2Chain}));
  ASSERT_TRUE(result.ok()) << result.error_text;
  expect_same(result.varbinds, bulk_walk(kSentry2Chain));
}

TEST_F(PollerAgentTest, WrongAuthKeyAndUnknownUserAreNamed) {
  PollerRun run(test_options({kSentry2Chain}));
  auto wrong = v3_agent("wrong-key", snmpd_->port(), snmpd_->v3_user(), "not-the-auth-key",
                        snmpd_->v3_priv_password());
  auto unknown = v3_agent("unknown-user", snmpd_->port(), "np-nobody", snmpd_->v3_auth_password(),
                          snmpd_->v3_priv_password());
  auto good = v3_agent("good", snmpd_->port(), snmpd_->v3_user(), snmpd_->v3_auth_password(),
                       snmpd_->v3_priv_password());
  for (auto* a : {&wrong, &unknown, &good}) {
    a->poll_interval = 1h;
    run.add(*a);
  }
  run.start();
  ASSERT_TRUE(wait_until(
      [&] {
        return !run.sink.polls("wrong-key").empty() && !run.sink.polls("unknown-user").empty() &&
               !run.sink.polls("good").empty();
      },
      30s));
  const auto w = run.sink.polls("wrong-key")[0];
  EXPECT_EQ(w.error, PollError::kWrongAuthKey);
  EXPECT_NE(w.error_text.find("wrong auth key for user '" + snmpd_->v3_user() + "'"),
            std::string::npos)
      << w.error_text;
  EXPECT_NE(w.error_text.find("usmStatsWrongDigests"), std::string::npos) << w.error_text;
  EXPECT_EQ(w.error_text.find("not-the-auth-key"), std::string::npos);
  const auto u = run.sink.polls("unknown-user")[0];
  EXPECT_EQ(u.error, PollError::kUnknownUser);
  EXPECT_NE(u.error_text.find("np-nobody"), std::string::npos) << u.error_text;
  EXPECT_TRUE(run.sink.polls("good")[0].ok()) << run.sink.polls("good")[0].error_text;

  // A failed poll marks the agent down, with the reason in the event.
  const auto states = run.sink.states("wrong-key");
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].to, AgentState::kDown);
  EXPECT_EQ(states[0].reason, PollError::kWrongAuthKey);
  const auto event = to_event(states[0]);
  EXPECT_EQ(event.kind, model::EventKind::kDown);
  EXPECT_NE(event.text.find("wrong auth key"), std::string::npos);
  EXPECT_EQ(run.poller().state("good"), AgentState::kUp);
  EXPECT_EQ(run.poller().state("wrong-key"), AgentState::kDown);
}

TEST_F(PollerAgentTest, DeadAgentDoesNotDelayLiveOne) {
  netpower::testing::SilentUdpPort silent;
  PollerRun run(test_options({kSentry2Chain}));
  auto dead = v3_agent("dead", silent.port(), snmpd_->v3_user(), snmpd_->v3_auth_password(),
                       snmpd_->v3_priv_password());
  dead.timeout = 1500ms;  // its first poll fails only after two such timeouts
  dead.retries = 1;
  dead.poll_interval = 5s;
  auto live = v2c_agent("live", snmpd_->port(), snmpd_->read_community());
  live.poll_interval = 500ms;  // its walk well within its deadline (400 ms) on a loaded machine
  run.add(dead);
  run.add(live);
  run.start();
  ASSERT_TRUE(wait_until([&] { return !run.sink.polls("dead").empty(); }, 60s));

  // While the dead agent's one poll was waiting for its two timeouts, the live agent went on
  // polling on its own schedule: several complete polls come before the dead one's failure.
  const auto entries = run.sink.entries();
  std::size_t live_before = 0;
  for (const auto& e : entries) {
    if (e.is_state) continue;
    if (e.poll.agent == "dead") break;
    if (e.poll.agent == "live") {
      EXPECT_TRUE(e.poll.ok()) << e.poll.error_text;
      ++live_before;
    }
  }
  EXPECT_GE(live_before, 3u);
  const auto d = run.sink.polls("dead")[0];
  EXPECT_EQ(d.error, PollError::kTimeout);
  EXPECT_EQ(d.requests, 2u);  // the discovery probe and its one retry
  EXPECT_EQ(d.retries, 1u);
  const auto states = run.sink.states("dead");
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].from, AgentState::kUnknown);
  EXPECT_EQ(states[0].to, AgentState::kDown);
  EXPECT_EQ(states[0].reason, PollError::kTimeout);
  EXPECT_EQ(run.poller().state("dead"), AgentState::kDown);
  EXPECT_EQ(run.poller().state("live"), AgentState::kUp);
  EXPECT_EQ(run.sink.count("live", false), 0u);
  const auto m = run.poller().metrics();
  EXPECT_EQ(m.agents, 2u);
  EXPECT_EQ(m.agents_down, 1u);
  EXPECT_EQ(m.agents_up, 1u);
}

// snmpd alone (its own system group), stopped with SIGSTOP and resumed: up, down, up again.
TEST(PollerTest, AgentThatComesBackIsMarkedUp) {
  SnmpdServer snmpd;
  snmpd.start();
  PollerRun run(test_options({"1.3.6.1.2.1.1"}));
  auto agent = v3_agent("flappy", snmpd.port(), snmpd.v3_user(), snmpd.v3_auth_password(),
                        snmpd.v3_priv_password());
  agent.poll_interval = 150ms;  // its deadline (120 ms) past the timeout: silence is a timeout
  agent.timeout = 100ms;
  agent.retries = 0;
  run.add(agent);
  run.start();
  ASSERT_TRUE(wait_until([&] { return run.sink.count("flappy", true) >= 2; }, 30s));
  snmpd.process()->signal(SIGSTOP);
  ASSERT_TRUE(wait_until([&] { return run.poller().state("flappy") == AgentState::kDown; }, 30s));
  // While down it keeps being polled (with backoff) and keeps failing.
  ASSERT_TRUE(wait_until([&] { return run.sink.count("flappy", false) >= 3; }, 30s));
  snmpd.process()->signal(SIGCONT);
  ASSERT_TRUE(wait_until([&] { return run.poller().state("flappy") == AgentState::kUp; }, 30s));

  const auto states = run.sink.states("flappy");
  ASSERT_EQ(states.size(), 3u);
  EXPECT_EQ(states[0].from, AgentState::kUnknown);
  EXPECT_EQ(states[0].to, AgentState::kUp);
  EXPECT_EQ(states[1].to, AgentState::kDown);
  EXPECT_EQ(states[1].reason, PollError::kTimeout);
  EXPECT_EQ(states[2].from, AgentState::kDown);
  EXPECT_EQ(states[2].to, AgentState::kUp);
  EXPECT_EQ(to_event(states[2]).kind, model::EventKind::kUp);
  // Poll numbers count every poll of the agent, in order.
  const auto polls = run.sink.polls("flappy");
  for (std::size_t i = 0; i < polls.size(); ++i) EXPECT_EQ(polls[i].poll_number, i + 1);
  const auto& last = polls.back();
  EXPECT_TRUE(last.ok()) << last.error_text;
  EXPECT_FALSE(last.varbinds.empty());
}

TEST(PollerTest, StopEndsPollsInFlight) {
  netpower::testing::SilentUdpPort silent;
  PollerRun run(test_options({"1.3.6.1.2.1.1"}));
  auto agent = v2c_agent("silent", silent.port(), "x");
  agent.timeout = 30s;
  run.add(agent);
  run.start();
  ASSERT_TRUE(wait_until([&] { return run.poller().metrics().requests_total >= 1; }, 10s));
  run.poller().stop();
  const auto polls = run.sink.polls("silent");
  ASSERT_EQ(polls.size(), 1u);
  EXPECT_EQ(polls[0].error, PollError::kStopped);
  EXPECT_TRUE(run.sink.states("silent").empty());
}

}  // namespace
}  // namespace netpower::manager::poller
