// The API's principals and roles, methods and bodies, over a real loopback socket: 401 without or
// with a wrong token, 403 for a role too low, POST /api/v1/notes for operators and admins, content
// types, body limits, invalid JSON and UTF-8, HEAD, 405 with Allow, /metrics behind a token, and
// the server's health.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "manager/http/http_server.h"
#include "tests/integration/manager/http/api_fakes.h"
#include "tests/integration/manager/http/http_test_client.h"
#include "tests/unit/manager/http/fleet_fixture.h"

namespace netpower::manager::http {
namespace {

namespace bhttp = boost::beast::http;
using nlohmann::json;
using testing::TestClient;
using testing::TestResponse;

constexpr const char* kViewer = "grafana-token-0123456789";
constexpr const char* kOperator = "alice-token-0123456789";
constexpr const char* kAdmin = "root-token-0123456789ab";
constexpr const char* kLegacy = "legacy-token-0123456789";

std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

class HealthCapture final : public model::HealthWriter {
 public:
  void counter(std::string_view name, std::string_view, double value,
               const model::HealthLabels& labels) override {
    add(name, value, labels);
  }
  void gauge(std::string_view name, std::string_view, double value,
             const model::HealthLabels& labels) override {
    add(name, value, labels);
  }
  std::map<std::string, double> values;

 private:
  void add(std::string_view name, double value, const model::HealthLabels& labels) {
    std::string key(name);
    for (const auto& [k, v] : labels) key += "{" + k + "=" + v + "}";
    values[key] = value;
  }
};

class ApiAuthTest : public ::testing::Test {
 protected:
  void start(bool with_principals = true, bool metrics_require_auth = false,
             std::optional<std::string> legacy = std::nullopt) {
    HttpServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    if (with_principals) {
      options.principals = {{"grafana", model::Role::kViewer, kViewer},
                            {"alice", model::Role::kOperator, kOperator},
                            {"root", model::Role::kAdmin, kAdmin}};
    }
    options.token = std::move(legacy);
    options.metrics_require_auth = metrics_require_auth;
    options.store = &store_;
    options.events = &sink_;
    options.audit = [this](const AuditEntry& entry) {
      std::lock_guard lock(audit_mutex_);
      audited_.push_back(entry);
    };
    server_ = std::make_unique<HttpServer>(std::move(options), *fleet_,
                                           [] { return std::string("up 1\n"); });
    server_->start();
  }

  TestResponse note(const std::string& token, const std::string& body,
                    std::map<std::string, std::string> headers = {}) {
    TestClient client(server_->port());
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client.send(bhttp::verb::post, "/api/v1/notes", body, std::move(headers));
  }

  TestResponse get(const std::string& target, const std::string& token = "") {
    return testing::get_once(server_->port(), target,
                             token.empty() ? std::map<std::string, std::string>{} : bearer(token));
  }

  static std::string message(const TestResponse& r) {
    return json::parse(r.body())["error"]["message"].get<std::string>();
  }

  std::unique_ptr<state::FleetState> fleet_ = testing::make_fleet();
  testing::FakeStoreReader store_;
  testing::FakeEventSink sink_;
  std::mutex audit_mutex_;
  std::vector<AuditEntry> audited_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ApiAuthTest, NoOrAWrongTokenIs401) {
  start();
  const auto missing = get("/api/v1/events");
  EXPECT_EQ(missing.result_int(), 401);
  EXPECT_EQ(missing[bhttp::field::www_authenticate], R"(Bearer realm="netpower-manager")");
  const auto wrong = get("/api/v1/events", "not-a-token-of-anybody");
  EXPECT_EQ(wrong.result_int(), 401);
  EXPECT_EQ(wrong[bhttp::field::www_authenticate],
            R"(Bearer realm="netpower-manager", error="invalid_token")");
  // Unknown API paths and methods too: nothing is revealed before authentication.
  EXPECT_EQ(get("/api/v1/nothing").result_int(), 401);
  EXPECT_EQ(note("", R"({"agent": "", "text": "x"})").result_int(), 401);
  EXPECT_EQ(note("wrong-token-0123456789", R"({"agent": "", "text": "x"})").result_int(), 401);
  EXPECT_TRUE(sink_.published().empty());
  EXPECT_EQ(server_->metrics().unauthorized_total, 5u);
}

TEST_F(ApiAuthTest, AViewerReadsButMayNotWrite) {
  start();
  EXPECT_EQ(get("/api/v1/status", kViewer).result_int(), 200);
  EXPECT_EQ(get("/api/v1/events", kViewer).result_int(), 200);
  EXPECT_EQ(get("/api/v1/agents/rack12-pdu/ports/A1", kViewer).result_int(), 200);
  const auto refused = note(kViewer, R"({"agent": "rack12-pdu", "text": "replaced PSU"})");
  EXPECT_EQ(refused.result_int(), 403);
  EXPECT_EQ(message(refused),
            "principal 'grafana' (viewer) may not POST /api/v1/notes: it needs operator or above");
  EXPECT_TRUE(sink_.published().empty());
  EXPECT_EQ(server_->metrics().forbidden_total, 1u);
}

TEST_F(ApiAuthTest, OperatorsAndAdminsPostNotes) {
  start();
  const auto response = note(kOperator, R"({"agent": "rack12-pdu", "text": "replaced PSU in A3"})");
  ASSERT_EQ(response.result_int(), 202) << response.body();
  const json event = json::parse(response.body())["event"];
  EXPECT_EQ(event["kind"], "note");
  EXPECT_EQ(event["agent"], "rack12-pdu");
  EXPECT_EQ(event["text"], "replaced PSU in A3");
  EXPECT_EQ(event["varbinds"], (json{{"principal", "alice"}}));
  ASSERT_EQ(note(kAdmin, R"({"agent": "", "text": "fleet-wide: caf\u00e9"})").result_int(), 202);

  const auto published = sink_.published();
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[0].kind, model::EventKind::kNote);
  EXPECT_EQ(published[0].agent, "rack12-pdu");
  EXPECT_EQ(published[0].text, "replaced PSU in A3");
  EXPECT_EQ(json::parse(published[0].varbinds_json), (json{{"principal", "alice"}}));
  EXPECT_LE(std::chrono::abs(published[0].time - model::wall_now()), std::chrono::seconds(10));
  EXPECT_EQ(published[1].agent, "");
  EXPECT_EQ(published[1].text, "fleet-wide: caf\xc3\xa9");
  EXPECT_EQ(json::parse(published[1].varbinds_json)["principal"], "root");
}

TEST_F(ApiAuthTest, BodiesAreCheckedBeforeTheHandler) {
  start();
  // Content types.
  auto r = note(kOperator, R"({"agent": "", "text": "x"})", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.result_int(), 415);
  EXPECT_EQ(note(kOperator, R"({"agent": "", "text": "x"})",
                 {{"Content-Type", "application/json; charset=UTF-8"}})
                .result_int(),
            202);
  {
    TestClient client(server_->port());
    EXPECT_EQ(client
                  .request(bhttp::verb::post, "/api/v1/notes", bearer(kOperator), true,
                           R"({"agent": "", "text": "x"})")
                  .result_int(),
              415);  // no Content-Type at all
  }
  // Size: the route takes 4 KiB.
  r = note(kOperator, R"({"agent": "", "text": ")" + std::string(5000, 'a') + "\"}");
  EXPECT_EQ(r.result_int(), 413);
  // Syntax, UTF-8, shape and field types: 400 naming the field.
  const std::map<std::string, std::string> cases = {
      {R"({"agent": "", "text": )", "not valid JSON"},
      {"{\"agent\": \"\", \"text\": \"caf\xe9\"}", "not valid UTF-8"},
      {R"(["agent", "text"])", "must be a JSON object"},
      {R"({"agent": "", "text": 5})", "field 'text' must be a string, not a number"},
      {R"({"agent": null, "text": "x"})", "field 'agent' must be a string, not null"},
      {R"({"text": "x"})", "field 'agent' is missing"},
      {R"({"agent": ""})", "field 'text' is missing"},
      {R"({"agent": "", "text": ""})", "field 'text' must hold 1 to 1000 bytes"},
      {R"({"agent": "", "text": "a\u0001b"})", "field 'text' must not hold control characters"},
      {R"({"agent": "nope", "text": "x"})", "field 'agent': no agent named 'nope'"},
      {R"({"agent": "", "text": "x", "colour": "red"})", "unknown field 'colour'"},
  };
  for (const auto& [body, expected] : cases) {
    r = note(kOperator, body);
    EXPECT_EQ(r.result_int(), 400) << body;
    EXPECT_NE(message(r).find(expected), std::string::npos) << body << ": " << message(r);
  }
  // A body on a route that takes none.
  TestClient client(server_->port());
  EXPECT_EQ(client.send(bhttp::verb::get, "/api/v1/status", "{}", bearer(kViewer)).result_int(),
            413);
  EXPECT_EQ(sink_.published().size(), 1u);
}

TEST_F(ApiAuthTest, RefusalsFromTheHeaderNeverReadTheBody) {
  start();
  {
    // 401 before a body: the connection closes, the body is never read.
    TestClient client(server_->port());
    client.send_raw(
        "POST /api/v1/notes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 10000\r\n\r\n" +
        std::string(100, ' '));
    const auto response = client.read_response();
    EXPECT_EQ(response.result_int(), 401);
    EXPECT_TRUE(client.closed_by_server());
  }
  {
    // Without a body the connection stays.
    TestClient client(server_->port());
    EXPECT_EQ(client.get("/api/v1/status").result_int(), 401);
    EXPECT_EQ(client.get("/api/v1/status", bearer(kViewer)).result_int(), 200);
  }
  {
    // A declared body beyond the route's 4 KiB: 413 before reading it.
    TestClient client(server_->port());
    client.send_raw("POST /api/v1/notes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                    std::string(kOperator) +
                    "\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n");
    const auto response = client.read_response();
    EXPECT_EQ(response.result_int(), 413);
    EXPECT_NE(message(response).find("larger than 4096 bytes"), std::string::npos);
    EXPECT_TRUE(client.closed_by_server());
  }
  {
    // A chunked body is cut at the route's limit.
    TestClient client(server_->port());
    std::string chunk(3000, 'a');
    client.send_raw("POST /api/v1/notes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                    std::string(kOperator) +
                    "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "bb8\r\n" +
                    chunk + "\r\nbb8\r\n" + chunk + "\r\n0\r\n\r\n");
    EXPECT_EQ(client.read_response().result_int(), 413);
  }
  EXPECT_TRUE(sink_.published().empty());
}

TEST_F(ApiAuthTest, MethodsHeadAndAllow) {
  start();
  TestClient client(server_->port());
  auto r = client.request(bhttp::verb::delete_, "/api/v1/notes", bearer(kAdmin));
  EXPECT_EQ(r.result_int(), 405);
  EXPECT_EQ(r[bhttp::field::allow], "POST");
  r = client.request(bhttp::verb::get, "/api/v1/notes", bearer(kAdmin));
  EXPECT_EQ(r.result_int(), 405);
  const auto get_response = client.get("/api/v1/agents/rack12-pdu", bearer(kViewer));
  const auto head = client.request(bhttp::verb::head, "/api/v1/agents/rack12-pdu", bearer(kViewer));
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(head[bhttp::field::content_length], std::to_string(get_response.body().size()));
  EXPECT_EQ(head[bhttp::field::content_type], "application/json");
  // The connection goes on after a HEAD.
  EXPECT_EQ(client.get("/healthz").result_int(), 200);
  EXPECT_EQ(client.request(bhttp::verb::head, "/api/v1/agents/nope", bearer(kViewer)).result_int(),
            404);
}

TEST_F(ApiAuthTest, StateChangingRequestsAreAudited) {
  start();
  note(kViewer, R"({"agent": "", "text": "x"})");
  note(kOperator, R"({"agent": "", "text": "x"})");
  note(kOperator, R"({"agent": "", "text": 1})");
  note("", R"({"agent": "", "text": "x"})");  // no principal: not audited
  get("/api/v1/status", kOperator);           // reads are not audited
  std::lock_guard lock(audit_mutex_);
  ASSERT_EQ(audited_.size(), 3u);
  EXPECT_EQ(audited_[0].principal.name, "grafana");
  EXPECT_EQ(audited_[0].status, 403u);
  EXPECT_EQ(audited_[0].method, "POST");
  EXPECT_EQ(audited_[0].path, "/api/v1/notes");
  EXPECT_EQ(audited_[1].principal, (model::Principal{"alice", model::Role::kOperator}));
  EXPECT_EQ(audited_[1].status, 202u);
  EXPECT_EQ(audited_[2].status, 400u);
}

TEST_F(ApiAuthTest, MetricsOpenByDefault) {
  start();
  EXPECT_EQ(get("/metrics").result_int(), 200);
  EXPECT_EQ(get("/healthz").result_int(), 200);
}

TEST_F(ApiAuthTest, MetricsMayRequireAViewer) {
  start(true, /*metrics_require_auth=*/true);
  EXPECT_EQ(get("/metrics").result_int(), 401);
  EXPECT_EQ(get("/metrics", "wrong-token-0123456789").result_int(), 401);
  const auto ok = get("/metrics", kViewer);
  EXPECT_EQ(ok.result_int(), 200);
  EXPECT_EQ(ok.body(), "up 1\n");
  EXPECT_EQ(get("/healthz").result_int(), 200);  // health checks stay open
}

TEST_F(ApiAuthTest, WithoutPrincipalsReadsAreOpenAndWritesRefused) {
  start(/*with_principals=*/false);
  EXPECT_EQ(get("/api/v1/status").result_int(), 200);
  EXPECT_EQ(get("/api/v1/events").result_int(), 200);
  const auto refused = note("", R"({"agent": "", "text": "x"})");
  EXPECT_EQ(refused.result_int(), 403);
  EXPECT_NE(message(refused).find("http.principals"), std::string::npos);
  EXPECT_TRUE(sink_.published().empty());
}

TEST_F(ApiAuthTest, TheLegacyTokenIsAnAdminNamedToken) {
  start(/*with_principals=*/false, false, std::string(kLegacy));
  EXPECT_EQ(get("/api/v1/status").result_int(), 401);
  EXPECT_EQ(get("/api/v1/status", kLegacy).result_int(), 200);
  ASSERT_EQ(note(kLegacy, R"({"agent": "", "text": "x"})").result_int(), 202);
  EXPECT_EQ(json::parse(sink_.published().at(0).varbinds_json)["principal"], "token");
}

TEST_F(ApiAuthTest, BadPrincipalsStopTheServerAtConstruction) {
  HttpServerOptions options;
  options.port = 0;
  options.principals = {{"a", model::Role::kViewer, "short"}};
  EXPECT_THROW(HttpServer(options, *fleet_, [] { return std::string(); }), std::invalid_argument);
}

TEST_F(ApiAuthTest, HealthCountsRequestsPerRoute) {
  start();
  get("/api/v1/status", kViewer);
  get("/api/v1/status", kViewer);
  get("/api/v1/agents/rack12-pdu", kViewer);
  note(kViewer, R"({"agent": "", "text": "x"})");
  get("/api/v1/status");
  HealthCapture health;
  server_->write_health(health);
  EXPECT_EQ(health.values["netpower_http_route_requests_total{route=GET /api/v1/status}"], 2);
  EXPECT_EQ(health.values["netpower_http_route_requests_total{route=GET /api/v1/agents/{agent}}"],
            1);
  EXPECT_EQ(health.values["netpower_http_route_requests_total{route=POST /api/v1/notes}"], 1);
  EXPECT_EQ(health.values["netpower_http_requests_total"], 5);
  EXPECT_EQ(health.values["netpower_http_unauthorized_total"], 1);
  EXPECT_EQ(health.values["netpower_http_forbidden_total"], 1);
  EXPECT_EQ(health.values["netpower_http_connections_total"], 5);
  EXPECT_TRUE(health.values.contains("netpower_http_connections_open"));
  EXPECT_TRUE(health.values.contains("netpower_http_bad_requests_total"));
}

}  // namespace
}  // namespace netpower::manager::http
