#pragma once
// A small synchronous HTTP/1.1 client on Boost.Beast for the server's tests: one connection,
// any number of requests on it, raw bytes when a test wants to send what no client would.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace netpower::manager::http::testing {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

using TestResponse = bhttp::response<bhttp::string_body>;

class TestClient {
 public:
  explicit TestClient(std::uint16_t port) : socket_(io_) {
    socket_.connect({net::ip::make_address("127.0.0.1"), port});
  }
  // From the loopback address `source` ("127.0.0.2"): another client as the server sees it.
  TestClient(std::uint16_t port, const std::string& source) : socket_(io_) {
    socket_.open(net::ip::tcp::v4());
    socket_.bind({net::ip::make_address(source), 0});
    socket_.connect({net::ip::make_address("127.0.0.1"), port});
  }

  TestResponse request(bhttp::verb method, const std::string& target,
                       const std::map<std::string, std::string>& headers = {},
                       bool keep_alive = true, const std::string& body = std::string()) {
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) {
      req.set(name, value);
    }
    req.keep_alive(keep_alive);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(socket_, req);
    if (method == bhttp::verb::head) {
      // A response to HEAD announces a body it does not send.
      bhttp::response_parser<bhttp::string_body> parser;
      parser.skip(true);
      bhttp::read(socket_, buffer_, parser);
      return parser.release();
    }
    return read_response();
  }

  // POST/PUT/DELETE with a JSON body (Content-Type application/json unless `headers` says).
  TestResponse send(bhttp::verb method, const std::string& target, const std::string& body,
                    std::map<std::string, std::string> headers = {}) {
    headers.emplace("Content-Type", "application/json");
    return request(method, target, headers, true, body);
  }

  TestResponse get(const std::string& target,
                   const std::map<std::string, std::string>& headers = {}) {
    return request(bhttp::verb::get, target, headers);
  }

  void send_raw(const std::string& bytes) {
    boost::system::error_code ec;  // the server may close while we still send
    net::write(socket_, net::buffer(bytes), ec);
  }

  TestResponse read_response() {
    TestResponse response;
    bhttp::read(socket_, buffer_, response);
    return response;
  }

  // True when the server closed the connection: the next read ends with EOF (or a reset).
  bool closed_by_server() {
    char byte;
    boost::system::error_code ec;
    if (buffer_.size() > 0) {
      return false;
    }
    socket_.read_some(net::buffer(&byte, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

 private:
  net::io_context io_;
  net::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// One request on a fresh connection.
inline TestResponse get_once(std::uint16_t port, const std::string& target,
                             const std::map<std::string, std::string>& headers = {}) {
  TestClient client(port);
  return client.request(bhttp::verb::get, target, headers, false);
}

}  // namespace netpower::manager::http::testing
