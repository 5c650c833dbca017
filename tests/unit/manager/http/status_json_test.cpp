// The API's documents (status_json.h) and the request helpers (detail/api.h), without sockets.

#include "manager/http/status_json.h"

#include <gtest/gtest.h>

#include "manager/http/detail/api.h"

namespace netpower::manager::http {
namespace {

using nlohmann::json;

model::WallTime at_micros(std::int64_t micros) {
  return model::WallTime(std::chrono::microseconds(micros));
}

TEST(Rfc3339, UtcWithMilliseconds) {
  EXPECT_EQ(rfc3339(at_micros(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339(at_micros(1714564800'123456)), "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(rfc3339(at_micros(-1)), "1969-12-31T23:59:59.999Z");
}

TEST(PortCounts, OnOffAndAlarm) {
  std::vector<state::PortState> ports(5);
  ports[0].control = "On";
  ports[0].module = "Normal";
  ports[1].control = "On";
  ports[1].module = "OnS Fail";
  ports[2].control = "Off";
  ports[2].module = "Off Fail";
  ports[3].control = "Reboot";  // transient: neither on nor off
  ports[3].module = "Normal";
  ports[4].control = "";  // not polled yet
  const PortCounts counts = count_ports(ports);
  EXPECT_EQ(counts.total, 5u);
  EXPECT_EQ(counts.on, 2u);
  EXPECT_EQ(counts.off, 1u);
  EXPECT_EQ(counts.alarm, 2u);
}

TEST(AgentJson, AbsentValuesAreNull) {
  state::AgentState agent;
  agent.name = "a";
  agent.address = "::1";
  state::PortState port;
  port.id = "A1";
  port.load_text = "N/A";
  agent.ports.push_back(port);
  agent.boards.push_back(state::BoardState{.id = "A"});
  const json document = agent_json(agent);
  EXPECT_EQ(document["reachability"], "unknown");
  EXPECT_TRUE(document["reachability_since"].is_null());
  EXPECT_TRUE(document["last_poll"].is_null());
  EXPECT_TRUE(document["last_trap"].is_null());
  EXPECT_TRUE(document["ups"].is_null());
  EXPECT_EQ(document["labels"], json::object());
  EXPECT_TRUE(document["ports"][0]["load_amperes"].is_null());
  EXPECT_TRUE(document["ports"][0]["locked"].is_null());
  EXPECT_TRUE(document["boards"][0]["temperature_celsius"].is_null());
  EXPECT_TRUE(document["boards"][0]["input_load_amperes"].is_null());
}

TEST(StatusJson, EmptyFleet) {
  const json document = status_json({}, 7, at_micros(0));
  EXPECT_EQ(document["generated_at"], "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(document["summary"]["agents"], 0);
  EXPECT_EQ(document["summary"]["unknown_source_traps"], 7);
  EXPECT_EQ(document["agents"], json::array());
}

TEST(EventJson, EmbedsVarbindsAndKeepsBadTextAsAString) {
  model::Event event;
  event.agent = "a";
  event.time = at_micros(1'000);
  event.kind = model::EventKind::kTrap;
  event.oid = "1.3.6.1.6.3.1.1.5.1";
  event.varbinds_json = R"([{"oid":"1.3","value":1}])";
  json document = event_json(event);
  EXPECT_EQ(document["varbinds"][0]["value"], 1);
  EXPECT_EQ(document["kind"], "trap");
  EXPECT_EQ(document["time"], "1970-01-01T00:00:00.001Z");
  event.varbinds_json = "[not json";
  document = event_json(event);
  EXPECT_EQ(document["varbinds"], "[not json");
}

TEST(Dump, InvalidUtf8IsReplacedNotThrown) {
  state::AgentState agent;
  agent.name = "a";
  agent.location = std::string("caf\xe9 \xff", 6);  // Latin-1 from an old agent
  std::string text;
  ASSERT_NO_THROW(text = dump(agent_json(agent)));
  EXPECT_EQ(text.back(), '\n');
  const json parsed = json::parse(text);
  EXPECT_EQ(parsed["location"], "caf\xef\xbf\xbd \xef\xbf\xbd");
}

TEST(ErrorJson, Shape) {
  EXPECT_EQ(error_json(404, "no agent named 'x'"),
            (json{{"error", {{"status", 404}, {"message", "no agent named 'x'"}}}}));
}

TEST(ConstantTimeEqual, ComparesWholeStrings) {
  EXPECT_TRUE(detail::constant_time_equal("token", "token"));
  EXPECT_FALSE(detail::constant_time_equal("toke", "token"));
  EXPECT_FALSE(detail::constant_time_equal("tokenn", "token"));
  EXPECT_FALSE(detail::constant_time_equal("tokeN", "token"));
  EXPECT_FALSE(detail::constant_time_equal("", "token"));
  EXPECT_TRUE(detail::constant_time_equal("", ""));
  EXPECT_FALSE(detail::constant_time_equal(std::string("tok\0n", 5), "token"));
}

TEST(PercentDecode, QueryAndPath) {
  EXPECT_EQ(detail::percent_decode("rack%2012+x"), "rack 12 x");
  EXPECT_EQ(detail::percent_decode("a+b", false), "a+b");
  EXPECT_EQ(detail::percent_decode("%41%62"), "Ab");
  EXPECT_EQ(detail::percent_decode("%4"), std::nullopt);
  EXPECT_EQ(detail::percent_decode("%"), std::nullopt);
  EXPECT_EQ(detail::percent_decode("%zz"), std::nullopt);
}

TEST(HandleRequest, AFailingScrapeIs500) {
  const state::FleetState fleet({});
  detail::ApiContext context;
  context.fleet = &fleet;
  context.metrics = []() -> std::string { throw std::runtime_error("collector broke"); };
  detail::Request request{boost::beast::http::verb::get, "/metrics", 11};
  const auto response = detail::handle_request(request, context);
  EXPECT_EQ(response.result_int(), 500);
  EXPECT_NE(response.body().find("collector broke"), std::string::npos);
}

}  // namespace
}  // namespace netpower::manager::http
