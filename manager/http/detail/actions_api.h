#pragma once
// What the power actions' routes (actions_api.cpp, discovery_api.cpp) share: the answer when the
// manager has no action service, the client's hint that it is netpowerctl, ids in paths and
// queries.

#include <cstdint>
#include <optional>
#include <string_view>

#include "manager/http/detail/api.h"

namespace netpower::manager::http::detail {

inline constexpr std::size_t kMaxActionsLimit = 1000;
inline constexpr std::size_t kDefaultActionsLimit = 100;
// The largest id a path or query takes (ids are positive and fit a signed 64-bit column).
inline constexpr std::uint64_t kMaxActionId = 9'223'372'036'854'775'807ull;

// 503: "power actions are not available ...".
Response actions_unavailable(unsigned version);
// 503 for a journal that cannot be read (the service threw std::runtime_error).
Response journal_unavailable(const std::exception& error, unsigned version);
// True for "X-Netpower-Client: netpowerctl" (any case).
bool from_netpowerctl(const Request& request);
// A whole number 1..kMaxActionId; nullopt otherwise.
std::optional<std::uint64_t> parse_id(std::string_view text);

}  // namespace netpower::manager::http::detail
