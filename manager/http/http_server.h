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

#include "manager/state/fleet_state.h"

namespace netpower::manager::http {

inline constexpr std::uint16_t kDefaultPort = 9641;

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // an IP address, v4 or v6 ("0.0.0.0", "::" for all)
  std::uint16_t port = kDefaultPort;  // 0: a free port (port() tells which)
  // When set, every /api/ route requires "Authorization: Bearer <token>" (401 otherwise);
  // /metrics and /healthz stay open.
  std::optional<std::string> token;
  unsigned threads = 1;                     // running the server's io_context
  std::size_t max_header_bytes = 8 * 1024;  // larger: 431, connection closed
  std::size_t max_body_bytes = 16 * 1024;   // larger: 413, connection closed
  std::size_t max_connections = 256;        // more are accepted and closed at once
  // A connection that does not deliver a complete request within this (keep-alive idle time
  // included) is closed; so is one that does not take a response within write_timeout.
  std::chrono::milliseconds read_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds write_timeout = std::chrono::seconds(30);
};

// Counters for the exporter. Any thread.
struct HttpServerMetrics {
  std::uint64_t connections_total = 0;
  std::uint64_t connections_open = 0;
  std::uint64_t connections_refused_total = 0;  // beyond max_connections
  std::uint64_t requests_total = 0;
  std::uint64_t unauthorized_total = 0;  // 401s
  std::uint64_t bad_requests_total = 0;  // unparsable or oversized requests
};

class HttpServer {
 public:
  using ScrapeFn = std::function<std::string()>;

  // Binds and listens at once; throws std::system_error naming the address when it cannot (a
  // start-up error). `fleet` must outlive the server; `scrape` is called on a server thread for
  // every GET /metrics and returns the exposition text.
  HttpServer(HttpServerOptions options, const state::FleetState& fleet, ScrapeFn scrape);
  // stop().
  ~HttpServer();
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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};
using HttpServerPtr = std::unique_ptr<HttpServer>;

}  // namespace netpower::manager::http
