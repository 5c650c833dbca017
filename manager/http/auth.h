#pragma once
// Bearer-token authentication of the API's named principals. Each principal has one token; a
// presented token is compared with every configured one in constant time (no early exit, so the
// time says nothing about which principal or how much of a token matched). Tokens are never
// logged or formatted.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manager/model/principal.h"

namespace netpower::manager::http {

// Shorter tokens are refused (the configuration says so first, with its file and line).
inline constexpr std::size_t kMinTokenBytes = 16;

struct ApiPrincipal {
  std::string name;  // "grafana", "alice"; appears in logs and the audit trail
  model::Role role = model::Role::kViewer;
  std::string token;  // the bearer token; never logged
};

class Authenticator {
 public:
  Authenticator() = default;
  // Throws std::invalid_argument for an empty name, a token shorter than kMinTokenBytes, a
  // duplicate name or a duplicate token (the message names the principals, never a token).
  explicit Authenticator(std::vector<ApiPrincipal> principals);

  // False when no principal is configured: the API is open for reading (docs/api.md).
  bool enabled() const { return !principals_.empty(); }
  // The principal whose token equals `token`; nullopt for none. Any thread.
  std::optional<model::Principal> authenticate(std::string_view token) const;
  std::size_t size() const { return principals_.size(); }

 private:
  std::vector<ApiPrincipal> principals_;
};

// The token of "Authorization: Bearer <token>" (scheme case-insensitive, RFC 6750 2.1); nullopt
// for another scheme or a malformed value.
std::optional<std::string_view> bearer_token(std::string_view authorization);

namespace detail {
// Equality whose time does not depend on where `given` differs from `expected`.
bool constant_time_equal(std::string_view given, std::string_view expected);
}  // namespace detail

}  // namespace netpower::manager::http
