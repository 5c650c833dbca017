// Verified power actions end to end: real snmpd + netpower-agent (sim chain, wires), real
// netpower-host processes powered by the outlets they are plugged into, a real netpower-manager
// process, and netpowerctl. Every refusal must switch zero outlets.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/actions/fleet.h"
#include "tests/support/wait.h"
#include "tests/support/wire_endpoint.h"

namespace netpower::testing {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;
using namespace std::chrono_literals;

// The relay changes of every port, to compare before and after an action.
using Changes = std::map<std::string, int>;

// The actions of the last request netpowerctl made (its --json output carries them).
json actions_of(const FleetCtl& r) {
  auto body = json::parse(r.out, nullptr, false);
  if (body.is_object() && body.contains("actions")) return body["actions"];
  if (body.is_array()) return body;
  return json::array();
}

std::vector<std::string> step_names(const json& action) {
  std::vector<std::string> out;
  for (const auto& s : action["steps"]) out.push_back(s["name"].get<std::string>());
  return out;
}

bool has_step(const json& action, const std::string& prefix, const std::string& outcome) {
  for (const auto& s : action["steps"]) {
    if (s["name"].get<std::string>().rfind(prefix, 0) == 0 && s["outcome"] == outcome) return true;
  }
  return false;
}

TEST(ActionsEndToEnd, VerifiedRebootAndDryRunAndRoles) {
  FleetSetup setup;
  setup.hosts = {{.name = "web1", .plugged = {"A1"}}, {.name = "web2", .plugged = {"A2"}}};
  Fleet fleet(setup);
  fleet.start();
  ASSERT_EQ(fleet.boots("web1"), 1);
  const auto first_boot = fleet.boot_id("web1");

  // A viewer cannot act: refused by the API, nothing audited as switched, nothing switched.
  const Changes before = fleet.all_relay_changes();
  auto viewer = fleet.ctl({"reboot", "web1", "--reason", "viewer tries"}, "viewer");
  EXPECT_EQ(viewer.exit_code, 1) << viewer.describe();
  EXPECT_THAT(viewer.err, HasSubstr("403"));
  EXPECT_EQ(fleet.post("/api/v1/actions", {{"action", "off"}, {"host", "web1"}}, "viewer").status,
            403);

  // A dry run tickles and compares, and switches nothing.
  auto dry = fleet.ctl({"reboot", "web1", "--dry-run", "--json", "--reason", "rehearsal"});
  ASSERT_EQ(dry.exit_code, 0) << dry.describe() << fleet.logs();
  auto dry_actions = actions_of(dry);
  ASSERT_EQ(dry_actions.size(), 1u) << dry.out;
  EXPECT_EQ(dry_actions[0]["result"], "succeeded");
  EXPECT_TRUE(dry_actions[0]["dry_run"].get<bool>());
  EXPECT_TRUE(has_step(dry_actions[0], "identity", "ok")) << dry_actions[0].dump(2);
  EXPECT_TRUE(has_step(dry_actions[0], "switch", "skipped")) << dry_actions[0].dump(2);
  EXPECT_EQ(fleet.all_relay_changes(), before);
  EXPECT_EQ(fleet.boots("web1"), 1);

  // The verified reboot: tickle, answer, identity, off (verified), on (verified), a new boot id.
  auto reboot = fleet.ctl({"reboot", "web1", "--reason", "kernel update"});
  ASSERT_EQ(reboot.exit_code, 0) << reboot.describe() << fleet.logs();
  EXPECT_THAT(reboot.out, HasSubstr("pdu.A1"));
  EXPECT_EQ(fleet.boots("web1"), 2);
  EXPECT_NE(fleet.boot_id("web1"), first_boot);
  EXPECT_EQ(fleet.relay_changes("A1"), before.count("A1") ? before.at("A1") + 2 : 2);
  EXPECT_EQ(fleet.relay_changes("A2"), before.count("A2") ? before.at("A2") : 0);

  // Every step is in the audit trail, with who and why.
  auto list = fleet.get_json("/api/v1/actions?host=web1&limit=1");
  ASSERT_EQ(list["actions"].size(), 1u) << list.dump(2);
  auto action = list["actions"][0];
  EXPECT_EQ(action["result"], "succeeded");
  EXPECT_EQ(action["kind"], "reboot");
  EXPECT_EQ(action["source"], "cli");
  EXPECT_EQ(action["principal"], "operator-user");
  EXPECT_EQ(action["reason"], "kernel update");
  for (const char* step :
       {"tickle", "answer", "identity", "switch", "verify-off", "verify-on", "hello"}) {
    EXPECT_TRUE(has_step(action, step, "ok")) << step << "\n" << action.dump(2);
  }
  const auto detail = action.dump();
  EXPECT_THAT(detail, HasSubstr(fleet.boot_id("web1")));
  auto one = fleet.get_json("/api/v1/actions/" + std::to_string(action["id"].get<int>()));
  EXPECT_EQ(one["steps"], action["steps"]);
}

TEST(ActionsEndToEnd, MisWiringMatrixRefusesEachWithItsReasonAndSwitchesNothing) {
  FleetSetup setup;
  setup.boards = 3;
  setup.relay = true;
  setup.hosts = {
      // Two cables swapped: each host is plugged where the inventory believes the other is.
      {.name = "swap1", .plugged = {"A2"}, .believed = {"A1"}},
      {.name = "swap2", .plugged = {"A1"}, .believed = {"A2"}},
      {.name = "dead", .plugged = {"A3"}, .runs_host = false},
      {.name = "late", .plugged = {"A4"}},
      {.name = "twin1", .id = "id-twin", .plugged = {"B1"}},
      // A cloned machine: the same id and the same SNMPv3 credentials as twin1.
      {.name = "twin2",
       .id = "id-twin",
       .plugged = {"B2"},
       .in_inventory = false,
       .clone_of = "twin1"},
      {.name = "noisy", .plugged = {"B3"}},
      {.name = "replay", .plugged = {"B4"}},
      {.name = "wrongkey", .plugged = {"C1"}, .auth_override = "not-the-auth-key"},
  };
  Fleet fleet(setup);
  fleet.start();
  auto sim = fleet.sim();
  sim.must("delay A4 3000");  // the answer comes after the manager's 2 s answer timeout
  sim.must("noise B3 1000");

  // An answer that once was good, captured on the network.
  auto good = fleet.ctl({"tickle", "replay", "--json"});
  ASSERT_EQ(good.exit_code, 0) << good.describe() << fleet.logs();
  std::vector<std::string> captured = fleet.relay().recorded();
  sim.must("cut B4");  // from now on the host hears nothing: only the replay can answer

  const Changes before = fleet.all_relay_changes();
  struct Case {
    std::string host;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"swap1", "wrong-host"}, {"swap2", "wrong-host"},    {"dead", "no-answer"},
      {"late", "no-answer"},   {"twin1", "host-conflict"}, {"noisy", "no-answer"},
      {"replay", "no-answer"}, {"wrongkey", "no-answer"},
  };
  std::atomic<bool> replaying{true};
  std::thread replayer([&] {
    while (replaying) {
      for (const auto& d : captured) fleet.relay().replay(d);
      std::this_thread::sleep_for(50ms);
    }
  });
  for (const auto& c : cases) {
    auto r = fleet.ctl({"reboot", c.host, "--json", "--reason", "matrix"});
    EXPECT_EQ(r.exit_code, 2) << c.host << "\n" << r.describe();
    auto actions = actions_of(r);
    ASSERT_EQ(actions.size(), 1u) << c.host << "\n" << r.out;
    EXPECT_EQ(actions[0]["result"], "refused") << c.host;
    EXPECT_EQ(actions[0]["failure"], c.reason) << c.host << "\n" << actions[0].dump(2);
    EXPECT_FALSE(actions[0]["failure_text"].get<std::string>().empty());
  }
  replaying = false;
  replayer.join();
  EXPECT_EQ(fleet.all_relay_changes(), before) << "a refused action switched an outlet";

  // Each refusal is an event too.
  auto events = fleet.get_json("/api/v1/events?kind=action&limit=100");
  EXPECT_GE(events["events"].size(), cases.size()) << events.dump(2);
}

TEST(ActionsEndToEnd, DualCordedHostIsCycledOnBothOutletsTogether) {
  FleetSetup setup;
  setup.boards = 2;
  setup.hosts = {{.name = "db1", .plugged = {"A1", "B1"}}, {.name = "web1", .plugged = {"A2"}}};
  Fleet fleet(setup);
  fleet.start();
  const Changes before = fleet.all_relay_changes();
  // Naming one of its outlets acts on both.
  auto r = fleet.ctl({"reboot", "pdu", "A1", "--json", "--reason", "dual"});
  ASSERT_EQ(r.exit_code, 0) << r.describe() << fleet.logs();
  auto actions = actions_of(r);
  ASSERT_EQ(actions.size(), 1u) << r.out;
  EXPECT_EQ(actions[0]["host"], "db1");
  EXPECT_EQ(actions[0]["outlets"].size(), 2u);
  EXPECT_EQ(fleet.boots("db1"), 2);  // it lost power once: both cords were off together
  auto after = fleet.all_relay_changes();
  EXPECT_EQ(after["A1"], before.count("A1") ? before.at("A1") + 2 : 2);
  EXPECT_EQ(after["B1"], before.count("B1") ? before.at("B1") + 2 : 2);
  EXPECT_EQ(after["A2"], before.count("A2") ? before.at("A2") : 0);
}

TEST(ActionsEndToEnd, ForcedOffOfAnOutletWithoutHostNeedsAnAdmin) {
  FleetSetup setup;
  setup.hosts = {{.name = "web1", .plugged = {"A1"}},
                 {.name = "router", .plugged = {"A3"}, .runs_host = false}};
  Fleet fleet(setup);
  fleet.start();
  const Changes before = fleet.all_relay_changes();
  auto op = fleet.ctl({"off", "pdu", "A3", "--force", "--json", "--reason", "router hung"});
  EXPECT_EQ(op.exit_code, 2) << op.describe();
  EXPECT_EQ(actions_of(op)[0]["failure"], "not-permitted") << op.out;
  EXPECT_EQ(fleet.all_relay_changes(), before);

  auto admin =
      fleet.ctl({"off", "pdu", "A3", "--force", "--json", "--reason", "router hung"}, "admin");
  ASSERT_EQ(admin.exit_code, 0) << admin.describe() << fleet.logs();
  auto action = actions_of(admin)[0];
  EXPECT_TRUE(action["force"].get<bool>());
  EXPECT_EQ(action["principal"], "admin-user");
  EXPECT_EQ(fleet.relay_changes("A3"), before.count("A3") ? before.at("A3") + 1 : 1);
  EXPECT_EQ(fleet.relay_changes("A1"), before.count("A1") ? before.at("A1") : 0);
}

// The patent's router: an appliance that cannot run netpower-host answers a tickle with its own
// notification (here: the tickle toggles its input line, and it sends linkUp as an SNMPv3 inform
// from its address with its user).
TEST(ActionsEndToEnd, AnApplianceAnswersWithItsOwnTrap) {
  FleetSetup setup;
  setup.hosts = {{.name = "web1", .plugged = {"A1"}},
                 {.name = "router",
                  .plugged = {"A3"},
                  .runs_host = false,
                  .answer_yaml = "{trap: {oid: 1.3.6.1.6.3.1.1.5.4, address: 127.0.0.1}}"}};
  Fleet fleet(setup);
  fleet.start();
  WireEndpoint line(fleet.dir().file("router.wire").string());
  const auto creds = fleet.credentials("router");
  std::atomic<bool> answering{true};
  std::atomic<int> answers{0};
  std::thread router([&] {
    std::vector<core::WireEvent> events;
    while (answering) {
      auto more = line.drain();
      events.insert(events.end(), more.begin(), more.end());
      if (!decode_tickles(events).empty()) {
        events.clear();
        auto r = run_command({"snmpinform",
                              "-v3",
                              "-u",
                              creds.user,
                              "-l",
                              "authPriv",
                              "-a",
                              "SHA",
                              "-A",
                              creds.auth,
                              "-x",
                              "AES",
                              "-X",
                              creds.priv,
                              "-r",
                              "1",
                              "-t",
                              "1",
                              "127.0.0.1:" + std::to_string(fleet.trap_port()),
                              "",
                              "1.3.6.1.6.3.1.1.5.4"},
                             10s);
        if (r.exit_code() == 0) ++answers;
      }
      std::this_thread::sleep_for(5ms);
    }
  });
  const Changes before = fleet.all_relay_changes();
  auto off = fleet.ctl({"off", "router", "--json", "--reason", "router maintenance"});
  EXPECT_EQ(off.exit_code, 0) << off.describe() << fleet.logs();
  EXPECT_EQ(answers.load(), 1);
  EXPECT_EQ(fleet.relay_changes("A3"), before.count("A3") ? before.at("A3") + 1 : 1);
  auto action = actions_of(off);
  ASSERT_EQ(action.size(), 1u) << off.out;
  EXPECT_TRUE(has_step(action[0], "answer", "ok")) << action[0].dump(2);
  EXPECT_TRUE(has_step(action[0], "identity", "ok")) << action[0].dump(2);

  // Without its answer the appliance is not switched.
  answering = false;
  router.join();
  auto on = fleet.ctl({"on", "router", "--json", "--reason", "back"});
  EXPECT_EQ(on.exit_code, 0) << on.describe();  // an `on` of an outlet that is off needs no answer
  const Changes middle = fleet.all_relay_changes();
  auto silent = fleet.ctl({"off", "router", "--json", "--reason", "no answer now"});
  EXPECT_EQ(silent.exit_code, 2) << silent.describe();
  EXPECT_EQ(actions_of(silent)[0]["failure"], "no-answer") << silent.out;
  EXPECT_EQ(fleet.all_relay_changes(), middle);
}

TEST(ActionsEndToEnd, DiscoveryOfA26BoardChainFindsExactlyTheWrongInventoryEntries) {
  FleetSetup setup;
  setup.boards = 26;
  setup.heartbeat = "2s";
  for (int b = 0; b < 26; ++b) {
    for (int p = 1; p <= 4; ++p) {
      std::string port = std::string(1, static_cast<char>('A' + b)) + std::to_string(p);
      setup.hosts.push_back({.name = "h" + port, .plugged = {port}});
    }
  }
  // The wrong entries: two hosts believed swapped, one believed on an outlet that is not its own.
  auto find = [&](const std::string& name) -> FleetHost& {
    for (auto& h : setup.hosts) {
      if (h.name == name) return h;
    }
    throw std::logic_error(name);
  };
  find("hC2").believed = {"D3"};
  find("hD3").believed = {"C2"};
  find("hZ4").in_inventory = false;  // answers where the inventory has nobody
  Fleet fleet(setup);
  fleet.start();
  const Changes before = fleet.all_relay_changes();

  auto r = fleet.ctl({"discover", "pdu", "--json"}, "operator", 300s);
  EXPECT_EQ(r.exit_code, 4) << r.describe();
  auto report = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << r.out;
  EXPECT_TRUE(report["complete"].get<bool>());
  std::map<std::string, std::string> verdicts;
  std::size_t matches = 0;
  for (const auto& e : report["entries"]) {
    const std::string port = e["port"];
    if (e["verdict"] == "match") {
      ++matches;
      EXPECT_EQ(e["found_host"], "h" + port);
    } else {
      verdicts[port] = e["verdict"];
    }
  }
  EXPECT_EQ(matches, 101u) << report.dump(1);
  const std::map<std::string, std::string> expected = {
      {"C2", "mismatch"}, {"D3", "mismatch"}, {"Z4", "unexpected"}};
  EXPECT_EQ(verdicts, expected) << report.dump(1);
  EXPECT_EQ(fleet.all_relay_changes(), before);  // discovery switches nothing

  // The bindings learned sit beside the inventory's belief.
  auto bindings = fleet.get_json("/api/v1/bindings");
  std::size_t disagree = 0;
  for (const auto& b : bindings["bindings"]) {
    if (b["verdict"] == "disagree") ++disagree;
  }
  EXPECT_EQ(disagree, 2u) << bindings.dump(1);
}

}  // namespace
}  // namespace netpower::testing
