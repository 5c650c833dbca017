#pragma once
// The API's request handling without I/O: a parsed request in, a complete response out. The server
// (http_server.cpp) owns sockets, limits and timeouts; this owns the route table (handlers.h), the
// checks every route shares (authentication, roles, content types, body sizes) and the counters.
// Any thread: handlers read FleetState through its thread-safe accessors.

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "manager/actions/action_service.h"
#include "manager/http/auth.h"
#include "manager/http/detail/params.h"
#include "manager/http/router.h"
#include "manager/model/event_bus.h"
#include "manager/model/health.h"
#include "manager/state/fleet_state.h"
#include "manager/store/history.h"

namespace netpower::manager::http::detail {

using http::Request;
using http::Response;

struct ApiContext {
  const state::FleetState* fleet = nullptr;
  std::function<std::string()> metrics;  // the exporter's scrape
  // The legacy single token: an admin principal named "token" (docs/api.md).
  std::optional<std::string> token;
  std::vector<ApiPrincipal> principals;
  bool metrics_require_auth = false;          // GET /metrics needs a viewer
  store::StoreReader* store = nullptr;        // events and history; null: 503 (events from memory)
  model::EventSink* events = nullptr;         // POST /api/v1/notes publishes here; null: 503
  actions::ActionService* actions = nullptr;  // power actions, discovery, bindings; null: 503
  AuditHook audit;  // every answer to a state-changing route; may be empty
  std::function<model::WallTime()> now = model::wall_now;
};

// The largest `limit` /api/v1/events accepts, and its default.
inline constexpr std::size_t kMaxEventsLimit = 10000;
inline constexpr std::size_t kDefaultEventsLimit = 100;

// The route table built from a context, with its counters. Thread-safe after construction.
class Api {
 public:
  // Throws std::invalid_argument for bad principals (auth.h).
  explicit Api(ApiContext context);

  // Routes one request. Never throws (a failing handler becomes a 500). The response has its
  // status, headers and body set and its payload prepared; keep-alive is the caller's.
  Response handle(const Request& request);

  // Before the body is read, from the header alone: the answer to send at once (401; 413 for a
  // declared body beyond the route's limit) or, without one, the largest body to read (the
  // route's limit, at most `server_limit`). handle() checks everything again on the whole request.
  struct Admission {
    std::optional<Response> refusal;
    std::size_t body_limit = 0;
  };
  Admission admit(const Request& header, std::optional<std::uint64_t> content_length, bool chunked,
                  std::size_t server_limit);

  const Router& router() const { return router_; }
  const ApiContext& context() const { return context_; }
  bool authentication_enabled() const { return auth_.enabled(); }

  // Requests per route (in router().routes() order), 401s and 403s.
  std::vector<std::uint64_t> route_requests() const;
  std::uint64_t unauthorized_total() const { return unauthorized_.load(std::memory_order_relaxed); }
  std::uint64_t forbidden_total() const { return forbidden_.load(std::memory_order_relaxed); }

 private:
  Response dispatch(const Request& request);
  // The principal of the request (anonymous when the route or path needs none), or the 401.
  std::variant<model::Principal, Response> authenticate(const Request& request,
                                                        const Router::Match& match,
                                                        std::string_view path) const;
  void audit(const Route& route, const model::Principal& principal, const Request& request,
             std::string_view path, const Response& response) const;
  // The checks after authentication (role, body) and the handler.
  Response serve(const Route& route, const Router::Match& match, const model::Principal& principal,
                 const Request& request, std::string_view path, std::string_view query);

  ApiContext context_;
  Authenticator auth_;
  Router router_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> route_counts_;
  std::atomic<std::uint64_t> unauthorized_{0};
  std::atomic<std::uint64_t> forbidden_{0};
};

// One request through a table built for it (tests; the server keeps one Api).
Response handle_request(const Request& request, const ApiContext& context);

// Responses every handler uses: headers of the API (Server, Cache-Control: no-store, nosniff).
Response make_response(unsigned status, unsigned version, const char* content_type,
                       std::string body);
Response json_response(const nlohmann::json& document, unsigned version, unsigned status = 200);
// An error response with the JSON body of error_json().
Response error_response(unsigned status, std::string_view message, unsigned version = 11);

inline constexpr const char* kJsonType = "application/json";

}  // namespace netpower::manager::http::detail
