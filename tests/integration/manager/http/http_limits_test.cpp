// The HTTP server's bounds on connections over real loopback sockets: per-client limits and the
// reserve (one client's idle connections do not lock the others out), idle and header timeouts,
// the pipelining bound, refusals counted in /metrics and logged, tokens never logged.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "manager/http/http_server.h"
#include "tests/integration/manager/http/http_test_client.h"
#include "tests/support/log_capture.h"
#include "tests/support/wait.h"
#include "tests/unit/manager/http/fleet_fixture.h"

namespace netpower::manager::http {
namespace {

namespace bhttp = boost::beast::http;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TestClient;
using namespace std::chrono_literals;

constexpr const char* kToken = "s3cret-t0ken-of-the-api";

// The server's own health as exposition lines (`name{k="v"} value`), as /metrics serves it.
class TextWriter final : public model::HealthWriter {
 public:
  void counter(std::string_view name, std::string_view, double value,
               const model::HealthLabels& labels) override {
    line(name, value, labels);
  }
  void gauge(std::string_view name, std::string_view, double value,
             const model::HealthLabels& labels) override {
    line(name, value, labels);
  }
  std::string text;

 private:
  void line(std::string_view name, double value, const model::HealthLabels& labels) {
    text.append(name);
    if (!labels.empty()) {
      text.push_back('{');
      for (const auto& [k, v] : labels) text += k + "=\"" + v + "\",";
      text.back() = '}';
    }
    text += " " + std::to_string(static_cast<long long>(value)) + "\n";
  }
};

class HttpLimitsTest : public ::testing::Test {
 protected:
  void start(HttpServerOptions options = HttpServerOptions{}) {
    options.address = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<HttpServer>(std::move(options), *fleet_, [this] {
      TextWriter out;
      server_->write_health(out);
      return out.text;
    });
    server_->start();
  }
  std::uint16_t port() const { return server_->port(); }

  // Opens `n` connections from `source` and waits until the server has taken or refused them.
  std::vector<std::unique_ptr<TestClient>> open_idle(int n, const std::string& source) {
    std::vector<std::unique_ptr<TestClient>> clients;
    const auto before = server_->metrics();
    for (int i = 0; i < n; ++i) clients.push_back(std::make_unique<TestClient>(port(), source));
    EXPECT_TRUE(netpower::testing::wait_until(
        [&] {
          const auto m = server_->metrics();
          return m.connections_total + m.connections_refused_total ==
                 before.connections_total + before.connections_refused_total + n;
        },
        10s));
    return clients;
  }

  std::unique_ptr<state::FleetState> fleet_ = testing::make_fleet();
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpLimitsTest, IdleConnectionsOfOneClientDoNotLockAnotherOut) {
  netpower::testing::LogCapture log;
  start();  // the defaults: 256 in all, 32 per address, 16 reserved
  auto idle = open_idle(300, "127.0.0.1");
  EXPECT_EQ(server_->metrics().connections_open, 32u);
  EXPECT_EQ(server_->metrics().refused_per_client, 268u);

  TestClient other(port(), "127.0.0.2");
  const auto metrics = other.get("/metrics");
  ASSERT_EQ(metrics.result_int(), 200);
  EXPECT_THAT(metrics.body(),
              HasSubstr("netpower_http_connections_refused_total{reason=\"per_client\"} 268\n"));
  EXPECT_THAT(metrics.body(),
              HasSubstr("netpower_http_connections_refused_total{reason=\"max_connections\"} 0\n"));
  EXPECT_EQ(other.get("/healthz").result_int(), 200);
  // The refusals are logged, once (rate-limited), not 268 times.
  const auto text = log.text();
  EXPECT_THAT(text, HasSubstr("connection from 127.0.0.1 refused (per_client"));
  std::size_t lines = 0;
  for (auto at = text.find("refused (per_client"); at != std::string::npos;
       at = text.find("refused (per_client", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u);
}

// Many addresses (a NAT, a scanner): the last slots stay free for an address that holds none.
TEST_F(HttpLimitsTest, TheReserveKeepsSlotsForNewClients) {
  HttpServerOptions options;
  options.max_connections = 20;
  options.max_connections_per_client = 20;
  options.reserved_connections = 4;
  start(options);
  auto a = open_idle(30, "127.0.0.1");
  EXPECT_EQ(server_->metrics().connections_open, 16u);
  EXPECT_EQ(server_->metrics().refused_reserved, 14u);
  auto b = open_idle(3, "127.0.0.3");  // the first gets in; then it holds one
  EXPECT_EQ(server_->metrics().connections_open, 17u);
  TestClient c(port(), "127.0.0.2");
  EXPECT_EQ(c.get("/healthz").result_int(), 200);
  EXPECT_EQ(server_->metrics().refused_reserved, 16u);
}

TEST_F(HttpLimitsTest, IdleConnectionsAreClosedAfterTheIdleTimeout) {
  HttpServerOptions options;
  options.idle_timeout = 150ms;
  start(options);
  const auto started = std::chrono::steady_clock::now();
  TestClient silent(port());
  EXPECT_TRUE(silent.closed_by_server());
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, 140ms);
  EXPECT_LT(waited, 5s);

  TestClient kept(port());  // keep-alive after an answer: the same bound
  EXPECT_EQ(kept.get("/healthz").result_int(), 200);
  EXPECT_TRUE(kept.closed_by_server());
  EXPECT_TRUE(netpower::testing::wait_until(
      [&] { return server_->metrics().idle_timeouts_total == 2; }, 5s));
}

TEST_F(HttpLimitsTest, AnIncompleteHeaderIsClosedAfterTheHeaderTimeout) {
  HttpServerOptions options;
  options.idle_timeout = 20s;
  options.header_timeout = 150ms;
  start(options);
  const auto started = std::chrono::steady_clock::now();
  TestClient slow(port());
  slow.send_raw("GET /api/v1/status HTTP/1.1\r\nHost: x\r\n");
  EXPECT_TRUE(slow.closed_by_server());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_TRUE(netpower::testing::wait_until(
      [&] { return server_->metrics().header_timeouts_total == 1; }, 5s));
}

// 200 requests sent at once: 16 answers, the last with Connection: close.
TEST_F(HttpLimitsTest, PipelinedRequestsAreBounded) {
  start();
  TestClient client(port());
  std::string burst;
  for (int i = 0; i < 200; ++i) burst += "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  client.send_raw(burst);
  int answers = 0;
  bool closed = false;
  while (answers < 200) {
    try {
      const auto response = client.read_response();
      ++answers;
      if (!response.keep_alive()) {
        closed = true;
        break;
      }
    } catch (const boost::system::system_error&) {
      break;
    }
  }
  EXPECT_EQ(answers, 16);
  EXPECT_TRUE(closed);
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(server_->metrics().request_limit_closes_total, 1u);

  // A client that waits for each answer is not bound by it.
  TestClient polite(port());
  for (int i = 0; i < 40; ++i) ASSERT_EQ(polite.get("/healthz").result_int(), 200);
}

TEST_F(HttpLimitsTest, RequestsPerConnectionAreBounded) {
  HttpServerOptions options;
  options.max_requests_per_connection = 3;
  start(options);
  TestClient client(port());
  EXPECT_TRUE(client.get("/healthz").keep_alive());
  EXPECT_TRUE(client.get("/healthz").keep_alive());
  EXPECT_FALSE(client.get("/healthz").keep_alive());
  EXPECT_TRUE(client.closed_by_server());
}

// A token sent in the URL (wrongly) never reaches the log, at any level.
TEST_F(HttpLimitsTest, ATokenInTheQueryIsNeverLogged) {
  netpower::testing::LogCapture log;
  HttpServerOptions options;
  options.token = kToken;
  start(options);
  TestClient client(port());
  client.get(std::string("/api/v1/status?token=") + kToken);
  client.get(std::string("/api/v1/events?limit=5&access_token=") + kToken);
  client.get(std::string("/api/v1/status?t=") + kToken);
  client.get(std::string("/api/v1/events?api_key=other-value-123&limit=2"));
  const auto text = log.text();
  EXPECT_THAT(text, Not(HasSubstr(kToken)));
  EXPECT_THAT(text, Not(HasSubstr("other-value-123")));
  EXPECT_THAT(text, HasSubstr("/api/v1/status?token=<redacted>"));
  EXPECT_THAT(text, HasSubstr("/api/v1/events?limit=5&access_token=<redacted>"));
  EXPECT_THAT(text, HasSubstr("/api/v1/status?t=<redacted>"));
  EXPECT_THAT(text, HasSubstr("/api/v1/events?api_key=<redacted>&limit=2"));
}

}  // namespace
}  // namespace netpower::manager::http
