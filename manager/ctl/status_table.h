#pragma once
// netpowerctl status as text: the documents of the manager's API (docs/api.md) rendered for people.
// Pure functions; a document that does not follow the schema throws std::runtime_error (the
// caller reports "unexpected answer").

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace netpower::ctl {

// "2024-05-01T12:00:00.123Z" (any fraction, 'Z' or an offset) -> seconds since the epoch.
std::optional<double> parse_rfc3339(std::string_view text);
// 42 -> "42s", 192 -> "3m12s", 7500 -> "2h05m", 273600 -> "3d04h".
std::string format_age(double seconds);

// GET /api/v1/status: a summary line, then one line per agent (name, state, since, last poll,
// ports on/off/alarm, UPS charge and runtime, last error).
std::string render_status(const nlohmann::json& status);
// GET /api/v1/agents/{name}: the agent's line, its boards, its ports, its UPS.
std::string render_agent(const nlohmann::json& document);

}  // namespace netpower::ctl
