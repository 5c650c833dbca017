// The route table without sockets: patterns, parameters, 404/405, HEAD; and the request helpers
// (times, steps, UTF-8) and the authenticator.

#include "manager/http/router.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "manager/http/auth.h"
#include "manager/http/detail/params.h"

namespace netpower::manager::http {
namespace {

using boost::beast::http::verb;

Handler answer(unsigned status) {
  return [status](const RouteRequest&) {
    return Response{static_cast<boost::beast::http::status>(status), 11};
  };
}

Router table() {
  Router router;
  router.add({.method = verb::get, .pattern = "/api/v1/status", .handler = answer(200)});
  router.add({.method = verb::get, .pattern = "/api/v1/agents/{agent}", .handler = answer(201)});
  router.add({.method = verb::get,
              .pattern = "/api/v1/agents/{agent}/ports/{port}/history",
              .handler = answer(202)});
  router.add({.method = verb::get, .pattern = "/api/v1/notes", .handler = answer(203)});
  router.add({.method = verb::post,
              .pattern = "/api/v1/notes",
              .handler = answer(204),
              .mutates_state = true,
              .min_role = model::Role::kOperator});
  return router;
}

TEST(Router, LiteralAndParameterPatterns) {
  const Router router = table();
  auto m = router.match(verb::get, "/api/v1/status");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/status");
  EXPECT_EQ(m.index, 0u);
  EXPECT_TRUE(m.params.empty());

  m = router.match(verb::get, "/api/v1/agents/rack%2012/ports/A1/history");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.index, 2u);
  EXPECT_EQ(m.params.at("agent"), "rack 12");  // decoded; '+' would stay '+' in a path
  EXPECT_EQ(m.params.at("port"), "A1");

  m = router.match(verb::get, "/api/v1/agents/a+b");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("agent"), "a+b");
}

TEST(Router, UnknownPathsMatchNothing) {
  const Router router = table();
  for (const char* path : {"/", "", "/api", "/api/v1/status/", "/api/v1/agents/",
                           "/api/v1/agents/x/ports", "/api/v1/agents//ports/A1/history",
                           "/api/v1/agents/x/ports/A1/history/more", "/API/v1/status"}) {
    const auto m = router.match(verb::get, path);
    EXPECT_EQ(m.route, nullptr) << path;
    EXPECT_TRUE(m.allowed.empty()) << path;
  }
}

TEST(Router, OtherMethodsListWhatIsAllowed) {
  const Router router = table();
  auto m = router.match(verb::delete_, "/api/v1/notes");
  EXPECT_EQ(m.route, nullptr);
  ASSERT_EQ(m.allowed.size(), 2u);
  EXPECT_EQ(allow_header(m.allowed), "GET, POST");
  m = router.match(verb::post, "/api/v1/status");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(allow_header(m.allowed), "GET");
  m = router.match(verb::post, "/api/v1/notes");
  ASSERT_NE(m.route, nullptr);
  EXPECT_TRUE(m.route->mutates_state);
  EXPECT_EQ(m.route->min_role, model::Role::kOperator);
}

TEST(Router, HeadFindsTheGetRoute) {
  const Router router = table();
  const auto m = router.match(verb::head, "/api/v1/agents/x");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, verb::get);
  EXPECT_EQ(m.params.at("agent"), "x");
}

TEST(Router, MalformedEncodingIsReported) {
  const Router router = table();
  const auto m = router.match(verb::get, "/api/v1/agents/%zz");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.bad_encoding);
}

TEST(Router, BadTablesAreRefused) {
  Router router = table();
  EXPECT_THROW(router.add({.method = verb::get, .pattern = "/api/v1/status", .handler = answer(1)}),
               std::invalid_argument);
  EXPECT_THROW(router.add({.method = verb::get, .pattern = "api", .handler = answer(1)}),
               std::invalid_argument);
  EXPECT_THROW(router.add({.method = verb::get, .pattern = "/a//b", .handler = answer(1)}),
               std::invalid_argument);
  EXPECT_THROW(router.add({.method = verb::get, .pattern = "/a/{x", .handler = answer(1)}),
               std::invalid_argument);
  EXPECT_THROW(router.add({.method = verb::get, .pattern = "/a/x{y}", .handler = answer(1)}),
               std::invalid_argument);
  EXPECT_THROW(router.add({.method = verb::get, .pattern = "/a/{x}/{x}", .handler = answer(1)}),
               std::invalid_argument);
  EXPECT_THROW(router.add({.method = verb::get, .pattern = "/no/handler"}), std::invalid_argument);
  // Same pattern, another method: fine.
  EXPECT_NO_THROW(
      router.add({.method = verb::put, .pattern = "/api/v1/status", .handler = answer(1)}));
}

model::WallTime at_seconds(std::int64_t seconds, std::int64_t micros = 0) {
  return model::WallTime(std::chrono::microseconds(seconds * 1'000'000 + micros));
}

TEST(Params, TimesAreRfc3339OrUnixSeconds) {
  using detail::parse_time;
  EXPECT_EQ(parse_time("2024-05-01T12:00:00Z"), at_seconds(1714564800));
  EXPECT_EQ(parse_time("2024-05-01T12:00:00.123456Z"), at_seconds(1714564800, 123456));
  EXPECT_EQ(parse_time("2024-05-01t12:00:00.5z"), at_seconds(1714564800, 500000));
  EXPECT_EQ(parse_time("2024-05-01 14:00:00+02:00"), at_seconds(1714564800));
  EXPECT_EQ(parse_time("2024-05-01T10:30:00-01:30"), at_seconds(1714564800));
  EXPECT_EQ(parse_time("2024-02-29T00:00:00Z"), at_seconds(1709164800));
  EXPECT_EQ(parse_time("1714564800"), at_seconds(1714564800));
  EXPECT_EQ(parse_time("1714564800.25"), at_seconds(1714564800, 250000));
  EXPECT_EQ(parse_time("0"), at_seconds(0));
  for (const char* bad :
       {"", "yesterday", "-5", "1714564800.", "1e9", "2024-05-01", "2024-05-01T12:00:00",
        "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-05-01T24:00:00Z",
        "2024-05-01T12:00:00+2:00", "2024-05-01T12:00:00Zjunk", "9999999999999"}) {
    EXPECT_EQ(parse_time(bad), std::nullopt) << bad;
  }
}

TEST(Params, StepsAndWholeNumbers) {
  using detail::parse_step;
  EXPECT_EQ(parse_step("300"), std::chrono::seconds(300));
  EXPECT_EQ(parse_step("5m"), std::chrono::seconds(300));
  EXPECT_EQ(parse_step("1h30m"), std::chrono::seconds(5400));
  EXPECT_EQ(parse_step("1d"), std::chrono::seconds(86400));
  EXPECT_EQ(parse_step("1d12h"), std::chrono::seconds(129600));
  for (const char* bad : {"", "5x", "-5", "500ms", "1.5", "d"}) {
    EXPECT_EQ(parse_step(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(detail::parse_whole("42", 1, 100), 42u);
  EXPECT_EQ(detail::parse_whole("0", 1, 100), std::nullopt);
  EXPECT_EQ(detail::parse_whole("+4", 1, 100), std::nullopt);
  EXPECT_EQ(detail::parse_whole("99999999999999999999999", 1, 100), std::nullopt);
}

TEST(Params, Utf8) {
  using detail::valid_utf8;
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x8c"));
  EXPECT_FALSE(valid_utf8("\xff"));
  EXPECT_FALSE(valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_FALSE(valid_utf8("\xe2\x28\xa1"));
}

TEST(Params, QueriesRefuseRepeatsAndBadBytes) {
  auto q = detail::parse_query("a=1&b=x%20y&&c");
  ASSERT_TRUE(std::holds_alternative<detail::Query>(q));
  const auto& query = std::get<detail::Query>(q);
  EXPECT_EQ(query.at("a"), "1");
  EXPECT_EQ(query.at("b"), "x y");
  EXPECT_EQ(query.at("c"), "");
  EXPECT_TRUE(std::holds_alternative<std::string>(detail::parse_query("a=1&a=2")));
  EXPECT_TRUE(std::holds_alternative<std::string>(detail::parse_query("a=%ff")));
}

TEST(Authenticator, FindsThePrincipalOfAToken) {
  const Authenticator auth({{"grafana", model::Role::kViewer, "grafana-token-0123456789"},
                            {"alice", model::Role::kOperator, "alice-token-0123456789"}});
  EXPECT_TRUE(auth.enabled());
  EXPECT_EQ(auth.authenticate("alice-token-0123456789"),
            (model::Principal{"alice", model::Role::kOperator}));
  EXPECT_EQ(auth.authenticate("grafana-token-0123456789"),
            (model::Principal{"grafana", model::Role::kViewer}));
  EXPECT_EQ(auth.authenticate("alice-token-012345678"), std::nullopt);
  EXPECT_EQ(auth.authenticate(""), std::nullopt);
  EXPECT_FALSE(Authenticator().enabled());
  EXPECT_EQ(Authenticator().authenticate("anything"), std::nullopt);
}

TEST(Authenticator, RefusesShortAndDuplicateTokensAndNames) {
  using P = std::vector<ApiPrincipal>;
  EXPECT_THROW(Authenticator(P{{"a", model::Role::kViewer, "short"}}), std::invalid_argument);
  EXPECT_THROW(Authenticator(P{{"", model::Role::kViewer, "long-enough-token-123"}}),
               std::invalid_argument);
  EXPECT_THROW(Authenticator(P{{"a", model::Role::kViewer, "long-enough-token-123"},
                               {"a", model::Role::kAdmin, "another-token-0123456"}}),
               std::invalid_argument);
  try {
    Authenticator(P{{"a", model::Role::kViewer, "long-enough-token-123"},
                    {"b", model::Role::kAdmin, "long-enough-token-123"}});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("long-enough"), std::string::npos) << e.what();
  }
}

TEST(BearerToken, SchemeAndBlanks) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bEaReR   abc \t"), "abc");
  EXPECT_EQ(bearer_token("Basic abc"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearerabc"), std::nullopt);
  EXPECT_EQ(bearer_token(""), std::nullopt);
}

}  // namespace
}  // namespace netpower::manager::http
