#pragma once
// The forms netpowerctl's options take for lengths of time (--timeout, --poll-interval, and the
// ages of --since/--until), parsed once here.

#include <optional>
#include <string_view>

namespace netpower::ctl {

// A plain decimal number of seconds: "900", "2.5" (no sign, no leading or trailing '.').
bool plain_seconds(std::string_view text);
// <number><unit>..., whole numbers of at most 9 digits, units ms, s, m, h, and d when `days`:
// "15m", "1h30m", "250ms", "1d"; nullopt for anything else.
std::optional<double> unit_seconds(std::string_view text, bool days);

}  // namespace netpower::ctl
