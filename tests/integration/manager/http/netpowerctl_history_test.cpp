// The built netpowerctl's events and history commands against the real HTTP server on loopback,
// the store being a recording StoreReader: the tables, --json, what the manager was asked, the
// token options, and the errors (503 without a store, 404, usage).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "manager/http/http_server.h"
#include "tests/integration/manager/http/api_fakes.h"
#include "tests/integration/manager/http/netpowerctl_run.h"
#include "tests/support/process.h"
#include "tests/unit/manager/http/fleet_fixture.h"

namespace netpower::manager::http {
namespace {

using netpower::testing::CommandResult;
using netpower::testing::EnvChanges;
using netpower::testing::run_command;
using nlohmann::json;

constexpr const char* kViewerToken = "ctl-viewer-token-0123456789";

class NetpowerctlHistoryTest : public ::testing::Test {
 protected:
  void start(bool with_store = true) {
    HttpServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.principals = {{"grafana", model::Role::kViewer, kViewerToken}};
    options.store = with_store ? &store_ : nullptr;
    server_ = std::make_unique<HttpServer>(options, *fleet_, [] { return std::string(); });
    server_->start();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  // netpowerctl with `args` and --manager; the token from NETPOWER_TOKEN unless `env` says.
  CommandResult ctl(std::vector<std::string> args, EnvChanges env = {}) const {
    return netpower::testing::run_netpowerctl(std::move(args), server_->port(), kViewerToken, env);
  }

  std::unique_ptr<state::FleetState> fleet_ = testing::make_fleet();
  testing::FakeStoreReader store_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(NetpowerctlHistoryTest, EventsTable) {
  store_.event_page.events = {{7,
                               {.agent = "rack12-pdu",
                                .time = testing::fixture_time(30),
                                .kind = model::EventKind::kNote,
                                .varbinds_json = R"({"principal":"alice"})",
                                .text = "replaced PSU\nin A3"}},
                              {6,
                               {.agent = "old-pdu",
                                .time = testing::fixture_time(6),
                                .kind = model::EventKind::kDown,
                                .text = "down: timeout"}}};
  store_.event_page.next_cursor = "next-7";
  start();
  const std::vector<std::string> argv = {"events",  "--agent", "rack12-pdu", "--kind", "note",
                                         "--since", "2h",      "--limit",    "2"};
  const auto result = ctl(argv);
  ASSERT_EQ(result.exit_code(), 0) << result.describe(argv);
  EXPECT_EQ(result.out,
            "TIME                      AGENT       KIND  TEXT\n"
            "2024-05-01T12:00:30.000Z  rack12-pdu  note  replaced PSU in A3 (alice)\n"
            "2024-05-01T12:00:06.000Z  old-pdu     down  down: timeout\n"
            "more: --cursor next-7\n");
  ASSERT_EQ(store_.event_queries.size(), 1u);
  const auto& q = store_.event_queries[0];
  EXPECT_EQ(q.agent, "rack12-pdu");
  EXPECT_EQ(q.kind, model::EventKind::kNote);
  EXPECT_EQ(q.limit, 2u);
  ASSERT_TRUE(q.since);
  EXPECT_LE(std::chrono::abs(*q.since - (model::wall_now() - std::chrono::hours(2))),
            std::chrono::seconds(30));

  const auto page = ctl({"events", "--cursor", "next-7", "--json"});
  ASSERT_EQ(page.exit_code(), 0) << page.err;
  EXPECT_EQ(json::parse(page.out)["next_cursor"], "next-7");
  EXPECT_EQ(store_.event_queries.at(1).cursor, "next-7");
}

TEST_F(NetpowerctlHistoryTest, HistoryTable) {
  store_.history_answer.points = {{testing::fixture_time(0), 2.5, 2.0, 3.0},
                                  {testing::fixture_time(300), 2.25, 2.0, 2.5}};
  start();
  const std::vector<std::string> argv = {
      "history", "rack12-pdu",           "web1",   "--since", "1714564800",
      "--until", "2024-05-01T13:00:00Z", "--step", "5m"};
  const auto result = ctl(argv);
  ASSERT_EQ(result.exit_code(), 0) << result.describe(argv);
  EXPECT_EQ(result.out,
            "rack12-pdu A1 (web1) outlet.current, 2024-05-01T12:00:00.000Z to "
            "2024-05-01T13:00:00.000Z, 5m00s\n"
            "\n"
            "TIME                      MEAN  MIN  MAX\n"
            "2024-05-01T12:00:00.000Z  2.5   2    3\n"
            "2024-05-01T12:05:00.000Z  2.25  2    2.5\n");
  ASSERT_EQ(store_.history_queries.size(), 1u);
  EXPECT_EQ(store_.history_queries[0].series.key, "A1");
  EXPECT_EQ(store_.history_queries[0].step, std::chrono::seconds(300));

  const auto raw = ctl({"history", "rack12-pdu", "A2", "--metric", "outlet.power", "--json"});
  ASSERT_EQ(raw.exit_code(), 0) << raw.err;
  EXPECT_EQ(json::parse(raw.out)["metric"], "outlet.power");
  EXPECT_EQ(store_.history_queries.at(1).series.metric, "outlet.power");

  const auto unknown = ctl({"history", "rack12-pdu", "Z9"});
  EXPECT_EQ(unknown.exit_code(), 1);
  EXPECT_NE(unknown.err.find("the manager says: agent 'rack12-pdu' has no port 'Z9'"),
            std::string::npos)
      << unknown.err;
}

TEST_F(NetpowerctlHistoryTest, WithoutAStoreHistoryIs503) {
  start(/*with_store=*/false);
  const auto result = ctl({"history", "rack12-pdu", "A1"});
  EXPECT_EQ(result.exit_code(), 1);
  EXPECT_NE(result.err.find("cannot answer GET /api/v1/agents/rack12-pdu/ports/A1/history now "
                            "(503: history is not available"),
            std::string::npos)
      << result.err;
  // Events still come, from the manager's memory.
  const auto events = ctl({"events"});
  ASSERT_EQ(events.exit_code(), 0) << events.err;
  EXPECT_NE(events.out.find("old-pdu     down"), std::string::npos) << events.out;
}

TEST_F(NetpowerctlHistoryTest, TokenOptions) {
  start();
  auto result = ctl({"events"}, {"NETPOWER_TOKEN"});
  EXPECT_EQ(result.exit_code(), 1);
  EXPECT_NE(result.err.find("the manager wants a token"), std::string::npos) << result.err;
  result = ctl({"events", "--token", kViewerToken}, {"NETPOWER_TOKEN"});
  EXPECT_EQ(result.exit_code(), 0) << result.err;
  result = ctl({"events"}, {"NETPOWER_TOKEN=wrong-token-0123456789"});
  EXPECT_EQ(result.exit_code(), 1);
  EXPECT_NE(result.err.find("refused the token from NETPOWER_TOKEN (401: invalid bearer token)"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(result.err.find("wrong-token"), std::string::npos) << result.err;
  result = ctl({"events", "--token", "x", "--token-file", "y"});
  EXPECT_EQ(result.exit_code(), 1);
  EXPECT_NE(result.err.find("not both"), std::string::npos) << result.err;
}

TEST_F(NetpowerctlHistoryTest, UsageErrors) {
  start();
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"events", "--kind", "reboot"},
        {"events", "--since", "yesterday"},
        {"events", "--limit", "0"},
        {"events", "--agent", "a/b"},
        {"history", "rack12-pdu"},
        {"history", "a/b", "A1"},
        {"history", "rack12-pdu", "A1", "--until", "soon"}}) {
    const auto result = ctl(argv);
    EXPECT_EQ(result.exit_code(), 1) << result.describe(argv);
    EXPECT_FALSE(result.err.empty()) << result.describe(argv);
  }
  EXPECT_TRUE(store_.event_queries.empty());
  EXPECT_TRUE(store_.history_queries.empty());
}

}  // namespace
}  // namespace netpower::manager::http
