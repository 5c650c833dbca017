#pragma once
// A plain HTTP/1.1 GET for the manager's tests (Boost.Beast, synchronous, loopback).

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

}  // namespace netpower::testing
