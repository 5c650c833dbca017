#include "manager/ctl/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <charconv>

namespace netpower::ctl {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kDefaultPort = "9641";
constexpr std::size_t kMaxReplyBytes = 256 * 1024 * 1024;

std::error_code to_std(const beast::error_code& ec) {
  if (ec == beast::error::timeout) {
    return std::make_error_code(std::errc::timed_out);
  }
  if (ec.category() == boost::system::system_category() ||
      ec.category() == boost::system::generic_category()) {
    return std::error_code(ec.value(), std::generic_category());
  }
  return std::error_code(ec);
}

}  // namespace

std::string ManagerUrl::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + port + base_path;
}

std::optional<ManagerUrl> parse_manager_url(std::string_view text, std::string& error) {
  std::string_view rest = text;
  if (const auto scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
    const std::string_view scheme = rest.substr(0, scheme_end);
    if (scheme == "https") {
      error =
          "https is not supported by netpowerctl; reach the manager over http (loopback or an "
          "SSH tunnel)";
      return std::nullopt;
    }
    if (scheme != "http") {
      error = "the manager's URL must start with http://, not '" + std::string(scheme) + "://'";
      return std::nullopt;
    }
    rest.remove_prefix(scheme_end + 3);
  }
  ManagerUrl url;
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    if (path.find_first_of("?#") != std::string_view::npos) {
      error = "the manager's URL may not carry a query or fragment";
      return std::nullopt;
    }
    while (!path.empty() && path.back() == '/') {
      path.remove_suffix(1);
    }
    url.base_path = std::string(path);
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "unbalanced '[' in the manager's URL";
      return std::nullopt;
    }
    url.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error = "unexpected text after ']' in the manager's URL";
        return std::nullopt;
      }
      port = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
    }
  }
  if (url.host.empty() || authority.find('@') != std::string_view::npos) {
    error = "no host in the manager's URL '" + std::string(text) + "'";
    return std::nullopt;
  }
  if (port.empty()) {
    port = kDefaultPort;
  }
  unsigned number = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (ec != std::errc() || end != port.data() + port.size() || number == 0 || number > 65535) {
    error = "bad port '" + std::string(port) + "' in the manager's URL";
    return std::nullopt;
  }
  url.port = std::to_string(number);
  return url;
}

namespace {

HttpOutcome exchange(const ManagerUrl& url, bhttp::verb method, std::string_view target,
                     std::optional<std::string> json_body, const std::optional<std::string>& token,
                     std::chrono::milliseconds timeout) {
  net::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> request{method, url.base_path + std::string(target), 11};
  if (json_body) {
    request.set(bhttp::field::content_type, "application/json");
    request.body() = std::move(*json_body);
    request.prepare_payload();
  }
  request.set("X-Netpower-Client", "netpowerctl");
  const bool v6 = url.host.find(':') != std::string::npos;
  request.set(bhttp::field::host, (v6 ? "[" + url.host + "]" : url.host) + ":" + url.port);
  request.set(bhttp::field::user_agent, "netpowerctl");
  request.set(bhttp::field::accept, "application/json");
  request.set(bhttp::field::connection, "close");
  if (token) {
    request.set(bhttp::field::authorization, "Bearer " + *token);
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxReplyBytes);

  HttpOutcome outcome;
  const auto fail = [&](FailedAt where, const beast::error_code& ec) {
    outcome.failed_at = where;
    outcome.error = to_std(ec);
  };
  // The resolver has no timer of its own: the deadline covers it too.
  net::steady_timer deadline(io);
  deadline.expires_after(timeout);
  bool resolving = true;
  deadline.async_wait([&](beast::error_code ec) {
    if (!ec && resolving) {
      resolver.cancel();
    }
  });
  resolver.async_resolve(
      url.host, url.port, [&](beast::error_code ec, tcp::resolver::results_type endpoints) {
        resolving = false;
        if (ec) {
          fail(FailedAt::kResolve,
               ec == net::error::operation_aborted ? beast::error_code(beast::error::timeout) : ec);
          deadline.cancel();
          return;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline.expiry() - std::chrono::steady_clock::now());
        deadline.cancel();
        stream.expires_after(left > std::chrono::milliseconds(1) ? left
                                                                 : std::chrono::milliseconds(1));
        stream.async_connect(endpoints, [&](beast::error_code connect_ec, const tcp::endpoint&) {
          if (connect_ec) {
            fail(FailedAt::kConnect, connect_ec);
            return;
          }
          bhttp::async_write(stream, request, [&](beast::error_code write_ec, std::size_t) {
            if (write_ec) {
              fail(FailedAt::kExchange, write_ec);
              return;
            }
            bhttp::async_read(stream, buffer, parser, [&](beast::error_code read_ec, std::size_t) {
              if (read_ec) {
                fail(FailedAt::kExchange, read_ec);
                return;
              }
              const auto& response = parser.get();
              outcome.reply.status = response.result_int();
              const auto type = response[bhttp::field::content_type];
              outcome.reply.content_type = std::string(type.data(), type.size());
              outcome.reply.body = response.body();
              beast::error_code ignored;
              stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
            });
          });
        });
      });
  io.run();
  return outcome;
}

}  // namespace

HttpOutcome http_get(const ManagerUrl& url, std::string_view target,
                     const std::optional<std::string>& token, std::chrono::milliseconds timeout) {
  return exchange(url, bhttp::verb::get, target, std::nullopt, token, timeout);
}

HttpOutcome http_post(const ManagerUrl& url, std::string_view target, std::string json_body,
                      const std::optional<std::string>& token, std::chrono::milliseconds timeout) {
  return exchange(url, bhttp::verb::post, target, std::move(json_body), token, timeout);
}

}  // namespace netpower::ctl
