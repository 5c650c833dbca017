// The power actions' routes over a real loopback socket, the action service being a scripted fake
// (fake_action_service.h): roles (a viewer reads, an operator acts), the request bodies' checks,
// what the service is asked (spec, principal, source, queries), the documents' shapes, paging,
// 404s, and 503 without a service or with a journal that cannot be read.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "manager/http/http_server.h"
#include "tests/integration/manager/http/fake_action_service.h"
#include "tests/integration/manager/http/http_test_client.h"
#include "tests/unit/manager/http/fleet_fixture.h"

namespace netpower::manager::http {
namespace {

namespace bhttp = boost::beast::http;
using nlohmann::json;
using testing::ActionPlan;
using testing::fake_time;
using testing::TestClient;
using testing::TestResponse;

constexpr const char* kViewer = "grafana-token-0123456789";
constexpr const char* kOperator = "alice-token-0123456789";

std::set<std::string> keys(const json& object) {
  std::set<std::string> out;
  for (const auto& [key, value] : object.items()) out.insert(key);
  return out;
}

model::ActionRecord finished_record(std::uint64_t id, std::uint64_t request, std::string host,
                                    model::ActionResult result) {
  model::ActionRecord r;
  r.id = id;
  r.request_id = request;
  r.kind = model::ActionKind::kReboot;
  r.source = model::ActionSource::kCli;
  r.principal = "alice";
  r.target = host;
  r.host = std::move(host);
  r.outlets = {{"rack12-pdu", "A" + std::to_string(id)}};
  r.requested = fake_time(static_cast<std::int64_t>(id) * 1000);
  r.finished = fake_time(static_cast<std::int64_t>(id) * 1000 + 500);
  r.result = result;
  return r;
}

class ActionsApiTest : public ::testing::Test {
 protected:
  void start(bool with_service = true) {
    HttpServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.principals = {{"grafana", model::Role::kViewer, kViewer},
                          {"alice", model::Role::kOperator, kOperator}};
    options.actions = with_service ? &service_ : nullptr;
    options.audit = [this](const AuditEntry& entry) {
      std::lock_guard lock(audit_mutex_);
      audited_.push_back(entry);
    };
    server_ =
        std::make_unique<HttpServer>(std::move(options), *fleet_, [] { return std::string(); });
    server_->start();
  }

  TestResponse post(const std::string& target, const std::string& body,
                    const std::string& token = kOperator,
                    std::map<std::string, std::string> headers = {}) {
    TestClient client(server_->port());
    headers.emplace("Authorization", "Bearer " + token);
    return client.send(bhttp::verb::post, target, body, std::move(headers));
  }

  TestResponse get(const std::string& target, const std::string& token = kViewer) {
    return testing::get_once(server_->port(), target, {{"Authorization", "Bearer " + token}});
  }

  static std::string message(const TestResponse& r) {
    const json body = json::parse(r.body());
    return body["error"]["message"].get<std::string>();
  }

  void plan_web1() {
    ActionPlan plan;
    plan.host = "web1";
    plan.outlets = {{"rack12-pdu", "A1"}};
    plan.steps = testing::reboot_steps();
    service_.plan("host:web1", {plan});
  }

  std::unique_ptr<state::FleetState> fleet_ = testing::make_fleet();
  testing::FakeActionService service_;
  std::mutex audit_mutex_;
  std::vector<AuditEntry> audited_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ActionsApiTest, AViewerMayNotActAnOperatorMay) {
  plan_web1();
  start();
  const std::string body = R"({"action": "reboot", "host": "web1", "reason": "hung"})";
  const auto refused = post("/api/v1/actions", body, kViewer);
  EXPECT_EQ(refused.result_int(), 403);
  EXPECT_EQ(
      message(refused),
      "principal 'grafana' (viewer) may not POST /api/v1/actions: it needs operator or above");
  EXPECT_EQ(post("/api/v1/discoveries", "{}", kViewer).result_int(), 403);
  EXPECT_TRUE(service_.submitted().empty());
  EXPECT_TRUE(service_.discover_asked().empty());

  const auto accepted = post("/api/v1/actions", body);
  ASSERT_EQ(accepted.result_int(), 202) << accepted.body();
  const auto asked = service_.submitted();
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].who, (model::Principal{"alice", model::Role::kOperator}));
  EXPECT_EQ(asked[0].spec.kind, model::ActionKind::kReboot);
  EXPECT_EQ(asked[0].spec.target, (actions::TargetSpec{.host = "web1"}));
  EXPECT_EQ(asked[0].spec.reason, "hung");
  EXPECT_FALSE(asked[0].spec.dry_run);
  EXPECT_FALSE(asked[0].spec.force);
  EXPECT_EQ(asked[0].spec.source, model::ActionSource::kApi);

  // Reading is a viewer's right.
  EXPECT_EQ(get("/api/v1/actions").result_int(), 200);
  EXPECT_EQ(get("/api/v1/actions/1").result_int(), 200);
  EXPECT_EQ(get("/api/v1/bindings").result_int(), 200);
  EXPECT_EQ(get("/api/v1/hosts").result_int(), 200);

  // The audit hook hears of every answer to the state-changing routes, refusals included.
  std::lock_guard lock(audit_mutex_);
  ASSERT_EQ(audited_.size(), 3u);
  EXPECT_EQ(audited_[0].path, "/api/v1/actions");
  EXPECT_EQ(audited_[0].status, 403u);
  EXPECT_EQ(audited_[2].principal.name, "alice");
  EXPECT_EQ(audited_[2].status, 202u);
}

TEST_F(ActionsApiTest, SubmittedDocumentAndRecordShape) {
  plan_web1();
  start();
  const auto accepted = post("/api/v1/actions",
                             R"({"action": "reboot", "host": "web1", "reason": "hung",
                                 "dry_run": true, "force": false})");
  ASSERT_EQ(accepted.result_int(), 202) << accepted.body();
  const json doc = json::parse(accepted.body());
  EXPECT_EQ(keys(doc), (std::set<std::string>{"request_id", "actions"}));
  EXPECT_EQ(doc["request_id"], 1);
  ASSERT_EQ(doc["actions"].size(), 1u);
  const json& a = doc["actions"][0];
  EXPECT_EQ(keys(a),
            (std::set<std::string>{"id", "request_id", "kind", "source", "principal", "reason",
                                   "target", "host", "outlets", "dry_run", "force", "requested",
                                   "finished", "result", "failure", "failure_text", "steps"}));
  EXPECT_EQ(a["id"], 1);
  EXPECT_EQ(a["kind"], "reboot");
  EXPECT_EQ(a["source"], "api");
  EXPECT_EQ(a["principal"], "alice");
  EXPECT_EQ(a["host"], "web1");
  EXPECT_EQ(a["outlets"], json::parse(R"([{"agent": "rack12-pdu", "port": "A1"}])"));
  EXPECT_EQ(a["dry_run"], true);
  EXPECT_EQ(a["requested"], "2024-05-01T12:00:00.000Z");
  EXPECT_TRUE(a["finished"].is_null());
  EXPECT_EQ(a["result"], "pending");
  EXPECT_EQ(a["steps"], json::array());

  // Each read shows one more step (the fake's progress), with its times.
  auto one = get("/api/v1/actions/1");
  ASSERT_EQ(one.result_int(), 200) << one.body();
  one = get("/api/v1/actions/1");
  const json record = json::parse(one.body());
  ASSERT_EQ(record["steps"].size(), 2u);
  const json& step = record["steps"][1];
  EXPECT_EQ(keys(step), (std::set<std::string>{"name", "started", "ended", "outcome", "detail"}));
  EXPECT_EQ(step["name"], "tickle");
  EXPECT_EQ(step["started"], "2024-05-01T12:00:00.001Z");
  EXPECT_EQ(step["ended"], "2024-05-01T12:00:00.121Z");
  EXPECT_EQ(step["outcome"], "ok");
  EXPECT_EQ(step["detail"], "nonce 3fa2c1d09b8e7f60");
  for (int i = 0; i < 10; ++i) one = get("/api/v1/actions/1");
  const json done = json::parse(one.body());
  EXPECT_EQ(done["result"], "succeeded");
  EXPECT_EQ(done["finished"], "2024-05-01T12:00:10.172Z");
}

TEST_F(ActionsApiTest, TargetsAndSourcesReachTheService) {
  start();
  struct Case {
    std::string body;
    actions::TargetSpec target;
  };
  const std::vector<Case> cases = {
      {R"({"action": "off", "agent": "rack12-pdu", "port": ".A1"})",
       {.agent = "rack12-pdu", .port = ".A1"}},
      {R"({"action": "on", "group": "web"})", {.group = "web"}},
      {R"({"action": "on", "group": "web", "agent": "rack12-pdu"})",
       {.agent = "rack12-pdu", .group = "web"}},
      {R"({"action": "tickle", "selector": "site=ams,rack=12", "group": "web"})",
       {.group = "web", .selector = "site=ams,rack=12"}},
      {R"({"action": "tickle", "agent": "rack12-pdu"})", {.agent = "rack12-pdu"}},
  };
  for (const auto& c : cases) {
    const auto r = post("/api/v1/actions", c.body);
    EXPECT_EQ(r.result_int(), 202) << c.body << ": " << r.body();
    // Nothing is planned for these targets: the fake refuses them at once, and the API says so.
    EXPECT_EQ(json::parse(r.body())["actions"][0]["failure"], "unknown-target");
  }
  const auto asked = service_.submitted();
  ASSERT_EQ(asked.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(asked[i].spec.target, cases[i].target) << cases[i].body;
  }
  EXPECT_EQ(asked[0].spec.kind, model::ActionKind::kOff);
  EXPECT_EQ(asked[3].spec.kind, model::ActionKind::kTickle);

  // netpowerctl says who it is; a body may say so too, but not claim to be automation.
  EXPECT_EQ(post("/api/v1/actions", R"({"action": "on", "host": "web1"})", kOperator,
                 {{"X-Netpower-Client", "netpowerctl"}})
                .result_int(),
            202);
  EXPECT_EQ(
      post("/api/v1/actions", R"({"action": "on", "host": "web1", "source": "cli"})").result_int(),
      202);
  const auto automation =
      post("/api/v1/actions", R"({"action": "on", "host": "web1", "source": "automation"})");
  EXPECT_EQ(automation.result_int(), 400);
  EXPECT_EQ(message(automation), "field 'source' must be api or cli, not 'automation'");
  const auto all = service_.submitted();
  ASSERT_EQ(all.size(), cases.size() + 2);
  EXPECT_EQ(all[0].spec.source, model::ActionSource::kApi);
  EXPECT_EQ(all[cases.size()].spec.source, model::ActionSource::kCli);
  EXPECT_EQ(all[cases.size() + 1].spec.source, model::ActionSource::kCli);
}

TEST_F(ActionsApiTest, BadRequestsAre400AndReachNobody) {
  start();
  const std::map<std::string, std::string> cases = {
      {R"(["reboot"])", "the body must be a JSON object"},
      {R"({"host": "web1"})", "field 'action' is missing (reboot, off, on or tickle)"},
      {R"({"action": "cycle", "host": "web1"})",
       "unknown action 'cycle' (reboot, off, on or tickle)"},
      {R"({"action": 3, "host": "web1"})", "field 'action' must be a string, not a number"},
      {R"({"action": "reboot"})", "no target: give host, agent and port, group"},
      {R"({"action": "reboot", "reason": "x"})", "no target"},
      {R"({"action": "reboot", "host": "web1", "agent": "rack12-pdu"})",
       "two targets: give host or agent, not both"},
      {R"({"action": "reboot", "host": "web1", "selector": "site=ams"})",
       "two targets: give host or selector, not both"},
      {R"({"action": "reboot", "agent": "rack12-pdu", "port": "A1", "group": "web"})",
       "two targets: give agent and port or group, not both"},
      {R"({"action": "reboot", "agent": "rack12-pdu", "selector": "site=ams"})",
       "two targets: give agent or selector"},
      {R"({"action": "reboot", "port": "A1"})", "field 'port' needs 'agent'"},
      {R"({"action": "reboot", "host": ""})", "field 'host' must not be empty"},
      {R"({"action": "reboot", "host": 5})", "field 'host' must be a string, not a number"},
      {R"({"action": "reboot", "host": "web\u0001"})", "field 'host' must not hold control"},
      {R"({"action": "reboot", "selector": "site"})", "field 'selector' must be label=value"},
      {R"({"action": "reboot", "selector": "9x=1"})", "field 'selector': '9x' is not a label name"},
      {R"({"action": "reboot", "host": "web1", "dry_run": "yes"})",
       "field 'dry_run' must be true or false, not a string"},
      {R"({"action": "reboot", "host": "web1", "force": 1})",
       "field 'force' must be true or false"},
      {R"({"action": "reboot", "host": "web1", "colour": "red"})", "unknown field 'colour'"},
      {R"({"action": "reboot", "host": "web1", "reason": ")" + std::string(1025, 'r') + "\"}",
       "field 'reason' is longer than 1024 bytes"},
      {R"({"action": "reboot", "host": ")" + std::string(256, 'h') + "\"}",
       "field 'host' is longer than 255 bytes"},
  };
  for (const auto& [body, expected] : cases) {
    const auto r = post("/api/v1/actions", body);
    EXPECT_EQ(r.result_int(), 400) << body;
    EXPECT_NE(message(r).find(expected), std::string::npos) << body << ": " << message(r);
  }
  // The longest reason is fine.
  EXPECT_EQ(post("/api/v1/actions", R"({"action": "reboot", "host": "web1", "reason": ")" +
                                        std::string(1024, 'r') + "\"}")
                .result_int(),
            202);
  EXPECT_EQ(service_.submitted().size(), 1u);
  // The route's body limit.
  EXPECT_EQ(post("/api/v1/actions", R"({"action": "reboot", "host": "web1", "reason": ")" +
                                        std::string(9000, 'r') + "\"}")
                .result_int(),
            413);

  const std::map<std::string, std::string> discoveries = {
      {R"({"agent": "rack12-pdu", "selector": "site=ams"})", "two targets"},
      {R"({"agent": "rack12-pdu", "port": "A1"})", "unknown field 'port'"},
      {R"({"selector": "site"})", "field 'selector' must be label=value"},
      {R"("all")", "the body must be a JSON object"},
  };
  for (const auto& [body, expected] : discoveries) {
    const auto r = post("/api/v1/discoveries", body);
    EXPECT_EQ(r.result_int(), 400) << body;
    EXPECT_NE(message(r).find(expected), std::string::npos) << body << ": " << message(r);
  }
  EXPECT_TRUE(service_.discover_asked().empty());
}

TEST_F(ActionsApiTest, AuditTrailQueryAndPages) {
  for (std::uint64_t id = 1; id <= 5; ++id) {
    service_.add_record(
        finished_record(id, id <= 3 ? 1 : 2, id % 2 ? "web1" : "db1",
                        id == 4 ? model::ActionResult::kRefused : model::ActionResult::kSucceeded));
  }
  start();
  auto r = get("/api/v1/actions?limit=2");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  json page = json::parse(r.body());
  EXPECT_EQ(keys(page), (std::set<std::string>{"generated_at", "actions", "next_before"}));
  ASSERT_EQ(page["actions"].size(), 2u);
  EXPECT_EQ(page["actions"][0]["id"], 5);
  EXPECT_EQ(page["actions"][1]["id"], 4);
  EXPECT_EQ(page["next_before"], 4);
  r = get("/api/v1/actions?limit=2&before=4");
  page = json::parse(r.body());
  ASSERT_EQ(page["actions"].size(), 2u);
  EXPECT_EQ(page["actions"][0]["id"], 3);
  EXPECT_EQ(page["next_before"], 2);
  r = get("/api/v1/actions?limit=2&before=2");
  page = json::parse(r.body());
  ASSERT_EQ(page["actions"].size(), 1u);
  EXPECT_EQ(page["actions"][0]["id"], 1);
  EXPECT_TRUE(page["next_before"].is_null());
  // Exactly a page full: no next page.
  page = json::parse(get("/api/v1/actions?limit=5").body());
  EXPECT_EQ(page["actions"].size(), 5u);
  EXPECT_TRUE(page["next_before"].is_null());

  r = get(
      "/api/v1/actions?request=1&agent=rack12-pdu&port=A1&host=web1&result=succeeded&since=2024-"
      "05-01T12:00:00Z&until=1714564900&limit=10");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  page = json::parse(r.body());
  ASSERT_EQ(page["actions"].size(), 1u);
  EXPECT_EQ(page["actions"][0]["id"], 1);
  const auto q = service_.queries().back();
  EXPECT_EQ(q.request_id, 1u);
  EXPECT_EQ(q.agent, "rack12-pdu");
  EXPECT_EQ(q.port, "A1");
  EXPECT_EQ(q.host, "web1");
  EXPECT_EQ(q.result, model::ActionResult::kSucceeded);
  EXPECT_EQ(q.since, fake_time(0));
  EXPECT_EQ(q.until, fake_time(100000));
  EXPECT_EQ(q.before_id, 0u);
  EXPECT_EQ(q.limit, 11u);  // one more than asked, to know about the next page

  const std::map<std::string, std::string> bad = {
      {"limit=0", "limit must be a whole number from 1 to 1000"},
      {"limit=1001", "limit must be a whole number from 1 to 1000"},
      {"result=ok", "result must be pending, succeeded, refused or failed"},
      {"port=A1", "port needs agent"},
      {"before=x", "before must be an action's or request's id"},
      {"request=0", "request must be"},
      {"since=yesterday", "since must be an RFC 3339 time"},
      {"since=1714564900&until=1714564800", "since must be before until"},
      {"agent=", "agent must hold 1 to 255 bytes"},
      {"colour=red", "unknown query parameter 'colour'"},
  };
  for (const auto& [query, expected] : bad) {
    r = get("/api/v1/actions?" + query);
    EXPECT_EQ(r.result_int(), 400) << query;
    EXPECT_NE(message(r).find(expected), std::string::npos) << query << ": " << message(r);
  }
}

TEST_F(ActionsApiTest, UnknownIdsAre404BadOnes400) {
  service_.add_record(finished_record(1, 1, "web1", model::ActionResult::kSucceeded));
  start();
  const json one = json::parse(get("/api/v1/actions/1").body());
  EXPECT_EQ(one["id"], 1);
  EXPECT_EQ(one["result"], "succeeded");
  EXPECT_EQ(one["finished"], "2024-05-01T12:00:01.500Z");
  auto r = get("/api/v1/actions/99");
  EXPECT_EQ(r.result_int(), 404);
  EXPECT_EQ(message(r), "no action 99");
  r = get("/api/v1/actions/web1");
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_EQ(get("/api/v1/actions/-1").result_int(), 400);
  r = get("/api/v1/discoveries/7");
  EXPECT_EQ(r.result_int(), 404);
  EXPECT_EQ(message(r), "no discovery with request id 7");
  EXPECT_EQ(get("/api/v1/discoveries/seven").result_int(), 400);
}

TEST_F(ActionsApiTest, DiscoveryBindingsAndHosts) {
  service_.discovery_request = 7;
  actions::DiscoveryReport report;
  report.request_id = 7;
  report.complete = true;
  report.entries = {{{"rack12-pdu", "A1"}, "web1", "web1", "4c4c", "web1.example", "match", 11},
                    {{"rack12-pdu", "A2"}, "db1", "web2", "5d5d", "web2.example", "mismatch", 12},
                    {{"rack12-pdu", "A3"}, "", "", "", "", "empty", 13},
                    {{"rack12-pdu", "A4"}, "router", "", "", "", "missing", 14}};
  service_.add_discovery(report, 2);
  actions::BindingView learned{
      {"rack12-pdu", "A1"},
      "web1",
      model::Binding{
          {"rack12-pdu", "A1"}, "4c4c", "web1", "web1.example", "9f2e", fake_time(5000), 3, 11},
      "agree"};
  actions::BindingView unknown{{"rack12-pdu", "A4"}, "router", std::nullopt, "unknown"};
  service_.set_bindings({learned, unknown});
  actions::HostView host;
  host.name = "web1";
  host.host_id = "4c4c";
  host.user = "host-web1";
  host.outlets = {{"rack12-pdu", "A1"}};
  host.last_seen = fake_time(6000);
  host.boot_id = "9f2e";
  host.address = "10.1.12.21";
  host.up = true;
  actions::HostView router;
  router.name = "router";
  router.answers = false;
  service_.set_hosts({host, router});
  start();

  auto r = post("/api/v1/discoveries", R"({"agent": "rack12-pdu", "reason": "new rack"})");
  ASSERT_EQ(r.result_int(), 202) << r.body();
  EXPECT_EQ(json::parse(r.body())["request_id"], 7);
  ASSERT_EQ(post("/api/v1/discoveries", "{}", kOperator, {{"X-Netpower-Client", "NetpowerCtl"}})
                .result_int(),
            202);
  const auto asked = service_.discover_asked();
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[0].spec.agent, "rack12-pdu");
  EXPECT_EQ(asked[0].spec.reason, "new rack");
  EXPECT_EQ(asked[0].spec.source, model::ActionSource::kApi);
  EXPECT_EQ(asked[0].who.name, "alice");
  EXPECT_TRUE(asked[1].spec.agent.empty());
  EXPECT_TRUE(asked[1].spec.selector.empty());
  EXPECT_EQ(asked[1].spec.source, model::ActionSource::kCli);

  json doc = json::parse(get("/api/v1/discoveries/7").body());
  EXPECT_EQ(doc["complete"], false);
  EXPECT_EQ(doc["wrong"], 0);
  doc = json::parse(get("/api/v1/discoveries/7").body());
  EXPECT_EQ(keys(doc), (std::set<std::string>{"request_id", "complete", "entries", "wrong"}));
  EXPECT_EQ(doc["complete"], true);
  EXPECT_EQ(doc["wrong"], 2);
  ASSERT_EQ(doc["entries"].size(), 4u);
  EXPECT_EQ(doc["entries"][1],
            json::parse(R"({"agent": "rack12-pdu", "port": "A2", "believed_host": "db1",
                            "found_host": "web2", "found_host_id": "5d5d",
                            "hostname": "web2.example", "verdict": "mismatch", "action_id": 12})"));

  doc = json::parse(get("/api/v1/bindings").body());
  ASSERT_EQ(doc["bindings"].size(), 2u);
  EXPECT_EQ(doc["bindings"][0],
            json::parse(R"({"agent": "rack12-pdu", "port": "A1", "believed_host": "web1",
                            "verdict": "agree",
                            "learned": {"host_id": "4c4c", "host_name": "web1",
                                        "hostname": "web1.example", "boot_id": "9f2e",
                                        "learned": "2024-05-01T12:00:05.000Z",
                                        "confirmations": 3, "action_id": 11}})"));
  EXPECT_TRUE(doc["bindings"][1]["learned"].is_null());

  doc = json::parse(get("/api/v1/hosts").body());
  ASSERT_EQ(doc["hosts"].size(), 2u);
  EXPECT_EQ(doc["hosts"][0], json::parse(R"({"name": "web1", "host_id": "4c4c", "user": "host-web1",
                            "outlets": [{"agent": "rack12-pdu", "port": "A1"}], "answers": true,
                            "last_seen": "2024-05-01T12:00:06.000Z", "boot_id": "9f2e",
                            "address": "10.1.12.21", "up": true, "conflict": false})"));
  EXPECT_TRUE(doc["hosts"][1]["last_seen"].is_null());
  EXPECT_EQ(doc["hosts"][1]["answers"], false);
}

TEST_F(ActionsApiTest, WithoutAServiceEveryRouteIs503) {
  start(/*with_service=*/false);
  for (const char* target : {"/api/v1/actions", "/api/v1/actions/1", "/api/v1/discoveries/1",
                             "/api/v1/bindings", "/api/v1/hosts"}) {
    const auto r = get(target);
    EXPECT_EQ(r.result_int(), 503) << target;
    EXPECT_EQ(message(r),
              "power actions are not available: this manager runs without its action service");
  }
  EXPECT_EQ(post("/api/v1/actions", R"({"action": "reboot", "host": "web1"})").result_int(), 503);
  EXPECT_EQ(post("/api/v1/discoveries", "{}").result_int(), 503);
  // Roles still come first.
  EXPECT_EQ(
      post("/api/v1/actions", R"({"action": "reboot", "host": "web1"})", kViewer).result_int(),
      403);
}

TEST_F(ActionsApiTest, AJournalThatCannotBeReadIs503) {
  start();
  service_.journal_down = true;
  for (const char* target : {"/api/v1/actions", "/api/v1/actions/1", "/api/v1/bindings"}) {
    const auto r = get(target);
    EXPECT_EQ(r.result_int(), 503) << target;
    EXPECT_EQ(message(r), "the audit trail cannot be read now: database is locked");
  }
}

}  // namespace
}  // namespace netpower::manager::http
