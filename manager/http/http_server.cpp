#include "manager/http/http_server.h"

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

#include "manager/http/connection_limits.h"
#include "manager/http/detail/api.h"
#include "manager/http/log_redaction.h"

namespace netpower::manager::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

class Session;

// After an error response the connection closes; the client may still be sending (an oversized
// request). Closing a socket with unread input makes the kernel send a reset, which can destroy
// the response before the client reads it, so the server stops sending, reads and discards for a
// moment, then closes (a "lingering close").
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 256 * 1024;
// Read at once when waiting for a request's first bytes.
constexpr std::size_t kFirstReadBytes = 4096;

// Every token the server knows: none of them may reach the log.
std::vector<std::string> secrets_of(const HttpServerOptions& options) {
  std::vector<std::string> out;
  if (options.token) out.push_back(*options.token);
  for (const auto& p : options.principals) out.push_back(p.token);
  return out;
}

// Everything the server's threads share; outlives them.
struct ServerCore {
  ServerCore(HttpServerOptions opts, const state::FleetState& fleet, HttpServer::ScrapeFn scrape)
      : options(std::move(opts)),
        api(api_context(options, fleet, std::move(scrape))),
        limits(ConnectionLimitSettings::fitted(options.max_connections,
                                               options.max_connections_per_client,
                                               options.reserved_connections)),
        secrets(secrets_of(options)),
        acceptor(net::make_strand(io)) {}

  static detail::ApiContext api_context(const HttpServerOptions& options,
                                        const state::FleetState& fleet,
                                        HttpServer::ScrapeFn scrape) {
    detail::ApiContext context;
    context.fleet = &fleet;
    context.metrics = std::move(scrape);
    context.token = options.token;
    context.principals = options.principals;
    context.metrics_require_auth = options.metrics_require_auth;
    context.store = options.store;
    context.events = options.events;
    context.actions = options.actions;
    context.audit = options.audit;
    return context;
  }

  void listen();
  void accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void unregister(Session* session, const std::string& client) {
    {
      std::lock_guard lock(mutex);
      sessions.erase(session);
    }
    limits.release(client);
    connections_open.fetch_sub(1, std::memory_order_relaxed);
  }
  static void count(std::atomic<std::uint64_t>& counter) {
    counter.fetch_add(1, std::memory_order_relaxed);
  }
  bool stopping() const { return stopping_flag.load(std::memory_order_acquire); }

  HttpServerOptions options;
  detail::Api api;
  ConnectionLimits limits;
  const std::vector<std::string> secrets;

  // Declared before the io_context: handlers it destroys unregister their sessions here.
  std::mutex mutex;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  bool stopped = false;
  std::atomic<bool> stopping_flag{false};

  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> idle_timeouts_total{0};
  std::atomic<std::uint64_t> header_timeouts_total{0};
  std::atomic<std::uint64_t> read_timeouts_total{0};
  std::atomic<std::uint64_t> write_timeouts_total{0};
  std::atomic<std::uint64_t> request_limit_closes_total{0};
  std::atomic<std::uint64_t> requests_total{0};
  std::atomic<std::uint64_t> unauthorized_total{0};
  std::atomic<std::uint64_t> forbidden_total{0};
  std::atomic<std::uint64_t> bad_requests_total{0};

  net::io_context io;
  tcp::acceptor acceptor;
  std::unique_ptr<net::steady_timer> retry_timer;
  tcp::endpoint bound;
  std::vector<std::thread> threads;
};

// One connection. Lives while an operation is pending (the handlers hold shared_from_this); all of
// its handlers run on its own strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  // `client`: the address admitted by the server's limits; released at destruction.
  Session(tcp::socket socket, ServerCore& server, std::string client, const tcp::endpoint& remote)
      : stream_(std::move(socket)),
        server_(server),
        client_(std::move(client)),
        remote_(remote.address().to_string() + ":" + std::to_string(remote.port())) {}
  ~Session() { server_.unregister(this, client_); }

  void start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::read, shared_from_this()));
  }

  // From any thread: closes the connection on its strand; the pending operation ends.
  void close() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->close_now(); });
  }

 private:
  enum class Phase { kIdle, kHeader, kBody, kWrite, kOther };

  // Waits (up to idle_timeout) for the first bytes of the next request unless they are here.
  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    if (buffer_.size() > 0) {
      ++burst_;  // sent before the previous answer went out
      read_header();
      return;
    }
    burst_ = more_waiting() ? burst_ + 1 : 1;
    phase_ = Phase::kIdle;
    stream_.expires_after(server_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (self->closed_) return;
                              if (ec) {
                                self->on_read(ec, 0);
                                return;
                              }
                              self->buffer_.commit(n);
                              self->read_header();
                            });
  }

  void read_header() {
    phase_ = Phase::kHeader;
    request_started_ = std::chrono::steady_clock::now();
    stream_.expires_at(std::min(request_started_ + server_.options.header_timeout,
                                request_started_ + server_.options.read_timeout));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  // The target for the log: never a token (log_redaction.h).
  std::string target_for_log(const bhttp::request<bhttp::string_body>& request) const {
    return loggable_target(std::string_view(request.target().data(), request.target().size()),
                           server_.secrets);
  }

  void count_timeout() {
    switch (phase_) {
      case Phase::kIdle:
        ServerCore::count(server_.idle_timeouts_total);
        break;
      case Phase::kHeader:
        ServerCore::count(server_.header_timeouts_total);
        break;
      case Phase::kBody:
        ServerCore::count(server_.read_timeouts_total);
        break;
      case Phase::kWrite:
        ServerCore::count(server_.write_timeouts_total);
        break;
      case Phase::kOther:
        break;
    }
    spdlog::debug("http {} closed: {} timeout", remote_,
                  phase_ == Phase::kIdle     ? "idle"
                  : phase_ == Phase::kHeader ? "header"
                  : phase_ == Phase::kBody   ? "read"
                                             : "write");
  }

  // Bytes of a next request, read or still in the socket.
  bool more_waiting() {
    beast::error_code ignored;
    return buffer_.size() > 0 || stream_.socket().available(ignored) > 0;
  }

  // Whether the connection may serve another request after this one: not when this one ends a
  // burst of max_pipelined_requests and more is waiting, nor after max_requests_per_connection.
  bool may_continue() {
    ++served_;
    const bool pipelining = burst_ >= server_.options.max_pipelined_requests && more_waiting();
    if (pipelining || served_ >= server_.options.max_requests_per_connection) {
      ServerCore::count(server_.request_limit_closes_total);
      spdlog::debug("http {}: {} request(s), {} in this burst: closing after this answer", remote_,
                    served_, burst_);
      return false;
    }
    return true;
  }

  // The header is in: refuse at once what needs no body to refuse (401, a declared body beyond
  // the route's limit), so that such a client never makes the server read its body; otherwise
  // read the body within the route's limit.
  void on_header(beast::error_code ec, std::size_t bytes) {
    if (closed_ || ec) {
      on_read(ec, bytes);
      return;
    }
    const auto declared = parser_->content_length();
    auto admission = server_.api.admit(
        parser_->get(), declared ? std::optional<std::uint64_t>(*declared) : std::nullopt,
        parser_->chunked(), server_.options.max_body_bytes);
    if (!admission.refusal) {
      phase_ = Phase::kBody;
      stream_.expires_at(request_started_ + server_.options.read_timeout);
      parser_->body_limit(admission.body_limit);
      bhttp::async_read(stream_, buffer_, *parser_,
                        beast::bind_front_handler(&Session::on_read, shared_from_this()));
      return;
    }
    server_.requests_total.fetch_add(1, std::memory_order_relaxed);
    count_refusal(admission.refusal->result_int());
    const auto& request = parser_->get();
    spdlog::debug("http {} \"{} {}\" {} before the body", remote_,
                  std::string_view(request.method_string().data(), request.method_string().size()),
                  target_for_log(request), admission.refusal->result_int());
    // A body that follows unread ends the connection (after a lingering close).
    const bool close_after = !parser_->is_done() || !request.keep_alive() || server_.stopping();
    respond(std::move(*admission.refusal), close_after);
  }

  void count_refusal(unsigned status) {
    if (status == 401) {
      server_.unauthorized_total.fetch_add(1, std::memory_order_relaxed);
    } else if (status == 403) {
      server_.forbidden_total.fetch_add(1, std::memory_order_relaxed);
    }
  }

  void on_read(beast::error_code ec, std::size_t /*bytes*/) {
    if (closed_) {
      return;
    }
    if (ec) {
      if (ec == bhttp::error::header_limit || ec == bhttp::error::body_limit ||
          (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
           ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)) {
        server_.bad_requests_total.fetch_add(1, std::memory_order_relaxed);
        const unsigned status = ec == bhttp::error::header_limit ? 431
                                : ec == bhttp::error::body_limit ? 413
                                                                 : 400;
        spdlog::debug("http {} refused: {} -> {}", remote_, ec.message(), status);
        respond(detail::error_response(status, "bad request: " + ec.message()), true);
        return;
      }
      // end_of_stream (the client closed between requests), timeout, reset, stop(): nothing
      // to answer.
      if (ec == beast::error::timeout) count_timeout();
      close_now();
      return;
    }
    server_.requests_total.fetch_add(1, std::memory_order_relaxed);
    const auto& request = parser_->get();
    const auto started = std::chrono::steady_clock::now();
    detail::Response response = server_.api.handle(request);
    const bool keep_alive = request.keep_alive() && !server_.stopping() && may_continue();
    count_refusal(response.result_int());
    // The target (credentials redacted) and the status, never the headers: the token travels in
    // Authorization.
    spdlog::debug(
        "http {} \"{} {}\" {} {} bytes {:.3f} ms", remote_,
        std::string_view(request.method_string().data(), request.method_string().size()),
        target_for_log(request), response.result_int(), response.body().size(),
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
    respond(std::move(response), !keep_alive);
  }

  void respond(detail::Response response, bool close_after) {
    response_ = std::move(response);  // the write refers to it until it completes
    response_.keep_alive(!close_after);
    phase_ = Phase::kWrite;
    stream_.expires_after(server_.options.write_timeout);
    bhttp::async_write(stream_, response_,
                       [self = shared_from_this(), close_after](beast::error_code ec, std::size_t) {
                         self->on_write(ec, close_after);
                       });
  }

  void on_write(beast::error_code ec, bool close_after) {
    if (closed_) {
      return;
    }
    if (ec || server_.stopping()) {
      if (ec == beast::error::timeout) count_timeout();
      close_now();
      return;
    }
    phase_ = Phase::kOther;
    if (close_after) {
      linger();
      return;
    }
    read();
  }

  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    drain();
  }

  void drain() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->closed_ || self->drained_ > kLingerBytes) {
                                self->close_now();
                                return;
                              }
                              self->drain();
                            });
  }

  void close_now() {
    if (closed_) {
      return;
    }
    closed_ = true;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  ServerCore& server_;
  const std::string client_;  // the address, as the limits count it
  const std::string remote_;  // address:port, for the log
  beast::flat_buffer buffer_;
  Phase phase_ = Phase::kOther;
  std::chrono::steady_clock::time_point request_started_;
  std::size_t burst_ = 0;  // requests in a row, each sent before the previous answer
  std::size_t served_ = 0;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  detail::Response response_;
  std::array<char, 4096> scratch_{};
  std::size_t drained_ = 0;
  bool closed_ = false;
};

}  // namespace

struct HttpServer::Impl : ServerCore {
  using ServerCore::ServerCore;
};

void ServerCore::listen() {
  beast::error_code ec;
  const auto address = net::ip::make_address(options.address, ec);
  const std::string where = "http://" + options.address + ":" + std::to_string(options.port);
  if (ec) {
    throw std::system_error(std::error_code(ec),
                            "cannot listen on " + where + ": not an IP address");
  }
  const tcp::endpoint endpoint(address, options.port);
  const auto check = [&](const char* what) {
    if (ec) {
      throw std::system_error(std::error_code(ec), "cannot listen on " + where + " (" + what + ")");
    }
  };
  acceptor.open(endpoint.protocol(), ec);
  check("socket");
  acceptor.set_option(net::socket_base::reuse_address(true), ec);
  check("SO_REUSEADDR");
  acceptor.bind(endpoint, ec);
  check("bind");
  acceptor.listen(net::socket_base::max_listen_connections, ec);
  check("listen");
  bound = acceptor.local_endpoint(ec);
  check("getsockname");
  retry_timer = std::make_unique<net::steady_timer>(acceptor.get_executor());
}

void ServerCore::accept() {
  acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void ServerCore::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || stopping() || !acceptor.is_open()) {
    return;
  }
  if (ec) {
    // Out of file descriptors, most likely: wait a little rather than spin.
    spdlog::warn("http: accept failed: {}", ec.message());
    retry_timer->expires_after(std::chrono::milliseconds(100));
    retry_timer->async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping()) {
        accept();
      }
    });
    return;
  }
  std::shared_ptr<Session> session;
  beast::error_code remote_ec;
  const auto remote = socket.remote_endpoint(remote_ec);
  // A connection reset before it was accepted has no address: nothing to serve.
  const std::string client = remote_ec ? std::string() : client_key(remote.address());
  if (!remote_ec && limits.admit(client) == Refusal::kNone) {
    std::lock_guard lock(mutex);
    if (stopped) {
      limits.release(client);
    } else {
      session = std::make_shared<Session>(std::move(socket), *this, client, remote);
      sessions.emplace(session.get(), session);
      connections_total.fetch_add(1, std::memory_order_relaxed);
      connections_open.fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (session) {
    session->start();
  } else {
    beast::error_code ignored;
    socket.close(ignored);
  }
  accept();
}

HttpServer::HttpServer(HttpServerOptions options, const state::FleetState& fleet, ScrapeFn scrape)
    : impl_(std::make_unique<Impl>(std::move(options), fleet, std::move(scrape))) {
  impl_->listen();
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  if (!impl_->threads.empty()) {
    return;
  }
  net::post(impl_->acceptor.get_executor(), [impl = impl_.get()] { impl->accept(); });
  const unsigned count = impl_->options.threads == 0 ? 1 : impl_->options.threads;
  for (unsigned i = 0; i < count; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] { impl->io.run(); });
  }
}

void HttpServer::stop() {
  std::vector<std::weak_ptr<Session>> sessions;
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) {
      return;
    }
    impl_->stopped = true;
    impl_->stopping_flag.store(true, std::memory_order_release);
    impl_->limits.stop();
    for (const auto& [ptr, weak] : impl_->sessions) {
      sessions.push_back(weak);
    }
  }
  net::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->retry_timer->cancel();
  });
  for (const auto& weak : sessions) {
    if (auto session = weak.lock()) {
      session->close();
    }
  }
  for (auto& thread : impl_->threads) {
    thread.join();
  }
}

std::string HttpServer::address() const { return impl_->bound.address().to_string(); }

std::uint16_t HttpServer::port() const { return impl_->bound.port(); }

HttpServerMetrics HttpServer::metrics() const {
  HttpServerMetrics m;
  m.connections_total = impl_->connections_total.load(std::memory_order_relaxed);
  m.connections_open = impl_->connections_open.load(std::memory_order_relaxed);
  m.connections_refused_total = impl_->limits.refused_total();
  m.refused_max_connections = impl_->limits.refused(Refusal::kMaxConnections);
  m.refused_per_client = impl_->limits.refused(Refusal::kPerClient);
  m.refused_reserved = impl_->limits.refused(Refusal::kReserved);
  m.refused_stopping = impl_->limits.refused(Refusal::kStopping);
  const auto load = [](const std::atomic<std::uint64_t>& n) {
    return n.load(std::memory_order_relaxed);
  };
  m.idle_timeouts_total = load(impl_->idle_timeouts_total);
  m.header_timeouts_total = load(impl_->header_timeouts_total);
  m.read_timeouts_total = load(impl_->read_timeouts_total);
  m.write_timeouts_total = load(impl_->write_timeouts_total);
  m.request_limit_closes_total = load(impl_->request_limit_closes_total);
  m.requests_total = impl_->requests_total.load(std::memory_order_relaxed);
  m.unauthorized_total = impl_->unauthorized_total.load(std::memory_order_relaxed);
  m.bad_requests_total = impl_->bad_requests_total.load(std::memory_order_relaxed);
  m.forbidden_total = impl_->forbidden_total.load(std::memory_order_relaxed);
  return m;
}

void HttpServer::write_health(model::HealthWriter& out) const {
  const auto m = metrics();
  out.counter("netpower_http_connections_total", "HTTP connections accepted",
              static_cast<double>(m.connections_total));
  out.gauge("netpower_http_connections_open", "HTTP connections open now",
            static_cast<double>(m.connections_open));
  const std::pair<const char*, std::uint64_t> refused[] = {
      {"max_connections", m.refused_max_connections},
      {"per_client", m.refused_per_client},
      {"reserved", m.refused_reserved},
      {"stopping", m.refused_stopping}};
  for (const auto& [reason, n] : refused) {
    out.counter("netpower_http_connections_refused_total",
                "HTTP connections closed at once: every slot taken (max_connections), the "
                "address holds its share (per_client), only reserved slots left (reserved), "
                "stopping",
                static_cast<double>(n), {{"reason", reason}});
  }
  const std::pair<const char*, std::uint64_t> timeouts[] = {{"idle", m.idle_timeouts_total},
                                                            {"header", m.header_timeouts_total},
                                                            {"read", m.read_timeouts_total},
                                                            {"write", m.write_timeouts_total}};
  for (const auto& [phase, n] : timeouts) {
    out.counter("netpower_http_connection_timeouts_total",
                "HTTP connections closed by a timeout: no request began (idle), the header or "
                "the request was not complete in time (header, read), the answer not taken "
                "(write)",
                static_cast<double>(n), {{"phase", phase}});
  }
  out.counter("netpower_http_request_limit_closes_total",
              "HTTP connections closed at max_pipelined_requests or max_requests_per_connection",
              static_cast<double>(m.request_limit_closes_total));
  out.counter("netpower_http_requests_total", "HTTP requests answered",
              static_cast<double>(m.requests_total));
  out.counter("netpower_http_unauthorized_total",
              "HTTP requests refused with 401 (no or a wrong bearer token)",
              static_cast<double>(m.unauthorized_total));
  out.counter("netpower_http_forbidden_total",
              "HTTP requests refused with 403 (the principal's role is too low)",
              static_cast<double>(m.forbidden_total));
  out.counter("netpower_http_bad_requests_total",
              "HTTP requests unparsable or beyond the header or body limits",
              static_cast<double>(m.bad_requests_total));
  const auto& routes = impl_->api.router().routes();
  const auto counts = impl_->api.route_requests();
  for (std::size_t i = 0; i < routes.size(); ++i) {
    out.counter("netpower_http_route_requests_total",
                "HTTP requests that reached a route, authenticated where it needs a principal",
                static_cast<double>(counts[i]),
                {{"route", std::string(boost::beast::http::to_string(routes[i].method)) + " " +
                               routes[i].pattern}});
  }
}

}  // namespace netpower::manager::http
