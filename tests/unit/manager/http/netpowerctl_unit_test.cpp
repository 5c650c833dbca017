// netpowerctl's pieces without a server: the URL, times, and the table rendered from the API's
// documents (status_json.h renders them, so the client and the server agree on the schema).

#include <gtest/gtest.h>

#include "manager/ctl/history_table.h"
#include "manager/ctl/http_client.h"
#include "manager/ctl/status_table.h"
#include "manager/http/status_json.h"
#include "tests/unit/manager/http/fleet_fixture.h"

namespace netpower::ctl {
namespace {

using manager::http::testing::fixture_time;
using manager::http::testing::make_fleet;

TEST(ManagerUrl, Forms) {
  std::string error;
  auto url = parse_manager_url("http://127.0.0.1:9641", error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, "9641");
  EXPECT_EQ(url->base_path, "");
  EXPECT_EQ(url->to_string(), "http://127.0.0.1:9641");

  url = parse_manager_url("mgr.example.net", error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->host, "mgr.example.net");
  EXPECT_EQ(url->port, "9641");

  url = parse_manager_url("http://[::1]:8080/netpower/", error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, "8080");
  EXPECT_EQ(url->base_path, "/netpower");
  EXPECT_EQ(url->to_string(), "http://[::1]:8080/netpower");

  for (const char* bad :
       {"https://mgr:9641", "ftp://mgr", "http://", "http://mgr:0", "http://mgr:70000",
        "http://mgr:x", "http://[::1", "http://u@mgr", "http://mgr/x?y=1"}) {
    error.clear();
    EXPECT_FALSE(parse_manager_url(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  parse_manager_url("https://mgr", error);
  EXPECT_NE(error.find("https is not supported"), std::string::npos);
}

TEST(Times, ParseWhatTheServerWrites) {
  const auto t = parse_rfc3339(manager::http::rfc3339(fixture_time(5)));
  ASSERT_TRUE(t);
  EXPECT_DOUBLE_EQ(*t, 1714564805.0);
  EXPECT_DOUBLE_EQ(*parse_rfc3339("2024-05-01T12:00:00.5Z"), 1714564800.5);
  EXPECT_DOUBLE_EQ(*parse_rfc3339("2024-05-01T14:00:00+02:00"), 1714564800.0);
  EXPECT_FALSE(parse_rfc3339("yesterday"));
  EXPECT_FALSE(parse_rfc3339("2024-05-01T12:00:00"));
  EXPECT_EQ(format_age(42.9), "42s");
  EXPECT_EQ(format_age(192), "3m12s");
  EXPECT_EQ(format_age(7500), "2h05m");
  EXPECT_EQ(format_age(273600), "3d04h");
}

std::string line_of(const std::string& text, const std::string& start) {
  std::size_t at = 0;
  while (at < text.size()) {
    const auto end = text.find('\n', at);
    const std::string line = text.substr(at, end - at);
    if (line.rfind(start, 0) == 0) return line;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return "";
}

TEST(StatusTable, OneLinePerAgent) {
  const auto fleet = make_fleet();
  const auto document = manager::http::status_json(fleet->agents(), 0, fixture_time(60));
  const std::string table = render_status(document);
  EXPECT_NE(table.find("4 agent(s): 2 up, 1 down, 1 unknown; 4 port(s): 3 on, 1 off, 1 in alarm; "
                       "1 UPS, 1 on battery"),
            std::string::npos)
      << table;
  EXPECT_NE(line_of(table, "AGENT").find("PORTS ON/OFF/ALARM"), std::string::npos) << table;
  const std::string pdu = line_of(table, "rack12-pdu");
  EXPECT_NE(pdu.find(" up "), std::string::npos) << pdu;
  EXPECT_NE(pdu.find("1m00s ago"), std::string::npos) << pdu;  // last poll at +0, now +60
  EXPECT_NE(pdu.find("3/1/1"), std::string::npos) << pdu;
  const std::string room = line_of(table, "ups-room");
  EXPECT_NE(room.find("87%"), std::string::npos) << room;
  EXPECT_NE(room.find("25m00s ON BATTERY"), std::string::npos) << room;
  const std::string old = line_of(table, "old-pdu");
  EXPECT_NE(old.find("down"), std::string::npos) << old;
  EXPECT_NE(old.find("timeout (2 requests, no response)"), std::string::npos) << old;
  EXPECT_NE(line_of(table, "new-pdu").find("unknown"), std::string::npos) << table;
}

TEST(StatusTable, OneAgentInDetail) {
  const auto fleet = make_fleet();
  const auto document =
      manager::http::agent_document(*fleet->agent("rack12-pdu"), fixture_time(60));
  const std::string text = render_agent(document);
  EXPECT_NE(line_of(text, "location:").find("Paris R12"), std::string::npos) << text;
  EXPECT_NE(line_of(text, "labels:").find("rack=r12 site=par1"), std::string::npos) << text;
  EXPECT_NE(line_of(text, "BOARD").find("TEMPERATURE"), std::string::npos) << text;
  EXPECT_NE(line_of(text, "A  ").find("24.0 C"), std::string::npos) << text;
  const std::string a2 = line_of(text, "A2");
  EXPECT_NE(a2.find("db1"), std::string::npos) << text;
  EXPECT_NE(a2.find("OnS Fail"), std::string::npos) << text;
  EXPECT_NE(a2.find("locked"), std::string::npos) << text;
  EXPECT_NE(line_of(text, "A3").find("Not On"), std::string::npos) << text;

  const auto room = manager::http::agent_document(*fleet->agent("ups-room"), fixture_time(60));
  const std::string ups = render_agent(room);
  EXPECT_NE(ups.find("UPS room-ups (ON BATTERY)"), std::string::npos) << ups;
  EXPECT_NE(line_of(ups, "battery.charge").find("87"), std::string::npos) << ups;
  EXPECT_NE(line_of(ups, "battery.charge").find("87 %"), std::string::npos) << ups;
  // Enumerations and alarms by name, not numbers and OIDs.
  EXPECT_NE(line_of(ups, "output.source").find("battery"), std::string::npos) << ups;
  EXPECT_NE(ups.find("alarms: on_battery"), std::string::npos) << ups;
}

TEST(StatusTable, SchemaMismatchThrows) {
  EXPECT_THROW(render_status(nlohmann::json::object()), std::runtime_error);
  EXPECT_THROW(render_status(nlohmann::json{{"summary", nlohmann::json::object()},
                                            {"agents", {{{"name", 3}}}}}),
               std::runtime_error);
  EXPECT_THROW(render_agent(nlohmann::json{{"generated_at", "x"}}), std::runtime_error);
}

TEST(TimeArgument, TimesPassAndAgesBecomeUnixSeconds) {
  const double now = 1714568400;  // 2024-05-01T13:00:00Z
  EXPECT_EQ(time_argument("2024-05-01T12:00:00Z", now), "2024-05-01T12:00:00Z");
  EXPECT_EQ(time_argument("1714564800", now), "1714564800");
  EXPECT_EQ(time_argument("1714564800.5", now), "1714564800.5");
  EXPECT_EQ(time_argument("1h", now), "1714564800");
  EXPECT_EQ(time_argument("90s", now), "1714568310");
  EXPECT_EQ(time_argument("1d", now), "1714482000");
  EXPECT_EQ(time_argument("1h30m", now), "1714563000");
  for (const char* bad : {"", "yesterday", "1x", "h", "1.2.3", "-1h", ".5"}) {
    EXPECT_EQ(time_argument(bad, now), std::nullopt) << bad;
  }
}

TEST(UrlEncode, EscapesAllButUnreserved) {
  EXPECT_EQ(url_encode("rack12-pdu_1.x~"), "rack12-pdu_1.x~");
  EXPECT_EQ(url_encode("a b/c&d=e"), "a%20b%2Fc%26d%3De");
  EXPECT_EQ(url_encode("caf\xc3\xa9"), "caf%C3%A9");
}

TEST(HistoryTable, EveryValueWithoutAStep) {
  const nlohmann::json document = {
      {"agent", "rack12-pdu"},
      {"port", {{"id", "A3"}, {"name", ""}}},
      {"metric", "outlet.current"},
      {"since", "2024-05-01T11:00:00.000Z"},
      {"until", "2024-05-01T12:00:00.000Z"},
      {"step_seconds", 0},
      {"points",
       {{{"time", "2024-05-01T11:00:30.000Z"}, {"value", 0.5}, {"min", 0.5}, {"max", 0.5}}}},
      {"truncated", true}};
  EXPECT_EQ(render_history(document),
            "rack12-pdu A3 outlet.current, 2024-05-01T11:00:00.000Z to 2024-05-01T12:00:00.000Z, "
            "every value\n\nTIME                      VALUE\n2024-05-01T11:00:30.000Z  0.5\n"
            "(more values exist: narrow --since/--until or use a larger --step)\n");
  auto empty = document;
  empty["points"] = nlohmann::json::array();
  EXPECT_NE(render_history(empty).find("no values in this range"), std::string::npos);
  EXPECT_THROW(render_history(nlohmann::json{{"agent", "x"}}), std::runtime_error);
}

TEST(EventsTable, EmptyAndMalformed) {
  EXPECT_EQ(render_events(nlohmann::json{{"events", nlohmann::json::array()}}), "no events\n");
  EXPECT_THROW(render_events(nlohmann::json{{"events", 5}}), std::runtime_error);
  EXPECT_THROW(render_events(nlohmann::json{{"events", {{{"time", 1}}}}}), std::runtime_error);
  // The server's own document renders.
  const auto fleet = make_fleet();
  const auto text =
      render_events(manager::http::events_json(fleet->recent_events(10), fixture_time(10)));
  EXPECT_NE(text.find("2024-05-01T12:00:06.000Z  old-pdu     down"), std::string::npos) << text;
}

}  // namespace
}  // namespace netpower::ctl
