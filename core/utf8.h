#pragma once
// UTF-8 as RFC 3629 defines it (Unicode's table 3-7 of well-formed byte sequences): no overlong
// forms (C0, C1, E0 80..9F, F0 80..8F), no surrogates (ED A0..BF), nothing past U+10FFFF (F4 90..,
// F5..FF), no stray continuation bytes, no truncated sequence. The one validator for bytes from the
// network that are to become text (JSON, the database, the log).

#include <cstddef>
#include <string_view>

namespace netpower::core {

// The length (1..4) of the well-formed UTF-8 sequence starting at s[i], or 0 when none starts
// there (including i >= s.size()).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

// True when all of `s` is well-formed UTF-8 (the empty string is).
bool valid_utf8(std::string_view s);

// The longest prefix of `s` no longer than `max_bytes` that does not end inside a multi-byte
// sequence (of well-formed text: still well-formed).
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

}  // namespace netpower::core
