#pragma once
// The API's request handling without I/O: a parsed request in, a complete response out. The server
// (http_server.cpp) owns sockets, limits and timeouts; this owns routes, authentication and
// documents. Any thread: it reads FleetState through its thread-safe accessors.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "manager/state/fleet_state.h"
#include "manager/store/store.h"

namespace netpower::manager::http::detail {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct ApiContext {
  const state::FleetState* fleet = nullptr;
  std::function<std::string()> metrics;  // the exporter's scrape
  std::optional<std::string> token;      // required on /api/ when set
  std::function<model::WallTime()> now = model::wall_now;
};

// The largest `limit` /api/v1/events accepts, and its default.
inline constexpr std::size_t kMaxEventsLimit = 10000;
inline constexpr std::size_t kDefaultEventsLimit = 100;

// Routes one request. Never throws (a failing scrape becomes a 500). The response has its status,
// headers and body set and its payload prepared; keep-alive is the caller's.
Response handle_request(const Request& request, const ApiContext& context);

// An error response with the JSON body of error_json().
Response error_response(unsigned status, std::string_view message, unsigned version = 11);

// Equality whose time does not depend on where `given` differs from `expected` (a bearer token).
bool constant_time_equal(std::string_view given, std::string_view expected);

// "%41b+c" -> "Ab c" ('+' stays '+' unless `plus_is_space`, as in a query); nullopt for a malformed
// escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = true);

}  // namespace netpower::manager::http::detail
