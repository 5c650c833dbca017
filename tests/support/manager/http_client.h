#pragma once
// A plain HTTP/1.1 request (GET, or any method with a body) for the manager's tests (Boost.Beast,
// synchronous, loopback).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace netpower::testing {

struct HttpResponse {
  int status = 0;  // 0: no answer (connection refused, timeout); `error` says why
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;
};

HttpResponse http_get(std::uint16_t port, const std::string& target,
                      const std::map<std::string, std::string>& headers = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
// Any method ("POST", "DELETE"), with a body (Content-Length set; give Content-Type in headers).
HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body,
                          const std::map<std::string, std::string>& headers = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace netpower::testing
