// Verified power actions end to end: a daemon::Manager in-process (its own SNMP client for the
// actions, the real trap receiver) against a real snmpd + netpower-agent with a simulated chain
// whose ports' signal lines are wired to real netpower-host processes, which answer tickles,
// hellos and heartbeats by SNMPv3 authPriv informs to the manager. A "power follower" plays the
// hosts' power supplies: when the sim's relay of a host's port goes off, the host process dies;
// when it comes on, the host boots again with a new boot id.
//
// The tests that need the agent's tickle table (netpowerTickleTable, docs/tickle.md) skip while
// the agent does not serve it.

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "core/yaml_reader.h"
#include "manager/actions/action_service.h"
#include "manager/daemon/manager.h"
#include "manager/traps/trap_settings.h"
#include "tests/integration/agent_process.h"
#include "tests/support/manager/memory_action_journal.h"
#include "tests/support/process.h"
#include "tests/support/snmpd_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace netpower::manager::actions {
namespace {

using namespace std::chrono_literals;
using model::ActionKind;
using model::ActionResult;
using netpower::testing::AgentProcess;
using netpower::testing::AgentSetup;
using netpower::testing::SnmpdServer;
using netpower::testing::wait_until;

const model::Principal kAlice{"alice", model::Role::kOperator};
const model::Principal kRoot{"root", model::Role::kAdmin};

// One netpower-host process on a port's wire; restarted with a new boot id at each power-on.
struct Host {
  std::string name;  // also its SNMPv3 user's suffix and its host id's
  std::string port;  // the sim port whose wire it listens on
  int boots = 0;
  netpower::testing::ProcessPtr process;
};

class PowerActionsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    snmpd_ = new SnmpdServer();
    snmpd_->start();
    wires_ = new netpower::testing::TempDir("np-act-wires");
    AgentSetup setup;
    setup.boards = 1;
    setup.sim_yaml =
        "    appliances:\n      A1: {load: 1.5}\n      A2: {load: 2.0}\n"
        "      A3: {load: 0.7}\n      A4: {load: 0.5}\n    wires:\n";
    for (const char* p : {"A1", "A2", "A3", "A4"}) {
      setup.sim_yaml +=
          std::string("      ") + p + ": " + wires_->file(std::string(p) + ".wire").string() + "\n";
    }
    agent_ = new AgentProcess(*snmpd_, setup);
    agent_->start();
    // The agent's tickle table (being added alongside): its status column answers once it is.
    auto r = snmpd_->cli_v3().get({"1.3.6.1.4.1.32473.1.1.5.1.3.65.49"});
    tickle_table_ = r.ok() && !r.varbinds.empty() && r.varbinds[0].type == "INTEGER";
  }
  static void TearDownTestSuite() {
    delete agent_;
    delete snmpd_;
    delete wires_;
  }

  ~PowerActionsTest() override {
    stop_follower_ = true;
    if (follower_.joinable()) follower_.join();
    if (manager_) manager_->stop();
    for (auto& [n, h] : hosts_) h.process.reset();
    // Every port back on for the next test.
    for (const char* p : {"A1", "A2", "A3", "A4"}) {
      agent_->sim().command(std::string("switch ") + p + " on");
    }
    agent_->sim().command("mend A1");
  }

  // The inventory (`hosts:` body) and the processes: name -> port wired.
  void start(const std::string& hosts_yaml, const std::map<std::string, std::string>& processes) {
    auto path = dir_.file("manager.yaml");
    std::ofstream out(path);
    out << "agents:\n  - name: pdu\n    address: 127.0.0.1\n    port: " << snmpd_->port()
        << "\n    version: 3\n    user: " << snmpd_->v3_user()
        << "\n    auth_protocol: SHA\n    auth_key: " << snmpd_->v3_auth_password()
        << "\n    priv_protocol: AES\n    priv_key: " << snmpd_->v3_priv_password()
        << "\n    poll_interval: 1s\n    timeout: 400ms\n    retries: 1\n"
        << "poller:\n  spread_start: false\n"
        << "traps:\n  listen: 127.0.0.1\n  port: 0\n  receive_buffer: 1MiB\n  users:\n";
    for (const char* n : {"h1", "h2", "h3"}) {
      out << "    - {user: user-" << n << ", auth_key: auth-" << n << "-secret, priv_key: priv-"
          << n << "-secret}\n";
    }
    out << "http:\n  enabled: false\n"
        << "store:\n  backend: sqlite\n  sqlite: {path: " << dir_.file("m.db").string()
        << "}\n  spool_dir: " << dir_.file("spool").string() << "\n  flush_interval: 50ms\n"
        << "hosts:\n"
        << hosts_yaml
        << "actions:\n  answer_timeout: 4s\n  switch_timeout: 3s\n  verify_timeout: 5s\n"
           "  verify_interval: 100ms\n  off_time: 300ms\n  boot_timeout: 15s\n"
           "  heartbeat_timeout: 2\n";
    out.close();
    daemon::ManagerOptions options;
    options.config = config::load_manager_config(path.string());
    core::YamlReader reader(options.config.file);
    options.traps = traps::read_trap_settings(reader, options.config.traps);
    options.action_journal = &journal_;
    manager_ = std::make_unique<daemon::Manager>(std::move(options));
    manager_->start();
    ASSERT_NE(manager_->actions(), nullptr);
    for (const auto& [name, port] : processes) {
      hosts_[name] = Host{name, port, 0, nullptr};
      boot(hosts_[name]);
    }
    for (const auto& process : processes) {
      const std::string& name = process.first;  // (clang 14 cannot capture a structured binding)
      ASSERT_TRUE(wait_until([&] { return up("web-" + name); }, 15s)) << logs();
    }
    follower_ = std::thread([this] { follow(); });
  }

  void boot(Host& h) {
    ++h.boots;
    const auto boot_file = dir_.file(h.name + ".boot");
    std::ofstream(boot_file) << "boot-" << h.name << "-" << h.boots << "\n";
    const auto config = dir_.file(h.name + ".yaml");
    std::ofstream(config) << "host_id: id-" << h.name << "\nhostname: " << h.name
                          << ".example\nboot_id_file: " << boot_file.string()
                          << "\nline: { kind: sim, socket: "
                          << wires_->file(h.port + ".wire").string()
                          << " }\nmanager:\n  address: udp:127.0.0.1:" << manager_->trap_port()
                          << "\n  user: user-" << h.name << "\n  auth_passphrase: auth-" << h.name
                          << "-secret\n  priv_passphrase: priv-" << h.name
                          << "-secret\n  timeout: 300ms\n  retries: 1\n  attempts: 3\n"
                          << "heartbeat: 300ms\n";
    h.process = std::make_unique<netpower::testing::Process>(
        std::vector<std::string>{NETPOWER_HOST_BIN, "--config", config.string()},
        dir_.file(h.name + "-" + std::to_string(h.boots) + ".log"));
  }

  // The hosts' power: a host runs while the relay of its port is on.
  void follow() {
    while (!stop_follower_) {
      std::map<std::string, bool> relay;
      try {
        auto st = agent_->sim().state();
        for (const auto& p : st["boards"][0]["ports"]) relay[p["id"]] = p["relay_on"];
      } catch (const std::exception&) {
      }
      {
        std::lock_guard lock(hosts_mutex_);
        for (auto& [name, h] : hosts_) {
          if (!relay.count(h.port)) continue;
          const bool running = h.process && h.process->running();
          if (!relay[h.port] && running) h.process->kill9();
          if (relay[h.port] && !running) boot(h);
        }
      }
      std::this_thread::sleep_for(20ms);
    }
  }

  bool up(const std::string& host) {
    for (const auto& h : manager_->actions()->hosts()) {
      if (h.name == host) return h.up;
    }
    return false;
  }
  bool relay_on(const std::string& port) {
    const auto state = agent_->sim().state();  // bound first: the loop must not outlive it
    for (const auto& p : state["boards"][0]["ports"]) {
      if (p["id"] == port) return p["relay_on"];
    }
    return false;
  }

  // Submits and waits for the end of every action of the request.
  std::vector<model::ActionRecord> run(ActionSpec spec, const model::Principal& who = kAlice,
                                       std::chrono::milliseconds timeout = 40s) {
    auto s = manager_->actions()->submit(spec, who);
    std::vector<model::ActionRecord> out;
    wait_until(
        [&] {
          out.clear();
          for (const auto& a : s.actions) {
            auto r = manager_->actions()->action(a.id);
            if (!r || r->result == ActionResult::kPending) return false;
            out.push_back(*r);
          }
          return true;
        },
        timeout, 50ms);
    return out;
  }

  static std::string steps(const model::ActionRecord& r) {
    std::string out =
        std::string(model::to_string(r.result)) + " " + r.failure + ": " + r.failure_text + "\n";
    for (const auto& s : r.steps) {
      out += "  " + s.name + " [" + model::to_string(s.outcome) + "] " + s.detail + "\n";
    }
    return out;
  }
  std::string logs() {
    std::lock_guard lock(hosts_mutex_);
    std::string out = agent_->log_text().substr(0, 4000);
    for (auto& [n, h] : hosts_) {
      if (h.process) out += "\n--- " + n + "\n" + h.process->log_text();
    }
    return out;
  }
  const model::ActionStep* step(const model::ActionRecord& r, const std::string& name) {
    for (const auto& s : r.steps) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }

  static inline SnmpdServer* snmpd_ = nullptr;
  static inline AgentProcess* agent_ = nullptr;
  static inline netpower::testing::TempDir* wires_ = nullptr;
  static inline bool tickle_table_ = false;

  netpower::testing::TempDir dir_{"np-actions"};
  manager::testing::MemoryActionJournal journal_;
  std::unique_ptr<daemon::Manager> manager_;
  std::mutex hosts_mutex_;
  std::map<std::string, Host> hosts_;
  std::atomic<bool> stop_follower_{false};
  std::thread follower_;
};

const char* kTwoHosts =
    "  - {name: web-h1, id: id-h1, user: user-h1, outlets: [pdu.A1], heartbeat: 300ms}\n"
    "  - {name: web-h2, id: id-h2, user: user-h2, outlets: [pdu.A2], heartbeat: 300ms}\n"
    "  - {name: lamp, outlets: [pdu.A4], answer: none}\n";

TEST_F(PowerActionsTest, OnOfAnOffHostIsVerifiedByItsHelloWithANewBootId) {
  start(kTwoHosts, {{"h1", "A1"}, {"h2", "A2"}});
  agent_->sim().must("switch A1 off");
  ASSERT_TRUE(wait_until([&] { return !up("web-h1"); }, 10s));
  auto r = run({.kind = ActionKind::kOn, .target = {.host = "web-h1"}});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].result, ActionResult::kSucceeded) << steps(r[0]) << logs();
  ASSERT_NE(step(r[0], "hello"), nullptr) << steps(r[0]);
  EXPECT_NE(step(r[0], "hello")->detail.find("boot-h1-2"), std::string::npos) << steps(r[0]);
  EXPECT_TRUE(relay_on("A1"));
}

TEST_F(PowerActionsTest, AForcedOffOfAHostThatCannotAnswerNeedsAnAdminAndIsVerified) {
  start(kTwoHosts, {{"h1", "A1"}});
  auto refused = run({.kind = ActionKind::kOff, .target = {.host = "lamp"}});
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].failure, "not-permitted");
  EXPECT_TRUE(relay_on("A4"));
  auto r = run({.kind = ActionKind::kOff, .target = {.agent = "pdu", .port = ".A4"}, .force = true},
               kRoot);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].result, ActionResult::kSucceeded) << steps(r[0]);
  EXPECT_TRUE(r[0].force);
  EXPECT_EQ(step(r[0], "verify-off pdu.A4")->outcome, model::StepOutcome::kOk);
  EXPECT_FALSE(relay_on("A4"));
  EXPECT_TRUE(relay_on("A1"));
}

TEST_F(PowerActionsTest, AVerifiedRebootEndToEnd) {
  if (!tickle_table_) GTEST_SKIP() << "the agent does not serve netpowerTickleTable yet";
  start(kTwoHosts, {{"h1", "A1"}, {"h2", "A2"}});
  auto r = run({.kind = ActionKind::kReboot, .target = {.host = "web-h1"}, .reason = "hung"});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].result, ActionResult::kSucceeded) << steps(r[0]) << logs();
  for (const char* s : {"resolve", "tickle pdu.A1", "answer pdu.A1", "identity",
                        "verify-off pdu.A1", "off-time", "verify-on pdu.A1", "hello"}) {
    ASSERT_NE(step(r[0], s), nullptr) << s << "\n" << steps(r[0]);
    EXPECT_EQ(step(r[0], s)->outcome, model::StepOutcome::kOk) << s << "\n" << steps(r[0]);
  }
  EXPECT_NE(step(r[0], "hello")->detail.find("boot-h1-2"), std::string::npos);
  // The audit has it all, and web-h2 was never touched.
  auto stored = journal_.action(r[0].id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->steps, r[0].steps);
  EXPECT_EQ(hosts_["h2"].boots, 1);
  bool bound = false;
  for (const auto& b : manager_->actions()->bindings()) {
    if (b.outlet.text() == "pdu.A1") bound = b.verdict == "agree";
  }
  EXPECT_TRUE(bound);
}

TEST_F(PowerActionsTest, SwappedCablesAreRefusedAsWrongHostAndNothingIsSwitched) {
  if (!tickle_table_) GTEST_SKIP() << "the agent does not serve netpowerTickleTable yet";
  start(kTwoHosts, {{"h1", "A1"}, {"h2", "A2"}});
  agent_->sim().must("swap A1 A2");
  auto r = run({.kind = ActionKind::kOff, .target = {.host = "web-h1"}});
  agent_->sim().must("swap A1 A2");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].failure, "wrong-host") << steps(r[0]);
  EXPECT_TRUE(relay_on("A1"));
  EXPECT_TRUE(relay_on("A2"));
}

TEST_F(PowerActionsTest, ADeadHostIsNoAnswerAndADryRunSwitchesNothing) {
  if (!tickle_table_) GTEST_SKIP() << "the agent does not serve netpowerTickleTable yet";
  start(kTwoHosts, {{"h1", "A1"}, {"h2", "A2"}});
  agent_->sim().must("cut A1");
  auto dead = run({.kind = ActionKind::kReboot, .target = {.host = "web-h1"}});
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].failure, "no-answer") << steps(dead[0]);
  EXPECT_TRUE(relay_on("A1"));
  auto dry = run({.kind = ActionKind::kOff, .target = {.host = "web-h2"}, .dry_run = true});
  ASSERT_EQ(dry.size(), 1u);
  EXPECT_EQ(dry[0].result, ActionResult::kSucceeded) << steps(dry[0]);
  EXPECT_EQ(step(dry[0], "switch")->outcome, model::StepOutcome::kSkipped);
  EXPECT_TRUE(relay_on("A2"));
}

TEST_F(PowerActionsTest, DiscoveryReportsExactlyTheWrongInventoryEntries) {
  if (!tickle_table_) GTEST_SKIP() << "the agent does not serve netpowerTickleTable yet";
  // The inventory puts h2 on A3 and h3 on A2: the other way round.
  start(
      "  - {name: web-h1, id: id-h1, user: user-h1, outlets: [pdu.A1], heartbeat: 300ms}\n"
      "  - {name: web-h2, id: id-h2, user: user-h2, outlets: [pdu.A3], heartbeat: 300ms}\n"
      "  - {name: web-h3, id: id-h3, user: user-h3, outlets: [pdu.A2], heartbeat: 300ms}\n",
      {{"h1", "A1"}, {"h2", "A2"}, {"h3", "A3"}});
  auto s = manager_->actions()->discover({.agent = "pdu"}, kAlice);
  std::optional<DiscoveryReport> report;
  ASSERT_TRUE(wait_until(
      [&] {
        report = manager_->actions()->discovery(s.request_id);
        return report && report->complete;
      },
      30s, 100ms));
  std::map<std::string, std::string> verdicts;
  for (const auto& e : report->entries) verdicts[e.outlet.port] = e.verdict;
  EXPECT_EQ(verdicts["A1"], "match");
  EXPECT_EQ(verdicts["A2"], "mismatch");
  EXPECT_EQ(verdicts["A3"], "mismatch");
  EXPECT_EQ(verdicts["A4"], "empty");
  for (const char* p : {"A1", "A2", "A3", "A4"}) EXPECT_TRUE(relay_on(p));
}

}  // namespace
}  // namespace netpower::manager::actions
