// The routes served from the store (a recording StoreReader written for the test): the events'
// and the history's parameters as the store receives them, their errors, cursors, ports by id or
// name, the store's errors as 400/503, and the answers without a store.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "manager/http/http_server.h"
#include "manager/http/status_json.h"
#include "tests/integration/manager/http/api_fakes.h"
#include "tests/integration/manager/http/http_test_client.h"
#include "tests/unit/manager/http/fleet_fixture.h"

namespace netpower::manager::http {
namespace {

using nlohmann::json;
using testing::get_once;
using testing::TestResponse;

model::WallTime at_seconds(std::int64_t seconds) {
  return model::WallTime(std::chrono::seconds(seconds));
}

class ApiStoreTest : public ::testing::Test {
 protected:
  void start(bool with_store = true) {
    HttpServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.store = with_store ? &store_ : nullptr;
    server_ =
        std::make_unique<HttpServer>(std::move(options), *fleet_, [] { return std::string(); });
    server_->start();
  }

  TestResponse get(const std::string& target) { return get_once(server_->port(), target); }

  static json body(const TestResponse& r) { return json::parse(r.body()); }
  static std::string message(const TestResponse& r) {
    return body(r)["error"]["message"].get<std::string>();
  }

  std::unique_ptr<state::FleetState> fleet_ = testing::make_fleet();
  testing::FakeStoreReader store_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ApiStoreTest, EventsComeFromTheStoreWithEveryFilter) {
  model::Event note{.agent = "rack12-pdu",
                    .time = testing::fixture_time(10),
                    .kind = model::EventKind::kNote,
                    .varbinds_json = R"({"principal":"alice"})",
                    .text = "replaced PSU"};
  store_.event_page.events = {{42, note}};
  store_.event_page.next_cursor = "c42";
  start();
  const auto r =
      get("/api/v1/events?agent=rack12-pdu&kind=note&since=2024-05-01T12:00:00Z&until=1714568400"
          "&limit=5&cursor=c41&oid=1.3.6.1");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  const json document = body(r);
  EXPECT_EQ(document["next_cursor"], "c42");
  ASSERT_EQ(document["events"].size(), 1u);
  EXPECT_EQ(document["events"][0]["id"], 42);
  EXPECT_EQ(document["events"][0]["kind"], "note");
  EXPECT_EQ(document["events"][0]["varbinds"]["principal"], "alice");
  EXPECT_EQ(document["events"][0]["time"], "2024-05-01T12:00:10.000Z");

  ASSERT_EQ(store_.event_queries.size(), 1u);
  const auto& q = store_.event_queries[0];
  EXPECT_EQ(q.agent, "rack12-pdu");
  EXPECT_EQ(q.kind, model::EventKind::kNote);
  EXPECT_EQ(q.oid, "1.3.6.1");
  EXPECT_EQ(q.since, at_seconds(1714564800));
  EXPECT_EQ(q.until, at_seconds(1714568400));
  EXPECT_EQ(q.limit, 5u);
  EXPECT_EQ(q.cursor, "c41");
}

TEST_F(ApiStoreTest, EventDefaultsAndBadParameters) {
  start();
  ASSERT_EQ(get("/api/v1/events").result_int(), 200);
  ASSERT_EQ(store_.event_queries.size(), 1u);
  EXPECT_EQ(store_.event_queries[0].limit, 100u);
  EXPECT_FALSE(store_.event_queries[0].agent);
  EXPECT_FALSE(store_.event_queries[0].since);
  EXPECT_EQ(store_.event_queries[0].cursor, "");
  const std::map<std::string, std::string> cases = {
      {"kind=reboot", "kind must be one of trap, up, down, threshold, action, note"},
      {"since=yesterday", "since must be an RFC 3339 time"},
      {"until=2024-05-01", "until must be an RFC 3339 time"},
      {"since=1714568400&until=1714564800", "since must be before until"},
      {"limit=10001", "limit must be a whole number from 1 to 10000"},
      {"oid=.1.3", "oid must be numeric"},
      {"colour=red", "unknown query parameter 'colour'"},
  };
  for (const auto& [query, expected] : cases) {
    const auto r = get("/api/v1/events?" + query);
    EXPECT_EQ(r.result_int(), 400) << query;
    EXPECT_NE(message(r).find(expected), std::string::npos) << query << ": " << message(r);
  }
  EXPECT_EQ(store_.event_queries.size(), 1u);  // none of them reached the store
}

TEST_F(ApiStoreTest, StoreErrorsAre503Or400) {
  start();
  store_.error = store::QueryError("database is down");
  auto r = get("/api/v1/events");
  EXPECT_EQ(r.result_int(), 503);
  EXPECT_NE(message(r).find("database is down"), std::string::npos);
  r = get("/api/v1/agents/rack12-pdu/ports/A1/history");
  EXPECT_EQ(r.result_int(), 503);
  store_.error = store::QueryError("malformed cursor", /*bad_request=*/true);
  r = get("/api/v1/events?cursor=garbage");
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_EQ(message(r), "malformed cursor");
}

TEST_F(ApiStoreTest, WithoutAStoreEventsComeFromMemoryAndHistoryIs503) {
  start(/*with_store=*/false);
  auto r = get("/api/v1/events?kind=trap");
  ASSERT_EQ(r.result_int(), 200);
  ASSERT_EQ(body(r)["events"].size(), 1u);
  EXPECT_EQ(body(r)["events"][0]["kind"], "trap");
  EXPECT_EQ(body(r)["next_cursor"], "");
  r = get("/api/v1/events?since=2024-05-01T12:00:03Z&until=2024-05-01T12:00:06Z");
  ASSERT_EQ(body(r)["events"].size(), 1u);  // until is exclusive
  EXPECT_EQ(body(r)["events"][0]["kind"], "trap");
  EXPECT_EQ(get("/api/v1/events?cursor=abc").result_int(), 503);
  r = get("/api/v1/agents/rack12-pdu/ports/A1/history");
  EXPECT_EQ(r.result_int(), 503);
  EXPECT_NE(message(r).find("history is not available"), std::string::npos);
  // Unknown agents and ports are still 404: the state knows them.
  EXPECT_EQ(get("/api/v1/agents/nope/ports/A1/history").result_int(), 404);
}

TEST_F(ApiStoreTest, HistoryOfAPortByIdOrName) {
  store_.history_answer.points = {{testing::fixture_time(0), 2.5, 2.5, 2.5},
                                  {testing::fixture_time(60), 2.0, 1.5, 2.5}};
  store_.history_answer.truncated = true;
  start();
  auto r =
      get("/api/v1/agents/rack12-pdu/ports/web1/history?metric=outlet.power&since=1714564800"
          "&until=2024-05-01T13:00:00Z&step=5m&limit=500");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  json document = body(r);
  EXPECT_EQ(document["agent"], "rack12-pdu");
  EXPECT_EQ(document["port"], (json{{"id", "A1"}, {"name", "web1"}}));
  EXPECT_EQ(document["metric"], "outlet.power");
  EXPECT_EQ(document["since"], "2024-05-01T12:00:00.000Z");
  EXPECT_EQ(document["until"], "2024-05-01T13:00:00.000Z");
  EXPECT_EQ(document["step_seconds"], 300);
  EXPECT_EQ(document["truncated"], true);
  ASSERT_EQ(document["points"].size(), 2u);
  EXPECT_EQ(
      document["points"][1],
      (json{{"time", "2024-05-01T12:01:00.000Z"}, {"value", 2.0}, {"min", 1.5}, {"max", 2.5}}));
  ASSERT_EQ(store_.history_queries.size(), 1u);
  auto q = store_.history_queries[0];
  EXPECT_EQ(q.series,
            (store::SeriesKey{"rack12-pdu", model::ObjectKind::kPort, "A1", "outlet.power"}));
  EXPECT_EQ(q.since, at_seconds(1714564800));
  EXPECT_EQ(q.until, at_seconds(1714568400));
  EXPECT_EQ(q.step, std::chrono::seconds(300));
  EXPECT_EQ(q.limit, 500u);

  // Defaults: outlet.current, the last hour, every value.
  ASSERT_EQ(get("/api/v1/agents/rack12-pdu/ports/A2/history").result_int(), 200);
  q = store_.history_queries.at(1);
  EXPECT_EQ(q.series.key, "A2");
  EXPECT_EQ(q.series.metric, "outlet.current");
  EXPECT_EQ(q.until - q.since, std::chrono::hours(1));
  EXPECT_LE(std::chrono::abs(q.until - model::wall_now()), std::chrono::seconds(10));
  EXPECT_EQ(q.step, std::chrono::seconds(0));
  EXPECT_EQ(q.limit, store::kMaxQueryRows);
}

TEST_F(ApiStoreTest, HistoryErrors) {
  start();
  EXPECT_EQ(message(get("/api/v1/agents/nope/ports/A1/history")), "no agent named 'nope'");
  EXPECT_EQ(message(get("/api/v1/agents/rack12-pdu/ports/Z9/history")),
            "agent 'rack12-pdu' has no port 'Z9'");
  const std::map<std::string, std::string> cases = {
      {"metric=Outlet%20Current", "metric must be a name"},
      {"step=soon", "step must be whole seconds"},
      {"since=x", "since must be an RFC 3339 time"},
      {"since=1714568400&until=1714564800", "since must be before until"},
      {"limit=0", "limit must be a whole number from 1 to 10000"},
      {"agent=x", "unknown query parameter 'agent'"},
  };
  for (const auto& [query, expected] : cases) {
    const auto r = get("/api/v1/agents/rack12-pdu/ports/A1/history?" + query);
    EXPECT_EQ(r.result_int(), 400) << query;
    EXPECT_NE(message(r).find(expected), std::string::npos) << query << ": " << message(r);
  }
  EXPECT_TRUE(store_.history_queries.empty());
}

TEST_F(ApiStoreTest, APortByIdOrName) {
  start();
  auto r = get("/api/v1/agents/rack12-pdu/ports/A2");
  ASSERT_EQ(r.result_int(), 200) << r.body();
  EXPECT_EQ(body(r)["agent"], "rack12-pdu");
  EXPECT_EQ(body(r)["port"], port_json(fleet_->agent("rack12-pdu")->ports[1]));
  r = get("/api/v1/agents/rack12-pdu/ports/router");
  ASSERT_EQ(r.result_int(), 200);
  EXPECT_EQ(body(r)["port"]["id"], "A4");
  EXPECT_EQ(get("/api/v1/agents/rack12-pdu/ports/nothing").result_int(), 404);
  EXPECT_EQ(get("/api/v1/agents/nope/ports/A1").result_int(), 404);
  EXPECT_EQ(get("/api/v1/agents/ups-room/ports/A1").result_int(), 404);  // no PDU there
}

}  // namespace
}  // namespace netpower::manager::http
