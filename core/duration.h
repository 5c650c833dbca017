#pragma once
// Durations as people write them in configuration files: "15s", "500ms", "2m", "1h30m", "200us",
// "0".

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace netpower::core {

// Parses a sequence of <number><unit> with units us (microseconds), ms, s, m, h; a bare "0" is
// zero. nullopt if malformed or negative.
std::optional<Duration> parse_duration(std::string_view text);
// The shortest exact form to the microsecond: "15s", "1m30s", "250ms", "1ms500us", "0s".
std::string format_duration(Duration d);

}  // namespace netpower::core
