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

#include "manager/http/detail/api.h"

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

// Everything the server's threads share; outlives them.
struct ServerCore {
  ServerCore(HttpServerOptions opts, const state::FleetState& fleet, HttpServer::ScrapeFn scrape)
      : options(std::move(opts)),
        api(api_context(options, fleet, std::move(scrape))),
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
  void unregister(Session* session) {
    std::lock_guard lock(mutex);
    sessions.erase(session);
    connections_open.fetch_sub(1, std::memory_order_relaxed);
  }
  bool stopping() const { return stopping_flag.load(std::memory_order_acquire); }

  HttpServerOptions options;
  detail::Api api;

  // Declared before the io_context: handlers it destroys unregister their sessions here.
  std::mutex mutex;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  bool stopped = false;
  std::atomic<bool> stopping_flag{false};

  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_refused_total{0};
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
  Session(tcp::socket socket, ServerCore& server) : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    remote_ =
        ec ? std::string("?") : remote.address().to_string() + ":" + std::to_string(remote.port());
  }
  ~Session() { server_.unregister(this); }

  void start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::read, shared_from_this()));
  }

  // From any thread: closes the connection on its strand; the pending operation ends.
  void close() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->close_now(); });
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    stream_.expires_after(server_.options.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::on_header, shared_from_this()));
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
                  std::string_view(request.target().data(), request.target().size()),
                  admission.refusal->result_int());
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
      close_now();
      return;
    }
    server_.requests_total.fetch_add(1, std::memory_order_relaxed);
    const auto& request = parser_->get();
    const auto started = std::chrono::steady_clock::now();
    detail::Response response = server_.api.handle(request);
    const bool keep_alive = request.keep_alive() && !server_.stopping();
    count_refusal(response.result_int());
    // The target and the status, never the headers: the token travels in Authorization.
    spdlog::debug(
        "http {} \"{} {}\" {} {} bytes {:.3f} ms", remote_,
        std::string_view(request.method_string().data(), request.method_string().size()),
        std::string_view(request.target().data(), request.target().size()), response.result_int(),
        response.body().size(),
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
    respond(std::move(response), !keep_alive);
  }

  void respond(detail::Response response, bool close_after) {
    response_ = std::move(response);  // the write refers to it until it completes
    response_.keep_alive(!close_after);
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
      close_now();
      return;
    }
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
  std::string remote_;
  beast::flat_buffer buffer_;
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
  {
    std::lock_guard lock(mutex);
    if (stopped || sessions.size() >= options.max_connections) {
      connections_refused_total.fetch_add(1, std::memory_order_relaxed);
    } else {
      session = std::make_shared<Session>(std::move(socket), *this);
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
  m.connections_refused_total = impl_->connections_refused_total.load(std::memory_order_relaxed);
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
  out.counter("netpower_http_connections_refused_total",
              "HTTP connections closed at once, beyond max_connections",
              static_cast<double>(m.connections_refused_total));
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
