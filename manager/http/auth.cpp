#include "manager/http/auth.h"

#include <stdexcept>

namespace netpower::manager::http {

Authenticator::Authenticator(std::vector<ApiPrincipal> principals) {
  for (auto& p : principals) {
    if (p.name.empty()) {
      throw std::invalid_argument("an API principal has no name");
    }
    if (p.token.size() < kMinTokenBytes) {
      throw std::invalid_argument("the token of API principal '" + p.name + "' is shorter than " +
                                  std::to_string(kMinTokenBytes) + " bytes");
    }
    for (const auto& q : principals_) {
      if (q.name == p.name) {
        throw std::invalid_argument("API principal '" + p.name + "' is configured twice");
      }
      if (detail::constant_time_equal(p.token, q.token)) {
        throw std::invalid_argument("API principals '" + q.name + "' and '" + p.name +
                                    "' have the same token");
      }
    }
    principals_.push_back(std::move(p));
  }
}

std::optional<model::Principal> Authenticator::authenticate(std::string_view token) const {
  const ApiPrincipal* found = nullptr;
  for (const auto& p : principals_) {
    // Every token is compared, whichever matches: tokens are unique, so at most one does.
    const bool equal = detail::constant_time_equal(token, p.token);
    found = equal ? &p : found;
  }
  if (found == nullptr) {
    return std::nullopt;
  }
  return model::Principal{found->name, found->role};
}

std::optional<std::string_view> bearer_token(std::string_view value) {
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() || value[kScheme.size()] != ' ') {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if ((value[i] | 0x20) != kScheme[i]) {
      return std::nullopt;
    }
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  return value;
}

namespace detail {

bool constant_time_equal(std::string_view given, std::string_view expected) {
  // Runs over `expected` whatever `given` is: the time depends on the token's length only.
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= static_cast<unsigned char>(g ^ static_cast<unsigned char>(expected[i]));
  }
  return diff == 0;
}

}  // namespace detail

}  // namespace netpower::manager::http
