#pragma once
// Parsing what a client puts in a request line and a body: percent-encoding, queries, times,
// whole numbers, UTF-8. Pure functions; errors are texts for a 400.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/utf8.h"
#include "manager/model/time.h"

namespace netpower::manager::http::detail {

// "%41b+c" -> "Ab c" ('+' stays '+' unless `plus_is_space`, as in a query); nullopt for a malformed
// escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = true);

using Query = std::map<std::string, std::string, std::less<>>;
// "a=1&b=x%20y" -> {a: 1, b: "x y"}; an error text for a malformed or repeated parameter.
std::variant<Query, std::string> parse_query(std::string_view text);

// RFC 3339 ("2024-05-01T12:00:00Z", "2024-05-01T14:00:00.5+02:00"; 'T' or ' ', any fraction to
// microseconds) or Unix seconds ("1714564800", "1714564800.25"); nullopt otherwise.
std::optional<model::WallTime> parse_time(std::string_view text);

// "1"..: a whole decimal number in [min, max]; nullopt otherwise (sign, blanks, overflow).
std::optional<std::uint64_t> parse_whole(std::string_view text, std::uint64_t min,
                                         std::uint64_t max);

// "300" (seconds) or a duration "5m", "1h30m", "1d"; whole seconds; nullopt otherwise.
std::optional<std::chrono::seconds> parse_step(std::string_view text);

// The 400's text for a `since`/`until` that parse_time() refused.
std::string time_error(std::string_view key, std::string_view value);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF): the
// project's one validator.
using core::valid_utf8;

}  // namespace netpower::manager::http::detail
