#pragma once
// netpowerctl events and history as text: the documents of GET /api/v1/events and
// GET /api/v1/agents/{agent}/ports/{port}/history (docs/api.md) rendered for people, and the
// helpers that build their queries. Pure functions; a document that does not follow the schema
// throws std::runtime_error.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace netpower::ctl {

// One line per event: time, agent, kind, text (and who wrote a note); a last line with the cursor
// of the next page when there is one.
std::string render_events(const nlohmann::json& document);
// A heading (agent, port, metric, range, step), then one line per point: time and value (with min
// and max when the points are buckets).
std::string render_history(const nlohmann::json& document);

// What --since and --until take, as the API wants it: an RFC 3339 time or Unix seconds unchanged,
// or an age ("90s", "15m", "2h", "1d", "1h30m") made Unix seconds before `now` (Unix seconds).
// Nullopt for anything else.
std::optional<std::string> time_argument(std::string_view text, double now);

// "a b/c" -> "a%20b%2Fc": everything but unreserved characters (RFC 3986) escaped.
std::string url_encode(std::string_view text);

}  // namespace netpower::ctl
