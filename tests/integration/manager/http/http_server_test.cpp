// The HTTP server on a real loopback socket, hit with a real HTTP client: routes, documents, auth,
// errors, keep-alive, limits and stop().

#include "manager/http/http_server.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <string>
#include <system_error>

#include "manager/http/status_json.h"
#include "tests/integration/manager/http/http_test_client.h"
#include "tests/support/wait.h"
#include "tests/unit/manager/http/fleet_fixture.h"

namespace netpower::manager::http {
namespace {

namespace bhttp = boost::beast::http;
using nlohmann::json;
using testing::get_once;
using testing::TestClient;
using testing::TestResponse;

constexpr const char* kToken = "s3cret-t0ken-of-the-api";
constexpr const char* kMetricsText = "# TYPE netpower_up gauge\nnetpower_up{agent=\"a\"} 1\n";

class HttpServerTest : public ::testing::Test {
 protected:
  void start(std::optional<std::string> token = std::nullopt,
             HttpServerOptions options = HttpServerOptions{}) {
    options.address = "127.0.0.1";
    options.port = 0;
    options.token = std::move(token);
    server_ = std::make_unique<HttpServer>(std::move(options), *fleet_, [this] {
      ++scrapes_;
      return std::string(kMetricsText);
    });
    server_->start();
    ASSERT_NE(server_->port(), 0);
  }

  std::uint16_t port() const { return server_->port(); }

  static json body_json(const TestResponse& response) { return json::parse(response.body()); }

  static json without_time(json document) {
    document.erase("generated_at");
    return document;
  }

  static std::string header(const TestResponse& response, boost::beast::http::field field) {
    const auto value = response[field];
    return std::string(value.data(), value.size());
  }

  std::unique_ptr<state::FleetState> fleet_ = testing::make_fleet();
  std::atomic<int> scrapes_{0};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, HealthzSaysOk) {
  start();
  const auto response = get_once(port(), "/healthz");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "ok\n");
  EXPECT_EQ(header(response, bhttp::field::content_type), "text/plain; charset=utf-8");
}

TEST_F(HttpServerTest, MetricsServesTheScrape) {
  start();
  const auto response = get_once(port(), "/metrics");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), kMetricsText);
  EXPECT_EQ(header(response, bhttp::field::content_type),
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(scrapes_.load(), 1);
}

TEST_F(HttpServerTest, StatusIsTheFleet) {
  start();
  const auto response = get_once(port(), "/api/v1/status");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  EXPECT_EQ(header(response, bhttp::field::content_type), "application/json");
  EXPECT_EQ(header(response, bhttp::field::cache_control), "no-store");
  const json status = body_json(response);

  // The same document status_json() renders (the schema is shared), up to the time of the request.
  EXPECT_EQ(without_time(status),
            without_time(
                status_json(fleet_->agents(), fleet_->unknown_source_traps(), model::wall_now())));
  ASSERT_TRUE(status["generated_at"].is_string());
  EXPECT_EQ(status["generated_at"].get<std::string>().back(), 'Z');

  const json& summary = status["summary"];
  EXPECT_EQ(summary["agents"], 4);
  EXPECT_EQ(summary["up"], 2);
  EXPECT_EQ(summary["down"], 1);
  EXPECT_EQ(summary["unknown"], 1);
  EXPECT_EQ(summary["ports"], 4);
  EXPECT_EQ(summary["ports_on"], 3);
  EXPECT_EQ(summary["ports_off"], 1);
  EXPECT_EQ(summary["ports_alarm"], 1);
  EXPECT_EQ(summary["ups"], 1);
  EXPECT_EQ(summary["ups_on_battery"], 1);

  const json& agents = status["agents"];
  ASSERT_EQ(agents.size(), 4u);
  EXPECT_EQ(agents[0]["name"], "rack12-pdu");
  EXPECT_EQ(agents[1]["name"], "ups-room");
  EXPECT_EQ(agents[2]["name"], "old-pdu");
  EXPECT_EQ(agents[3]["name"], "new-pdu");

  const json& pdu = agents[0];
  EXPECT_EQ(pdu["address"], "10.1.12.5");
  EXPECT_EQ(pdu["port"], 161);
  EXPECT_EQ(pdu["labels"], (json{{"rack", "r12"}, {"site", "par1"}}));
  EXPECT_EQ(pdu["reachability"], "up");
  EXPECT_EQ(pdu["last_poll"], "2024-05-01T12:00:00.000Z");
  EXPECT_DOUBLE_EQ(pdu["poll_duration_seconds"].get<double>(), 0.034);
  EXPECT_EQ(pdu["polls_total"], 1);
  EXPECT_EQ(pdu["location"], "Paris R12");
  EXPECT_EQ(pdu["port_counts"], (json{{"total", 4}, {"on", 3}, {"off", 1}, {"alarm", 1}}));
  ASSERT_EQ(pdu["boards"].size(), 1u);
  EXPECT_EQ(pdu["boards"][0]["id"], "A");
  EXPECT_DOUBLE_EQ(pdu["boards"][0]["temperature_celsius"].get<double>(), 24);
  ASSERT_EQ(pdu["ports"].size(), 4u);
  const json& a1 = pdu["ports"][0];
  EXPECT_EQ(a1["id"], "A1");
  EXPECT_EQ(a1["name"], "web1");
  EXPECT_EQ(a1["group"], "web");
  EXPECT_EQ(a1["control"], "On");
  EXPECT_EQ(a1["module"], "Normal");
  EXPECT_EQ(a1["load_text"], "2.50A");
  EXPECT_DOUBLE_EQ(a1["load_amperes"].get<double>(), 2.5);
  EXPECT_EQ(a1["locked"], false);
  EXPECT_EQ(pdu["ports"][1]["locked"], true);
  EXPECT_EQ(pdu["ports"][1]["module"], "OnS Fail");
  EXPECT_TRUE(pdu["ports"][3]["load_amperes"].is_null());  // "N/A"
  EXPECT_TRUE(pdu["ups"].is_null());

  const json& room = agents[1];
  ASSERT_TRUE(room["ups"].is_object());
  EXPECT_EQ(room["ups"]["name"], "room-ups");
  EXPECT_EQ(room["ups"]["on_battery"], true);
  EXPECT_DOUBLE_EQ(room["ups"]["values"]["battery.charge"].get<double>(), 87);
  EXPECT_DOUBLE_EQ(room["ups"]["values"]["battery.runtime"].get<double>(), 1500);
  EXPECT_EQ(room["ups"]["alarms"], (json{"1.3.6.1.2.1.33.1.6.3.2"}));
  EXPECT_EQ(room["ups"]["alarm_names"], (json{"on_battery"}));
  EXPECT_EQ(room["ups"]["states"]["output.source"], "battery");

  EXPECT_EQ(agents[2]["reachability"], "down");
  EXPECT_EQ(agents[2]["last_error"], "timeout (2 requests, no response)");
  EXPECT_EQ(agents[2]["poll_failures_total"], 1);
  EXPECT_EQ(agents[3]["reachability"], "unknown");
  EXPECT_TRUE(agents[3]["last_poll"].is_null());
  EXPECT_TRUE(agents[3]["reachability_since"].is_null());
}

TEST_F(HttpServerTest, OneAgent) {
  start();
  const auto response = get_once(port(), "/api/v1/agents/rack12-pdu");
  ASSERT_EQ(response.result_int(), 200) << response.body();
  const json document = body_json(response);
  EXPECT_EQ(document["agent"], agent_json(*fleet_->agent("rack12-pdu")));
  EXPECT_TRUE(document["generated_at"].is_string());
}

TEST_F(HttpServerTest, UnknownAgentIs404Json) {
  start();
  const auto response = get_once(port(), "/api/v1/agents/nope");
  EXPECT_EQ(response.result_int(), 404);
  EXPECT_EQ(header(response, bhttp::field::content_type), "application/json");
  const json document = body_json(response);
  EXPECT_EQ(document["error"]["status"], 404);
  EXPECT_EQ(document["error"]["message"], "no agent named 'nope'");
  // A path below an agent is no resource either.
  EXPECT_EQ(get_once(port(), "/api/v1/agents/rack12-pdu/ports").result_int(), 404);
}

TEST_F(HttpServerTest, EventsNewestFirstWithLimitAndAgent) {
  start();
  json events = body_json(get_once(port(), "/api/v1/events"))["events"];
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["kind"], "down");
  EXPECT_EQ(events[0]["agent"], "old-pdu");
  EXPECT_EQ(events[0]["time"], "2024-05-01T12:00:06.000Z");
  EXPECT_EQ(events[1]["kind"], "trap");
  EXPECT_EQ(events[1]["oid"], "1.3.6.1.4.1.1718.2.100.0.5");
  ASSERT_TRUE(events[1]["varbinds"].is_array());  // embedded JSON, not a string
  EXPECT_EQ(events[1]["varbinds"][0]["value"], "Paris R12");
  EXPECT_EQ(events[2]["kind"], "up");

  events = body_json(get_once(port(), "/api/v1/events?limit=1"))["events"];
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["kind"], "down");

  events = body_json(get_once(port(), "/api/v1/events?agent=rack12-pdu&limit=10"))["events"];
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["kind"], "trap");
  EXPECT_EQ(events[1]["kind"], "up");

  EXPECT_TRUE(body_json(get_once(port(), "/api/v1/events?agent=nobody"))["events"].empty());
}

TEST_F(HttpServerTest, BadEventQueriesAre400) {
  start();
  for (const char* query : {"limit=0", "limit=abc", "limit=-1", "limit=10001",
                            "limit=", "limit=5&limit=6", "agent=", "colour=red", "limit=%zz"}) {
    const auto response = get_once(port(), std::string("/api/v1/events?") + query);
    EXPECT_EQ(response.result_int(), 400) << query;
    const json document = body_json(response);
    EXPECT_EQ(document["error"]["status"], 400) << query;
    EXPECT_FALSE(document["error"]["message"].get<std::string>().empty()) << query;
  }
}

TEST_F(HttpServerTest, UnknownPathsAre404Json) {
  start();
  for (const char* target : {"/", "/nope", "/api/v2/status", "/api", "/metrics/extra"}) {
    const auto response = get_once(port(), target);
    EXPECT_EQ(response.result_int(), 404) << target;
    EXPECT_EQ(body_json(response)["error"]["status"], 404) << target;
  }
}

TEST_F(HttpServerTest, OtherMethodsAre405WithAllow) {
  start();
  TestClient client(port());
  for (const auto method : {bhttp::verb::post, bhttp::verb::put, bhttp::verb::delete_}) {
    const auto response = client.request(method, "/api/v1/status");
    EXPECT_EQ(response.result_int(), 405);
    EXPECT_EQ(header(response, bhttp::field::allow), "GET");
    EXPECT_EQ(body_json(response)["error"]["status"], 405);
  }
  EXPECT_EQ(client.request(bhttp::verb::post, "/metrics").result_int(), 405);
  EXPECT_EQ(scrapes_.load(), 0);
}

TEST_F(HttpServerTest, TokenGuardsTheApi) {
  start(kToken);
  for (const char* target :
       {"/api/v1/status", "/api/v1/agents/rack12-pdu", "/api/v1/events", "/api/v1/unknown"}) {
    const auto missing = get_once(port(), target);
    EXPECT_EQ(missing.result_int(), 401) << target;
    EXPECT_EQ(header(missing, bhttp::field::www_authenticate),
              R"(Bearer realm="netpower-manager")");
    EXPECT_EQ(body_json(missing)["error"]["status"], 401);

    const auto wrong = get_once(port(), target, {{"Authorization", "Bearer not-the-token"}});
    EXPECT_EQ(wrong.result_int(), 401) << target;
    EXPECT_EQ(header(wrong, bhttp::field::www_authenticate),
              R"(Bearer realm="netpower-manager", error="invalid_token")");
    EXPECT_EQ(wrong.body().find(kToken), std::string::npos);
  }
  // A prefix of the token, the token with more, another scheme: refused.
  const std::string token = kToken;
  for (const std::string& value :
       {"Bearer " + token.substr(0, token.size() - 1), "Bearer " + token + "x", "Basic " + token,
        token, std::string("Bearer")}) {
    EXPECT_EQ(get_once(port(), "/api/v1/status", {{"Authorization", value}}).result_int(), 401)
        << value;
  }
  EXPECT_EQ(get_once(port(), "/api/v1/status", {{"Authorization", "Bearer " + token}}).result_int(),
            200);
  EXPECT_EQ(get_once(port(), "/api/v1/status", {{"Authorization", "bearer " + token}}).result_int(),
            200);
  EXPECT_EQ(get_once(port(), "/api/v1/agents/rack12-pdu", {{"Authorization", "Bearer " + token}})
                .result_int(),
            200);
  // Prometheus and health checks need no token.
  EXPECT_EQ(get_once(port(), "/metrics").result_int(), 200);
  EXPECT_EQ(get_once(port(), "/healthz").result_int(), 200);
  EXPECT_GE(server_->metrics().unauthorized_total, 8u);
}

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  start();
  TestClient client(port());
  const auto first = client.get("/api/v1/status");
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_TRUE(first.keep_alive());
  const auto second = client.get("/metrics");
  EXPECT_EQ(second.result_int(), 200);
  EXPECT_EQ(second.body(), kMetricsText);
  const auto third = client.get("/api/v1/agents/nope");
  EXPECT_EQ(third.result_int(), 404);  // an error response keeps the connection too
  EXPECT_EQ(client.get("/healthz").result_int(), 200);
  EXPECT_EQ(server_->metrics().connections_total, 1u);
  EXPECT_EQ(server_->metrics().requests_total, 4u);
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  start();
  TestClient client(port());
  const auto response = client.request(bhttp::verb::get, "/healthz", {}, /*keep_alive=*/false);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(HttpServerTest, OversizedHeadersAre431AndClosed) {
  start();
  TestClient client(port());
  client.send_raw("GET /api/v1/status HTTP/1.1\r\nHost: x\r\nX-Filler: " +
                  std::string(64 * 1024, 'a') + "\r\n\r\n");
  const auto response = client.read_response();
  EXPECT_EQ(response.result_int(), 431);
  EXPECT_EQ(body_json(response)["error"]["status"], 431);
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(server_->metrics().bad_requests_total, 1u);
}

TEST_F(HttpServerTest, OversizedBodiesAre413AndClosed) {
  start();
  TestClient client(port());
  client.send_raw("POST /api/v1/status HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n" +
                  std::string(32 * 1024, 'b'));
  const auto response = client.read_response();
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(HttpServerTest, GarbageIs400AndClosed) {
  start();
  TestClient client(port());
  client.send_raw("HELLO\x01 there\r\n\r\n");
  const auto response = client.read_response();
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_TRUE(client.closed_by_server());
  // The server goes on serving others.
  EXPECT_EQ(get_once(port(), "/healthz").result_int(), 200);
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreClosed) {
  HttpServerOptions options;
  options.max_connections = 1;
  start(std::nullopt, options);
  TestClient first(port());
  EXPECT_EQ(first.get("/healthz").result_int(), 200);
  TestClient second(port());
  EXPECT_TRUE(second.closed_by_server());
  EXPECT_EQ(first.get("/healthz").result_int(), 200);
  EXPECT_EQ(server_->metrics().connections_refused_total, 1u);
}

TEST_F(HttpServerTest, StopClosesIdleConnections) {
  start();
  TestClient idle_after_request(port());
  EXPECT_EQ(idle_after_request.get("/healthz").result_int(), 200);
  TestClient idle_from_start(port());
  TestClient half_request(port());
  half_request.send_raw("GET /api/v1/status HTTP/1.1\r\nHost: x\r\n");
  // Make sure the server has accepted all three before stopping.
  ASSERT_TRUE(netpower::testing::wait_until(
      [&] { return server_->metrics().connections_open == 3; }, std::chrono::seconds(10)));
  server_->stop();  // returns although all three clients keep their connection open
  EXPECT_TRUE(idle_after_request.closed_by_server());
  EXPECT_TRUE(idle_from_start.closed_by_server());
  EXPECT_TRUE(half_request.closed_by_server());
  server_->stop();  // idempotent
  EXPECT_THROW(TestClient late(port()), boost::system::system_error);
}

TEST_F(HttpServerTest, ListenErrorsThrowAtConstruction) {
  start();
  HttpServerOptions same;
  same.address = "127.0.0.1";
  same.port = port();
  EXPECT_THROW(HttpServer(same, *fleet_, [] { return std::string(); }), std::system_error);
  HttpServerOptions bad;
  bad.address = "not-an-address";
  bad.port = 0;
  try {
    HttpServer server(bad, *fleet_, [] { return std::string(); });
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("not-an-address"), std::string::npos) << e.what();
  }
}

TEST_F(HttpServerTest, ServesFromSeveralThreads) {
  HttpServerOptions options;
  options.threads = 4;
  start(std::nullopt, options);
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&] {
      TestClient client(port());
      for (int j = 0; j < 20; ++j) {
        if (client.get("/api/v1/status").result_int() == 200) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 160);
}

}  // namespace
}  // namespace netpower::manager::http
