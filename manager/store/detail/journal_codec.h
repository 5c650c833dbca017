#pragma once
// The action journal's values as the databases keep them, without I/O: records cleaned and bounded
// before they are queued, steps as JSON, times as ISO 8601 text with microseconds.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manager/model/action.h"
#include "manager/model/time.h"

namespace netpower::manager::store::detail {

// What the journal keeps of one record at most. Longer strings are cut at a UTF-8 character
// boundary, extra steps and outlets dropped; each cut is counted (AuditMetrics::truncated_total).
// The callers' own bounds are tighter (a reason is at most 1 KiB): these only keep one runaway
// record from filling the memory buffer or the database.
inline constexpr std::size_t kMaxJournalText = 64 * 1024;  // bytes of one string field
inline constexpr std::size_t kMaxJournalSteps = 512;
inline constexpr std::size_t kMaxJournalOutlets = 256;

// Makes every string acceptable to both databases (sanitize(): NUL removed, invalid UTF-8 replaced
// by U+FFFD; valid UTF-8 is kept byte for byte) and applies the bounds above. The number of
// strings cut and of steps/outlets dropped.
std::size_t clean_record(model::ActionRecord& record);
std::size_t clean_binding(model::Binding& binding);

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence; true when it cut.
bool truncate_utf8(std::string& s, std::size_t max);

// What a queued record or binding costs in memory, roughly (for the buffer's byte bound).
std::size_t approximate_bytes(const model::ActionRecord& record);
std::size_t approximate_bytes(const model::Binding& binding);

// "2026-12-03T17:40:15.123456Z": always six fractional digits, UTC; years outside 0000..9999 as
// ISO 8601's expanded form ("+12026-...", "-0001-..."). parse_iso_micros() reads exactly that
// form back (nullopt otherwise), so that every WallTime round-trips.
std::string iso_micros(model::WallTime t);
std::optional<model::WallTime> parse_iso_micros(std::string_view text);

// [{"name": ..., "started": iso, "ended": iso (absent while running), "outcome": "ok",
// "detail": ...}, ...]. The strings must be clean (clean_record()).
std::string steps_to_json(const std::vector<model::ActionStep>& steps);
// Strict: anything but that form is nullopt.
std::optional<std::vector<model::ActionStep>> steps_from_json(std::string_view json);

}  // namespace netpower::manager::store::detail
