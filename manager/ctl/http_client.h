#pragma once
// netpowerctl's HTTP client: one request at a time to the manager, synchronous for the caller,
// with a deadline over the whole exchange (resolve, connect, request, response). Every request
// says "X-Netpower-Client: netpowerctl" (the manager audits actions from it as source "cli").

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace netpower::ctl {

// "http://host[:port][/prefix]": what --manager and NETPOWER_MANAGER take.
struct ManagerUrl {
  std::string host;       // "127.0.0.1", "::1" (without brackets), "mgr.example.net"
  std::string port;       // "9641"
  std::string base_path;  // "" or "/netpower" (a reverse proxy's prefix), no trailing '/'

  // "http://host:port/prefix", as the user should recognise it.
  std::string to_string() const;
};

// Nullopt with `error` set for what is not an http URL ("https is not supported ...").
std::optional<ManagerUrl> parse_manager_url(std::string_view text, std::string& error);

struct HttpReply {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

// Where an exchange failed.
enum class FailedAt { kNone, kResolve, kConnect, kExchange };

struct HttpOutcome {
  FailedAt failed_at = FailedAt::kNone;
  std::error_code error;  // with failed_at != kNone; std::errc::timed_out at the deadline
  HttpReply reply;        // with failed_at == kNone

  bool ok() const { return failed_at == FailedAt::kNone; }
};

// GET base_path + target ("/api/v1/status") with "Authorization: Bearer <token>" when given.
HttpOutcome http_get(const ManagerUrl& url, std::string_view target,
                     const std::optional<std::string>& token, std::chrono::milliseconds timeout);

// POST base_path + target with `json_body` (Content-Type: application/json).
HttpOutcome http_post(const ManagerUrl& url, std::string_view target, std::string json_body,
                      const std::optional<std::string>& token, std::chrono::milliseconds timeout);

}  // namespace netpower::ctl
