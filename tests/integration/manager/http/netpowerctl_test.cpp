// The built netpowerctl against the real HTTP server on loopback: the table, --json, --agent, the
// environment, and the errors people will meet (unreachable manager, missing or wrong token, a
// server that does not speak our JSON, usage mistakes).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <fstream>
#include <thread>

#include "manager/http/http_server.h"
#include "tests/integration/manager/http/http_test_client.h"
#include "tests/integration/manager/http/netpowerctl_run.h"
#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/manager/http/fleet_fixture.h"

namespace netpower::manager::http {
namespace {

using netpower::testing::CommandResult;
using netpower::testing::EnvChanges;
using netpower::testing::run_command;
using nlohmann::json;

constexpr const char* kToken = "ctl-test-token-0123456789";

// Answers every connection with one fixed HTTP response: a "manager" that is not one.
class FixedReplyServer {
 public:
  explicit FixedReplyServer(std::string reply)
      : reply_(std::move(reply)),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
        thread_([this] { serve(); }) {}
  ~FixedReplyServer() {
    // A blocking accept() does not wake up when another thread closes the socket: connect once.
    stopping_ = true;
    boost::system::error_code ignored;
    boost::asio::ip::tcp::socket wake(io_);
    wake.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void serve() {
    boost::system::error_code ec;
    while (true) {
      boost::asio::ip::tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      boost::asio::streambuf request;
      boost::asio::read_until(socket, request, "\r\n\r\n", ec);
      boost::asio::write(socket, boost::asio::buffer(reply_), ec);
      socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    }
  }

  std::string reply_;
  std::atomic<bool> stopping_{false};
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

std::string reply(const std::string& status_line, const std::string& body) {
  return "HTTP/1.1 " + status_line +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

class NetpowerctlTest : public ::testing::Test {
 protected:
  void start(std::optional<std::string> token = std::nullopt) {
    HttpServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.token = std::move(token);
    server_ = std::make_unique<HttpServer>(options, *fleet_, [] { return std::string(); });
    server_->start();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  // netpowerctl with `args`, NETPOWER_MANAGER and NETPOWER_TOKEN_FILE unset unless `env` sets them.
  static CommandResult ctl(std::vector<std::string> args, EnvChanges env = {}) {
    return netpower::testing::run_netpowerctl(std::move(args), 0, "", env);
  }

  std::string write_file(const std::string& name, const std::string& content) {
    const auto path = dir_.path() / name;
    std::ofstream(path) << content;
    return path.string();
  }

  netpower::testing::TempDir dir_{"netpowerctl-test"};
  std::unique_ptr<state::FleetState> fleet_ = testing::make_fleet();
  std::unique_ptr<HttpServer> server_;
};

TEST_F(NetpowerctlTest, TablePrintsOneLinePerAgent) {
  start();
  const std::vector<std::string> argv = {"status", "--manager", url()};
  const auto result = ctl(argv);
  ASSERT_EQ(result.exit_code(), 0) << result.describe(argv);
  EXPECT_NE(result.out.find("4 agent(s): 2 up, 1 down, 1 unknown"), std::string::npos)
      << result.out;
  for (const char* line : {"\nrack12-pdu ", "\nups-room ", "\nold-pdu ", "\nnew-pdu "}) {
    EXPECT_NE(result.out.find(line), std::string::npos) << line << "\n" << result.out;
  }
  EXPECT_NE(result.out.find("3/1/1"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("87%"), std::string::npos) << result.out;
  EXPECT_TRUE(result.err.empty()) << result.err;
}

TEST_F(NetpowerctlTest, JsonIsTheApisDocument) {
  start();
  const std::vector<std::string> argv = {"status", "--json", "--manager", url()};
  const auto result = ctl(argv);
  ASSERT_EQ(result.exit_code(), 0) << result.describe(argv);
  json printed = json::parse(result.out);
  json served = json::parse(testing::get_once(server_->port(), "/api/v1/status").body());
  printed.erase("generated_at");
  served.erase("generated_at");
  EXPECT_EQ(printed, served);
}

TEST_F(NetpowerctlTest, OneAgentInDetail) {
  start();
  std::vector<std::string> argv = {"status", "--agent", "rack12-pdu", "--manager", url()};
  auto result = ctl(argv);
  ASSERT_EQ(result.exit_code(), 0) << result.describe(argv);
  EXPECT_NE(result.out.find("Paris R12"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\nA1    web1"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("OnS Fail"), std::string::npos) << result.out;

  argv = {"status", "--agent", "rack12-pdu", "--json", "--manager", url()};
  result = ctl(argv);
  ASSERT_EQ(result.exit_code(), 0) << result.describe(argv);
  EXPECT_EQ(json::parse(result.out)["agent"]["name"], "rack12-pdu");

  argv = {"status", "--agent", "ghost", "--manager", url()};
  result = ctl(argv);
  EXPECT_EQ(result.exit_code(), 1) << result.describe(argv);
  EXPECT_NE(result.err.find("the manager knows no agent named 'ghost'"), std::string::npos)
      << result.err;
}

TEST_F(NetpowerctlTest, ManagerFromTheEnvironment) {
  start();
  const auto result = ctl({"status"}, {"NETPOWER_MANAGER=" + url()});
  ASSERT_EQ(result.exit_code(), 0) << result.describe({"status"});
  EXPECT_NE(result.out.find("rack12-pdu"), std::string::npos);
}

TEST_F(NetpowerctlTest, UnreachableManagerIsExit1WithAHint) {
  const std::string dead = "http://127.0.0.1:" + std::to_string(netpower::testing::free_tcp_port());
  const std::vector<std::string> argv = {"status", "--manager", dead};
  const auto result = ctl(argv);
  EXPECT_EQ(result.exit_code(), 1) << result.describe(argv);
  EXPECT_NE(result.err.find("cannot reach the manager at " + dead +
                            ": connection refused — is netpower-manager running? (--manager, "
                            "NETPOWER_MANAGER)"),
            std::string::npos)
      << result.err;
  EXPECT_TRUE(result.out.empty());
}

TEST_F(NetpowerctlTest, TokenErrorsAreClear) {
  start(kToken);
  std::vector<std::string> argv = {"status", "--manager", url()};
  auto result = ctl(argv);
  EXPECT_EQ(result.exit_code(), 1) << result.describe(argv);
  EXPECT_NE(result.err.find("the manager wants a token: --token-file"), std::string::npos)
      << result.err;

  const std::string wrong = write_file("wrong", "not-the-token\n");
  argv = {"status", "--manager", url(), "--token-file", wrong};
  result = ctl(argv);
  EXPECT_EQ(result.exit_code(), 1) << result.describe(argv);
  EXPECT_NE(result.err.find("refused the token from " + wrong), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("not-the-token"), std::string::npos) << result.err;

  const std::string right = write_file("right", std::string(kToken) + "\n");
  argv = {"status", "--manager", url(), "--token-file", right};
  result = ctl(argv);
  EXPECT_EQ(result.exit_code(), 0) << result.describe(argv);

  result = ctl({"status", "--json"}, {"NETPOWER_MANAGER=" + url(), "NETPOWER_TOKEN_FILE=" + right});
  EXPECT_EQ(result.exit_code(), 0) << result.describe({"status", "--json"});

  argv = {"status", "--manager", url(), "--token-file", (dir_.path() / "absent").string()};
  result = ctl(argv);
  EXPECT_EQ(result.exit_code(), 1) << result.describe(argv);
  EXPECT_NE(result.err.find("cannot read the token file"), std::string::npos) << result.err;
}

TEST_F(NetpowerctlTest, NotOurJsonIsExit1) {
  FixedReplyServer bad(reply("200 OK", R"({"agents")"));
  const std::string where = "http://127.0.0.1:" + std::to_string(bad.port());
  std::vector<std::string> argv = {"status", "--manager", where};
  auto result = ctl(argv);
  EXPECT_EQ(result.exit_code(), 1) << result.describe(argv);
  EXPECT_NE(result.err.find("is not valid JSON"), std::string::npos) << result.err;

  FixedReplyServer other(reply("200 OK", "{}"));
  argv = {"status", "--manager", "http://127.0.0.1:" + std::to_string(other.port())};
  result = ctl(argv);
  EXPECT_EQ(result.exit_code(), 1) << result.describe(argv);
  EXPECT_NE(result.err.find("unexpected answer"), std::string::npos) << result.err;

  FixedReplyServer broken(
      reply("500 Internal Server Error", R"({"error":{"status":500,"message":"it broke"}})"));
  argv = {"status", "--manager", "http://127.0.0.1:" + std::to_string(broken.port())};
  result = ctl(argv);
  EXPECT_EQ(result.exit_code(), 1) << result.describe(argv);
  EXPECT_NE(result.err.find("answered 500 to GET /api/v1/status: it broke"), std::string::npos)
      << result.err;
}

TEST_F(NetpowerctlTest, ForbiddenAndUnavailableSayWhy) {
  FixedReplyServer forbidden(reply(
      "403 Forbidden",
      R"({"error":{"status":403,"message":"principal 'grafana' (viewer) may not do that"}})"));
  std::vector<std::string> argv = {"status", "--manager",
                                   "http://127.0.0.1:" + std::to_string(forbidden.port())};
  auto result = ctl(argv);
  EXPECT_EQ(result.exit_code(), 1) << result.describe(argv);
  EXPECT_NE(result.err.find("does not allow this (403: principal 'grafana' (viewer) may not do "
                            "that); use the token of a principal whose role allows it"),
            std::string::npos)
      << result.err;

  FixedReplyServer busy(reply("503 Service Unavailable",
                              R"({"error":{"status":503,"message":"the store cannot answer"}})"));
  argv = {"events", "--manager", "http://127.0.0.1:" + std::to_string(busy.port())};
  result = ctl(argv);
  EXPECT_EQ(result.exit_code(), 1) << result.describe(argv);
  EXPECT_NE(result.err.find("cannot answer GET /api/v1/events now (503: the store cannot answer)"),
            std::string::npos)
      << result.err;
}

TEST_F(NetpowerctlTest, UsageErrorsAreExit1) {
  for (const std::vector<std::string>& argv : {std::vector<std::string>{},
                                               {"status", "--bogus"},
                                               {"frobnicate"},
                                               {"status", "--manager", "https://127.0.0.1:9641"},
                                               {"status", "--agent", "a/b"},
                                               {"status", "--timeout", "0"}}) {
    const auto result = ctl(argv);
    EXPECT_EQ(result.exit_code(), 1) << result.describe(argv);
    EXPECT_FALSE(result.err.empty()) << result.describe(argv);
  }
}

TEST_F(NetpowerctlTest, HelpExplains) {
  auto result = ctl({"status", "--help"});
  EXPECT_EQ(result.exit_code(), 0) << result.describe({"status", "--help"});
  for (const char* word : {"--manager", "NETPOWER_MANAGER", "--token-file", "NETPOWER_TOKEN_FILE",
                           "--json", "--agent", "9641"}) {
    EXPECT_NE(result.out.find(word), std::string::npos) << word << "\n" << result.out;
  }
  result = ctl({"--help"});
  EXPECT_EQ(result.exit_code(), 0);
  EXPECT_NE(result.out.find("Exit status"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace netpower::manager::http
