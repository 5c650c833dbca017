#include "manager/http/detail/api.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include <charconv>
#include <exception>
#include <map>
#include <variant>

#include "manager/http/status_json.h"

namespace netpower::manager::http::detail {

namespace beast_http = boost::beast::http;

namespace {

constexpr const char* kServerName = "netpower-manager";
constexpr const char* kJsonType = "application/json";
constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kTextType = "text/plain; charset=utf-8";
constexpr std::string_view kAgentsPrefix = "/api/v1/agents/";

Response make_response(unsigned status, unsigned version, const char* content_type,
                       std::string body) {
  Response response{static_cast<beast_http::status>(status), version};
  response.set(beast_http::field::server, kServerName);
  response.set(beast_http::field::content_type, content_type);
  response.set(beast_http::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_response(const nlohmann::json& document, unsigned version) {
  return make_response(200, version, kJsonType, dump(document));
}

// The token of "Authorization: Bearer <token>" (scheme case-insensitive, RFC 6750 2.1); nullopt
// when the header is absent or of another scheme.
std::optional<std::string_view> bearer_token(const Request& request) {
  const auto it = request.find(beast_http::field::authorization);
  if (it == request.end()) {
    return std::nullopt;
  }
  std::string_view value(it->value().data(), it->value().size());
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() || value[kScheme.size()] != ' ') {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char c = value[i];
    if ((c | 0x20) != kScheme[i]) {
      return std::nullopt;
    }
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  return value;
}

// Nullopt when the request may go on, else the 401 to send.
std::optional<Response> check_token(const Request& request, const ApiContext& context) {
  if (!context.token) {
    return std::nullopt;
  }
  const auto given = bearer_token(request);
  if (given && constant_time_equal(*given, *context.token)) {
    return std::nullopt;
  }
  Response response = error_response(
      401, given ? "invalid bearer token" : "this API requires Authorization: Bearer <token>",
      request.version());
  response.set(beast_http::field::www_authenticate,
               given ? R"(Bearer realm="netpower-manager", error="invalid_token")"
                     : R"(Bearer realm="netpower-manager")");
  return response;
}

using Query = std::map<std::string, std::string>;

// "a=1&b=x%20y" -> {a: 1, b: "x y"}; an error text for a malformed or repeated parameter.
std::variant<Query, std::string> parse_query(std::string_view text) {
  Query query;
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    const auto eq = pair.find('=');
    const auto key = percent_decode(pair.substr(0, eq));
    const auto value =
        percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!key || !value) {
      return std::string("malformed percent-encoding in the query");
    }
    if (!query.emplace(*key, *value).second) {
      return "query parameter '" + *key + "' given twice";
    }
  }
  return query;
}

Response events(const Request& request, std::string_view query_text, const ApiContext& context) {
  auto parsed = parse_query(query_text);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    return error_response(400, *error, request.version());
  }
  const Query& query = std::get<Query>(parsed);
  std::size_t limit = kDefaultEventsLimit;
  std::string agent;
  for (const auto& [key, value] : query) {
    if (key == "limit") {
      std::size_t n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size() || n == 0 ||
          n > kMaxEventsLimit) {
        return error_response(400,
                              "limit must be a whole number from 1 to " +
                                  std::to_string(kMaxEventsLimit) + ", not '" + value + "'",
                              request.version());
      }
      limit = n;
    } else if (key == "agent") {
      if (value.empty()) {
        return error_response(400, "agent must not be empty", request.version());
      }
      agent = value;
    } else {
      return error_response(400, "unknown query parameter '" + key + "' (limit, agent)",
                            request.version());
    }
  }
  return json_response(events_json(context.fleet->recent_events(limit, agent), context.now()),
                       request.version());
}

enum class Route { kNone, kMetrics, kHealth, kStatus, kAgent, kEvents, kOtherApi };

Route route_of(std::string_view path) {
  if (path == "/metrics") return Route::kMetrics;
  if (path == "/healthz") return Route::kHealth;
  if (path == "/api/v1/status") return Route::kStatus;
  if (path == "/api/v1/events") return Route::kEvents;
  if (path.size() > kAgentsPrefix.size() && path.substr(0, kAgentsPrefix.size()) == kAgentsPrefix &&
      path.find('/', kAgentsPrefix.size()) == std::string_view::npos) {
    return Route::kAgent;
  }
  if (path == "/api" || path.substr(0, 5) == "/api/") return Route::kOtherApi;
  return Route::kNone;
}

Response route(const Request& request, const ApiContext& context) {
  const std::string_view target(request.target().data(), request.target().size());
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  const unsigned version = request.version();

  const Route which = route_of(path);
  if (which == Route::kNone) {
    return error_response(404, "no such resource: " + std::string(path), version);
  }
  if (which != Route::kMetrics && which != Route::kHealth) {
    if (auto refused = check_token(request, context)) {
      return std::move(*refused);
    }
  }
  if (which == Route::kOtherApi) {
    return error_response(404, "no such resource: " + std::string(path), version);
  }
  if (request.method() != beast_http::verb::get) {
    Response response = error_response(
        405, "method " + std::string(request.method_string()) + " not allowed; use GET", version);
    response.set(beast_http::field::allow, "GET");
    return response;
  }

  switch (which) {
    case Route::kMetrics:
      return make_response(200, version, kMetricsType, context.metrics());
    case Route::kHealth:
      return make_response(200, version, kTextType, "ok\n");
    case Route::kStatus:
      return json_response(status_json(context.fleet->agents(),
                                       context.fleet->unknown_source_traps(), context.now()),
                           version);
    case Route::kAgent: {
      const auto name = percent_decode(path.substr(kAgentsPrefix.size()), false);
      if (!name) {
        return error_response(400, "malformed percent-encoding in the agent name", version);
      }
      const auto agent = context.fleet->agent(*name);
      if (!agent) {
        return error_response(404, "no agent named '" + *name + "'", version);
      }
      return json_response(agent_document(*agent, context.now()), version);
    }
    case Route::kEvents:
      return events(request, query, context);
    case Route::kNone:
    case Route::kOtherApi:
      break;
  }
  return error_response(404, "no such resource", version);
}

}  // namespace

Response error_response(unsigned status, std::string_view message, unsigned version) {
  return make_response(status, version, kJsonType, dump(error_json(status, message)));
}

Response handle_request(const Request& request, const ApiContext& context) {
  try {
    return route(request, context);
  } catch (const std::exception& e) {
    return error_response(500, std::string("internal error: ") + e.what(), request.version());
  }
}

bool constant_time_equal(std::string_view given, std::string_view expected) {
  // Runs over `expected` whatever `given` is: the time depends on the token's length only.
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= static_cast<unsigned char>(g ^ static_cast<unsigned char>(expected[i]));
  }
  return diff == 0;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      const int high = hex(text[i + 1]);
      const int low = hex(text[i + 2]);
      if (high < 0 || low < 0) {
        return std::nullopt;
      }
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace netpower::manager::http::detail
