#pragma once
// netpower-manager's HTTP server (docs/api.md): the JSON API, /metrics for Prometheus and /healthz,
// HTTP/1.1 with keep-alive on Boost.Beast, on its own io_context and threads. Bounded in every
// dimension a client controls: request header and body sizes, the time to deliver a request, the
// time to take a response, the number of connections.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "manager/actions/action_service.h"
#include "manager/http/auth.h"
#include "manager/http/router.h"
#include "manager/model/event_bus.h"
#include "manager/model/health.h"
#include "manager/state/fleet_state.h"
#include "manager/store/history.h"

namespace netpower::manager::http {

inline constexpr std::uint16_t kDefaultPort = 9641;

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // an IP address, v4 or v6 ("0.0.0.0", "::" for all)
  std::uint16_t port = kDefaultPort;  // 0: a free port (port() tells which)
  // Who may use the API, each with a bearer token and a role (docs/api.md). None (and no `token`):
  // the API is open for reading and refuses every state-changing route (403).
  std::vector<ApiPrincipal> principals;
  // The old single token: an admin principal named "token" beside `principals`.
  std::optional<std::string> token;
  // GET /metrics requires a viewer's token (open by default: Prometheus on loopback).
  bool metrics_require_auth = false;
  // Not owned; must outlive the server. Null store: history answers 503 and events come from the
  // state's recent events; null events: POST /api/v1/notes answers 503.
  store::StoreReader* store = nullptr;
  model::EventSink* events = nullptr;
  // Not owned; must outlive the server. Null: the power actions' routes (/api/v1/actions,
  // /api/v1/discoveries, /api/v1/bindings, /api/v1/hosts) answer 503.
  actions::ActionService* actions = nullptr;
  // Told of every answer to a state-changing route (router.h); empty: nobody.
  AuditHook audit;
  unsigned threads = 1;                     // running the server's io_context
  std::size_t max_header_bytes = 8 * 1024;  // larger: 431, connection closed
  std::size_t max_body_bytes = 16 * 1024;   // larger: 413, connection closed
  // Connections (docs/api.md, Limits): more are accepted and closed at once, counted per reason
  // and logged (rate-limited). One source address holds at most max_connections_per_client; the
  // last reserved_connections slots go only to an address that holds none, so that no client can
  // take every slot. (reserved is kept below max_connections, per client at most all of them.)
  std::size_t max_connections = 256;
  std::size_t max_connections_per_client = 32;
  std::size_t reserved_connections = 16;
  // A connection is closed when no request begins within idle_timeout (after it opened or after
  // the previous response), when a request's header is not complete within header_timeout of its
  // first byte or the whole request within read_timeout, and when a response is not taken within
  // write_timeout.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(15);
  std::chrono::milliseconds header_timeout = std::chrono::seconds(10);
  std::chrono::milliseconds read_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds write_timeout = std::chrono::seconds(30);
  // Of requests sent without waiting for the answers (pipelining), this many are answered; the
  // last of them with Connection: close when more are waiting. Likewise the last request a
  // connection may carry in all.
  std::size_t max_pipelined_requests = 16;
  std::size_t max_requests_per_connection = 1000;
};

// Counters for the exporter. Any thread.
struct HttpServerMetrics {
  std::uint64_t connections_total = 0;
  std::uint64_t connections_open = 0;
  std::uint64_t connections_refused_total = 0;  // all reasons; by reason:
  std::uint64_t refused_max_connections = 0;    // every slot taken
  std::uint64_t refused_per_client = 0;         // the address holds max_connections_per_client
  std::uint64_t refused_reserved = 0;           // only reserved slots left; the address holds some
  std::uint64_t refused_stopping = 0;
  // Connections closed by a timeout: no request began (idle), the header or the request was not
  // complete, the response was not taken.
  std::uint64_t idle_timeouts_total = 0;
  std::uint64_t header_timeouts_total = 0;
  std::uint64_t read_timeouts_total = 0;
  std::uint64_t write_timeouts_total = 0;
  // Connections closed at max_pipelined_requests or max_requests_per_connection.
  std::uint64_t request_limit_closes_total = 0;
  std::uint64_t requests_total = 0;
  std::uint64_t unauthorized_total = 0;  // 401s
  std::uint64_t forbidden_total = 0;     // 403s
  std::uint64_t bad_requests_total = 0;  // unparsable or oversized requests
};

class HttpServer final : public model::HealthSource {
 public:
  using ScrapeFn = std::function<std::string()>;

  // Binds and listens at once; throws std::system_error naming the address when it cannot, and
  // std::invalid_argument for bad principals (short or duplicate tokens, duplicate names): start-up
  // errors. `fleet` must outlive the server; `scrape` is called on a server thread for every
  // GET /metrics and returns the exposition text.
  HttpServer(HttpServerOptions options, const state::FleetState& fleet, ScrapeFn scrape);
  // stop().
  ~HttpServer() override;
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Starts the threads that serve; call once.
  void start();
  // Stops accepting, closes every connection (idle or busy; a response being written is cut),
  // joins the threads. Idempotent; any thread but a server thread.
  void stop();

  // The bound address and port ("127.0.0.1", 41234).
  std::string address() const;
  std::uint16_t port() const;
  HttpServerMetrics metrics() const;
  // netpower_http_*: the counters of metrics() and requests per route (label `route`,
  // "GET /api/v1/status"). Any thread.
  void write_health(model::HealthWriter& out) const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};
using HttpServerPtr = std::unique_ptr<HttpServer>;

}  // namespace netpower::manager::http
