// The built netpowerctl's discover, bindings, hosts and audit against the real HTTP server on
// loopback, the action service being the scripted fake: the tables, exit 4 for a wrong inventory,
// --json, what the manager was asked.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "manager/http/http_server.h"
#include "tests/integration/manager/http/fake_action_service.h"
#include "tests/integration/manager/http/netpowerctl_run.h"
#include "tests/support/process.h"
#include "tests/unit/manager/http/fleet_fixture.h"

namespace netpower::manager::http {
namespace {

using netpower::testing::CommandResult;
using netpower::testing::run_command;
using nlohmann::json;
using testing::fake_time;

constexpr const char* kOperatorToken = "ctl-operator-token-0123456789";

actions::DiscoveryReport report(std::uint64_t id, bool wrong) {
  actions::DiscoveryReport r;
  r.request_id = id;
  r.complete = true;
  r.entries = {
      {{"rack12-pdu", "A1"}, "web1", "web1", "4c4c4c4c4c4c4c4c", "web1.example", "match", 11},
      {{"rack12-pdu", "A3"}, "", "", "", "", "empty", 13}};
  if (wrong) {
    r.entries.push_back(
        {{"rack12-pdu", "A2"}, "db1", "web2", "5d5d", "web2.example", "mismatch", 12});
    r.entries.push_back({{"rack12-pdu", "A4"}, "router", "", "", "", "missing", 14});
  }
  return r;
}

class NetpowerctlInventoryTest : public ::testing::Test {
 protected:
  void start() {
    HttpServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.principals = {{"alice", model::Role::kOperator, kOperatorToken}};
    options.actions = &service_;
    server_ = std::make_unique<HttpServer>(options, *fleet_, [] { return std::string(); });
    server_->start();
  }

  CommandResult ctl(std::vector<std::string> args) const {
    return netpower::testing::run_netpowerctl(std::move(args), server_->port(), kOperatorToken);
  }

  std::unique_ptr<state::FleetState> fleet_ = testing::make_fleet();
  testing::FakeActionService service_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(NetpowerctlInventoryTest, DiscoverWaitsAndExits4WhenTheInventoryIsWrong) {
  service_.add_discovery(report(7, /*wrong=*/true), /*polls_to_complete=*/3);
  service_.discovery_request = 7;
  start();
  const std::vector<std::string> argv = {"discover", "rack12-pdu",      "--reason",
                                         "new rack", "--poll-interval", "0.01"};
  const auto result = ctl(argv);
  EXPECT_EQ(result.exit_code(), 4) << result.describe(argv);
  EXPECT_EQ(result.out,
            "OUTLET         BELIEVED  FOUND  HOST ID          HOSTNAME      VERDICT\n"
            "rack12-pdu.A1  web1      web1   4c4c4c4c4c4c...  web1.example  match\n"
            "rack12-pdu.A3  -         -      -                -             empty\n"
            "rack12-pdu.A2  db1       web2   5d5d             web2.example  mismatch !\n"
            "rack12-pdu.A4  router    -      -                -             missing !\n"
            "\n"
            "4 outlet(s): 1 match, 1 mismatch, 1 missing, 1 empty; the inventory is wrong at 2 "
            "outlet(s)\n");
  const auto asked = service_.discover_asked();
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].spec.agent, "rack12-pdu");
  EXPECT_EQ(asked[0].spec.reason, "new rack");
  EXPECT_EQ(asked[0].spec.source, model::ActionSource::kCli);
}

TEST_F(NetpowerctlInventoryTest, DiscoverOfARightInventoryIsExit0) {
  service_.add_discovery(report(8, /*wrong=*/false));
  service_.discovery_request = 8;
  start();
  auto result = ctl({"discover", "--selector", "site=par1", "--json"});
  EXPECT_EQ(result.exit_code(), 0) << result.describe({"discover"});
  const json doc = json::parse(result.out);
  EXPECT_EQ(doc["wrong"], 0);
  EXPECT_EQ(doc["entries"].size(), 2u);
  EXPECT_EQ(service_.discover_asked().at(0).spec.selector, "site=par1");

  // Not complete in time: exit 1, the partial table printed.
  service_.add_discovery(report(9, false), /*polls_to_complete=*/100000);
  service_.discovery_request = 9;
  result = ctl({"discover", "--timeout", "50ms", "--poll-interval", "0.01"});
  EXPECT_EQ(result.exit_code(), 1) << result.describe({"discover"});
  EXPECT_NE(result.out.find("2 outlet(s): 2 pending; not complete"), std::string::npos)
      << result.out;
  EXPECT_NE(result.err.find("discovery 9 not complete after 50ms"), std::string::npos)
      << result.err;
}

TEST_F(NetpowerctlInventoryTest, BindingsAndHosts) {
  service_.set_bindings({{{"rack12-pdu", "A1"},
                          "web1",
                          model::Binding{{"rack12-pdu", "A1"},
                                         "4c4c",
                                         "web1",
                                         "web1.example",
                                         "9f2e",
                                         model::wall_now() - std::chrono::minutes(3),
                                         3,
                                         11},
                          "agree"},
                         {{"rack12-pdu", "A2"}, "db1", std::nullopt, "unknown"}});
  actions::HostView web1;
  web1.name = "web1";
  web1.host_id = "4c4c";
  web1.outlets = {{"rack12-pdu", "A1"}, {"rack12-pdu", "B1"}};
  web1.last_seen = model::wall_now() - std::chrono::seconds(12);
  web1.boot_id = "9f2e";
  web1.address = "10.1.12.21";
  web1.up = true;
  actions::HostView router;
  router.name = "router";
  router.outlets = {{"rack12-pdu", "A4"}};
  router.answers = false;
  service_.set_hosts({web1, router});
  start();

  auto result = ctl({"bindings"});
  ASSERT_EQ(result.exit_code(), 0) << result.describe({"bindings"});
  EXPECT_EQ(
      result.out,
      "OUTLET         BELIEVED  FOUND  HOST ID  HOSTNAME      LEARNED    CONFIRMED  VERDICT\n"
      "rack12-pdu.A1  web1      web1   4c4c     web1.example  3m00s ago  3x         agree\n"
      "rack12-pdu.A2  db1       -      -        -             -          -          unknown\n");
  result = ctl({"bindings", "--json"});
  EXPECT_EQ(json::parse(result.out)["bindings"][0]["learned"]["confirmations"], 3);

  result = ctl({"hosts"});
  ASSERT_EQ(result.exit_code(), 0) << result.describe({"hosts"});
  EXPECT_NE(result.out.find("web1    4c4c     rack12-pdu.A1,rack12-pdu.B1  yes      up     1"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("router  -        rack12-pdu.A4                no       -      -"),
            std::string::npos)
      << result.out;
}

TEST_F(NetpowerctlInventoryTest, AuditTableOneActionAndFilters) {
  for (std::uint64_t id = 1; id <= 3; ++id) {
    model::ActionRecord r;
    r.id = id;
    r.request_id = id;
    r.kind = id == 2 ? model::ActionKind::kOff : model::ActionKind::kReboot;
    r.source = model::ActionSource::kCli;
    r.principal = "alice";
    r.reason = id == 1 ? "hung" : "";
    r.target = "web1";
    r.host = "web1";
    r.outlets = {{"rack12-pdu", "A1"}};
    r.requested = fake_time(static_cast<std::int64_t>(id) * 60000);
    r.finished = fake_time(static_cast<std::int64_t>(id) * 60000 + 1500);
    r.result = id == 2 ? model::ActionResult::kRefused : model::ActionResult::kSucceeded;
    r.failure = id == 2 ? "wrong-host" : "";
    r.failure_text = id == 2 ? "answered by web2, not web1" : "";
    r.dry_run = id == 3;
    r.steps = {{"tickle A1", fake_time(static_cast<std::int64_t>(id) * 60000),
                fake_time(static_cast<std::int64_t>(id) * 60000 + 120), model::StepOutcome::kOk,
                "nonce 3fa2"},
               {"answer", fake_time(static_cast<std::int64_t>(id) * 60000 + 120), std::nullopt,
                model::StepOutcome::kRunning, ""}};
    service_.add_record(r);
  }
  start();
  auto result = ctl({"audit", "--limit", "2"});
  ASSERT_EQ(result.exit_code(), 0) << result.describe({"audit"});
  EXPECT_EQ(
      result.out,
      "ID  REQUESTED                 ACTION        ON                    RESULT     FAILURE     "
      "BY     SOURCE  REASON\n"
      "3   2024-05-01T12:03:00.000Z  reboot (dry)  web1 (rack12-pdu.A1)  succeeded  -           "
      "alice  cli     -\n"
      "2   2024-05-01T12:02:00.000Z  off           web1 (rack12-pdu.A1)  refused    wrong-host  "
      "alice  cli     -\n"
      "more: --before 2\n");
  result = ctl({"audit", "--before", "2", "--json"});
  ASSERT_EQ(result.exit_code(), 0) << result.err;
  EXPECT_EQ(json::parse(result.out)["actions"][0]["id"], 1);

  result = ctl({"audit", "--host", "web1", "--agent", "rack12-pdu", "--port", "A1", "--result",
                "refused", "--request", "2", "--since", "1714564800", "--until",
                "2024-05-01T13:00:00Z"});
  ASSERT_EQ(result.exit_code(), 0) << result.err;
  const auto q = service_.queries().back();
  EXPECT_EQ(q.host, "web1");
  EXPECT_EQ(q.agent, "rack12-pdu");
  EXPECT_EQ(q.port, "A1");
  EXPECT_EQ(q.result, model::ActionResult::kRefused);
  EXPECT_EQ(q.request_id, 2u);
  EXPECT_EQ(q.since, fake_time(0));
  EXPECT_EQ(q.until, fake_time(3600000));

  result = ctl({"audit", "2"});
  ASSERT_EQ(result.exit_code(), 0) << result.err;
  EXPECT_EQ(result.out,
            "action 2: off web1 (rack12-pdu.A1), refused\n"
            "request:   2\n"
            "target:    web1\n"
            "requested: 2024-05-01T12:02:00.000Z by alice (cli)\n"
            "finished:  2024-05-01T12:02:01.500Z (1.50 s)\n"
            "reason:    -\n"
            "failure:   wrong-host: answered by web2, not web1\n"
            "\n"
            "STEP    OUTLET         OUTCOME  STARTED                   TOOK    DETAIL\n"
            "tickle  rack12-pdu.A1  ok       2024-05-01T12:02:00.000Z  0.12 s  nonce 3fa2\n"
            "answer  rack12-pdu.A1  running  2024-05-01T12:02:00.120Z  -\n");
  result = ctl({"audit", "99"});
  EXPECT_EQ(result.exit_code(), 1);
  EXPECT_NE(result.err.find("the manager knows no action 99"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace netpower::manager::http
