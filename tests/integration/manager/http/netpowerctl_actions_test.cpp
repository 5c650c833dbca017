// The built netpowerctl's power actions against the real HTTP server on loopback, the action
// service being the scripted fake (fake_action_service.h: each poll of an action reveals one more
// step): progress lines, summaries, exit statuses 0/2/3/1, --json, --no-wait, --timeout, the
// targets and flags the service receives, roles, and usage errors.

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
using netpower::testing::EnvChanges;
using netpower::testing::run_command;
using nlohmann::json;
using testing::ActionPlan;
using testing::StepPlan;

constexpr const char* kViewerToken = "ctl-viewer-token-0123456789";
constexpr const char* kOperatorToken = "ctl-operator-token-0123456789";

ActionPlan plan_for(std::string host, std::string port, model::ActionResult result,
                    std::vector<StepPlan> steps, std::string failure = "",
                    std::string failure_text = "") {
  ActionPlan plan;
  plan.host = std::move(host);
  plan.outlets = {{"rack12-pdu", std::move(port)}};
  plan.steps = std::move(steps);
  plan.result = result;
  plan.failure = std::move(failure);
  plan.failure_text = std::move(failure_text);
  return plan;
}

ActionPlan refused_db1() {
  return plan_for("db1", "A2", model::ActionResult::kRefused,
                  {{"resolve", model::StepOutcome::kOk, "host db1 on rack12-pdu.A2", 1},
                   {"tickle", model::StepOutcome::kOk, "nonce 77aa", 120},
                   {"answer", model::StepOutcome::kFailed, "no answer within 5 s", 5000}},
                  "no-answer", "db1 did not answer the tickle within 5 s");
}

ActionPlan failed_web2() {
  return plan_for("web2", "A3", model::ActionResult::kFailed,
                  {{"switch", model::StepOutcome::kOk, "", 30},
                   {"verify-off", model::StepOutcome::kFailed, "load still 2.40 A", 2000}},
                  "verify-load", "the load did not go");
}

class NetpowerctlActionsTest : public ::testing::Test {
 protected:
  void start(bool with_service = true) {
    HttpServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.principals = {{"grafana", model::Role::kViewer, kViewerToken},
                          {"alice", model::Role::kOperator, kOperatorToken}};
    options.actions = with_service ? &service_ : nullptr;
    server_ = std::make_unique<HttpServer>(options, *fleet_, [] { return std::string(); });
    server_->start();
  }

  // netpowerctl with `args`, --manager, a fast poll for the action commands, and the operator's
  // token unless `env` says otherwise.
  CommandResult ctl(std::vector<std::string> args, EnvChanges env = {}) const {
    return netpower::testing::run_netpowerctl(std::move(args), server_ ? server_->port() : 1,
                                              kOperatorToken, env);
  }

  std::unique_ptr<state::FleetState> fleet_ = testing::make_fleet();
  testing::FakeActionService service_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(NetpowerctlActionsTest, RebootPrintsEachStepThenTheSummary) {
  service_.plan("host:web1",
                {plan_for("web1", "A1", model::ActionResult::kSucceeded, testing::reboot_steps())});
  start();
  const std::vector<std::string> argv = {"reboot",          "web1", "--reason", "hung since 03:10",
                                         "--poll-interval", "0.01"};
  const auto result = ctl(argv);
  ASSERT_EQ(result.exit_code(), 0) << result.describe(argv);
  EXPECT_EQ(result.out,
            "rack12-pdu.A1  resolve    ok      0.00 s  host web1 on rack12-pdu.A1\n"
            "rack12-pdu.A1  tickle     ok      0.12 s  nonce 3fa2c1d09b8e7f60\n"
            "rack12-pdu.A1  answer     ok      1.02 s  answered by web1 (id 4c4c) in 1.02 s\n"
            "rack12-pdu.A1  identity   ok      0.00 s  web1 is the host meant\n"
            "rack12-pdu.A1  switch     ok      0.03 s  sentry2PortControlAction reboot\n"
            "rack12-pdu.A1  verify-off ok      2.00 s  Off, load 0.00 A\n"
            "rack12-pdu.A1  verify-on  ok      3.00 s  On, load 2.40 A\n"
            "rack12-pdu.A1  hello      ok      4.00 s  boot id 9f2e changed\n"
            "\n"
            "action 1 reboot web1 (rack12-pdu.A1): succeeded in 10.17 s\n");
  EXPECT_TRUE(result.err.empty()) << result.err;
  const auto asked = service_.submitted();
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].spec.kind, model::ActionKind::kReboot);
  EXPECT_EQ(asked[0].spec.target, (actions::TargetSpec{.host = "web1"}));
  EXPECT_EQ(asked[0].spec.reason, "hung since 03:10");
  EXPECT_EQ(asked[0].spec.source, model::ActionSource::kCli);
  EXPECT_EQ(asked[0].who, (model::Principal{"alice", model::Role::kOperator}));
  EXPECT_FALSE(asked[0].spec.dry_run);
}

TEST_F(NetpowerctlActionsTest, ExitStatusIsTheWorstResult) {
  service_.plan("host:db1", {refused_db1()});
  service_.plan("host:web2", {failed_web2()});
  service_.plan(
      "group:web@rack12-pdu",
      {plan_for("web1", "A1", model::ActionResult::kSucceeded, {}), failed_web2(), refused_db1()});
  service_.plan("group:db",
                {plan_for("web1", "A1", model::ActionResult::kSucceeded, {}), refused_db1()});
  start();

  auto result = ctl({"off", "db1", "--poll-interval", "0.01"});
  EXPECT_EQ(result.exit_code(), 2) << result.describe({"off", "db1"});
  EXPECT_NE(result.out.find("rack12-pdu.A2  answer     failed  5.00 s  no answer within 5 s\n"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("action 1 off db1 (rack12-pdu.A2): refused (no-answer: db1 did not "
                            "answer the tickle within 5 s); nothing was switched\n"),
            std::string::npos)
      << result.out;

  result = ctl({"on", "web2", "--poll-interval", "0.01"});
  EXPECT_EQ(result.exit_code(), 3) << result.describe({"on", "web2"});
  EXPECT_NE(result.out.find("action 2 on web2 (rack12-pdu.A3): FAILED (verify-load: the load did "
                            "not go)\n"),
            std::string::npos)
      << result.out;

  // Failed wins over refused, refused over succeeded.
  const std::vector<std::string> group = {"reboot",     "--group",         "web", "--agent",
                                          "rack12-pdu", "--poll-interval", "0.01"};
  result = ctl(group);
  EXPECT_EQ(result.exit_code(), 3) << result.describe(group);
  EXPECT_NE(result.out.find("action 3 reboot web1 (rack12-pdu.A1): succeeded"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("action 5 reboot db1 (rack12-pdu.A2): refused"), std::string::npos);
  EXPECT_NE(result.out.find("action 4 reboot web2 (rack12-pdu.A3): FAILED"), std::string::npos);
  result = ctl({"reboot", "--group", "db", "--poll-interval", "0.01"});
  EXPECT_EQ(result.exit_code(), 2) << result.describe({"reboot", "--group", "db"});

  // A target nobody knows: refused at once, audited.
  result = ctl({"reboot", "nosuchhost"});
  EXPECT_EQ(result.exit_code(), 2) << result.describe({"reboot", "nosuchhost"});
  EXPECT_NE(result.out.find("refused (unknown-target: nothing is named host:nosuchhost); nothing "
                            "was switched"),
            std::string::npos)
      << result.out;
}

TEST_F(NetpowerctlActionsTest, TargetsAndFlagsReachTheService) {
  start();
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"tickle", "rack12-pdu", ".A1"},
        {"tickle", "rack12-pdu", "web1"},
        {"off", "--group", "web"},
        {"on", "--selector", "site=ams,rack=12", "--group", "web"},
        {"tickle", "--agent", "rack12-pdu"},
        {"off", "web1", "--dry-run", "--force"}}) {
    const auto result = ctl(argv);
    EXPECT_EQ(result.exit_code(), 2) << result.describe(argv);  // the fake knows none of them
  }
  const auto asked = service_.submitted();
  ASSERT_EQ(asked.size(), 6u);
  EXPECT_EQ(asked[0].spec.target, (actions::TargetSpec{.agent = "rack12-pdu", .port = ".A1"}));
  EXPECT_EQ(asked[0].spec.kind, model::ActionKind::kTickle);
  EXPECT_EQ(asked[1].spec.target, (actions::TargetSpec{.agent = "rack12-pdu", .port = "web1"}));
  EXPECT_EQ(asked[2].spec.target, (actions::TargetSpec{.group = "web"}));
  EXPECT_EQ(asked[2].spec.kind, model::ActionKind::kOff);
  EXPECT_EQ(asked[3].spec.target,
            (actions::TargetSpec{.group = "web", .selector = "site=ams,rack=12"}));
  EXPECT_EQ(asked[3].spec.kind, model::ActionKind::kOn);
  EXPECT_EQ(asked[4].spec.target, (actions::TargetSpec{.agent = "rack12-pdu"}));
  EXPECT_TRUE(asked[5].spec.dry_run);
  EXPECT_TRUE(asked[5].spec.force);
  EXPECT_TRUE(asked[5].spec.reason.empty());
}

TEST_F(NetpowerctlActionsTest, JsonPrintsTheFinalRecords) {
  service_.plan("host:web1",
                {plan_for("web1", "A1", model::ActionResult::kSucceeded, testing::reboot_steps())});
  start();
  const std::vector<std::string> argv = {"reboot",          "web1", "--dry-run", "--json",
                                         "--poll-interval", "0.01"};
  const auto result = ctl(argv);
  ASSERT_EQ(result.exit_code(), 0) << result.describe(argv);
  const json doc = json::parse(result.out);
  EXPECT_EQ(doc["request_id"], 1);
  ASSERT_EQ(doc["actions"].size(), 1u);
  EXPECT_EQ(doc["actions"][0]["result"], "succeeded");
  EXPECT_EQ(doc["actions"][0]["dry_run"], true);
  EXPECT_EQ(doc["actions"][0]["steps"].size(), 8u);
  EXPECT_EQ(doc["actions"][0]["source"], "cli");
  // The document is the API's record.
  const auto served = service_.action(1);
  ASSERT_TRUE(served);
  EXPECT_EQ(doc["actions"][0]["finished"], "2024-05-01T12:00:10.172Z");
}

TEST_F(NetpowerctlActionsTest, NoWaitReturnsOnceAccepted) {
  service_.plan("host:web1",
                {plan_for("web1", "A1", model::ActionResult::kSucceeded, testing::reboot_steps())});
  start();
  auto result = ctl({"reboot", "web1", "--no-wait"});
  ASSERT_EQ(result.exit_code(), 0) << result.describe({"reboot", "web1", "--no-wait"});
  EXPECT_EQ(result.out,
            "action 1 reboot web1 (rack12-pdu.A1): still pending (follow it: netpowerctl audit "
            "1)\n");
  // Nobody polled: the first read reveals the first step only.
  EXPECT_EQ(service_.action(1)->steps.size(), 1u);

  result = ctl({"reboot", "web1", "--no-wait", "--json"});
  ASSERT_EQ(result.exit_code(), 0) << result.err;
  EXPECT_EQ(json::parse(result.out)["actions"][0]["result"], "pending");
}

TEST_F(NetpowerctlActionsTest, StillPendingAtTheTimeoutIsExit1) {
  std::vector<StepPlan> many(500, StepPlan{"answer", model::StepOutcome::kOk, "", 10});
  service_.plan("host:web1", {plan_for("web1", "A1", model::ActionResult::kSucceeded, many)});
  start();
  const std::vector<std::string> argv = {"tickle",          "web1", "--timeout", "100ms",
                                         "--poll-interval", "0.01"};
  const auto result = ctl(argv);
  EXPECT_EQ(result.exit_code(), 1) << result.describe(argv);
  EXPECT_NE(result.err.find("still pending after 100ms (--timeout); the manager goes on: "
                            "netpowerctl audit --request 1"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.out.find("action 1 tickle web1 (rack12-pdu.A1): still pending\n"),
            std::string::npos)
      << result.out;
}

TEST_F(NetpowerctlActionsTest, RolesAndAMissingServiceAreExit1) {
  start();
  auto result = ctl({"reboot", "web1"}, {std::string("NETPOWER_TOKEN=") + kViewerToken});
  EXPECT_EQ(result.exit_code(), 1) << result.describe({"reboot", "web1"});
  EXPECT_NE(result.err.find("does not allow this (403: principal 'grafana' (viewer) may not POST "
                            "/api/v1/actions: it needs operator or above)"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(service_.submitted().empty());

  server_.reset();
  start(/*with_service=*/false);
  result = ctl({"reboot", "web1"});
  EXPECT_EQ(result.exit_code(), 1) << result.describe({"reboot", "web1"});
  EXPECT_NE(result.err.find("cannot answer POST /api/v1/actions now (503: power actions are not "
                            "available"),
            std::string::npos)
      << result.err;
}

TEST_F(NetpowerctlActionsTest, UsageErrorsAreExit1AndSendNothing) {
  start();
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"reboot"},
        {"reboot", "rack12-pdu", "A1", "A2"},
        {"reboot", "web1", "--group", "web"},
        {"reboot", "--selector", "site=ams", "--agent", "rack12-pdu"},
        {"reboot", "a/b", "A1"},
        {"reboot", "web1", "--timeout", "soon"},
        {"reboot", "web1", "--timeout", "0"},
        {"reboot", "web1", "--reason", std::string(1025, 'r')},
        {"reboot", "web1", "--poll-interval", "0"},
        {"reboot", "web1", "--bogus"},
        {"audit", "--port", "A1"},
        {"audit", "--result", "ok"},
        {"discover", "rack12-pdu", "--selector", "site=ams"}}) {
    const auto result = ctl(argv);
    EXPECT_EQ(result.exit_code(), 1) << result.describe(argv);
    EXPECT_FALSE(result.err.empty()) << result.describe(argv);
  }
  EXPECT_TRUE(service_.submitted().empty());
  EXPECT_TRUE(service_.discover_asked().empty());
  EXPECT_TRUE(service_.queries().empty());
}

TEST_F(NetpowerctlActionsTest, HelpHasExamples) {
  for (const char* command :
       {"reboot", "off", "on", "tickle", "discover", "bindings", "hosts", "audit"}) {
    const std::vector<std::string> argv = {NETPOWER_NETPOWERCTL_BINARY, command, "--help"};
    const auto result = run_command(argv, std::chrono::seconds(30));
    EXPECT_EQ(result.exit_code(), 0) << result.describe(argv);
    EXPECT_NE(result.out.find("Examples:\n  netpowerctl " + std::string(command)),
              std::string::npos)
        << result.out;
    EXPECT_NE(result.out.find("--manager"), std::string::npos) << command;
  }
  const auto reboot =
      run_command({NETPOWER_NETPOWERCTL_BINARY, "reboot", "--help"}, std::chrono::seconds(30));
  for (const char* word : {"--reason", "--dry-run", "--force", "--json", "--timeout", "--no-wait",
                           "--group", "--selector", "15m", "Exit status: 0"}) {
    EXPECT_NE(reboot.out.find(word), std::string::npos) << word << "\n" << reboot.out;
  }
}

}  // namespace
}  // namespace netpower::manager::http
