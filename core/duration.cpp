#include "core/duration.h"

#include <cctype>
#include <cstdint>

namespace netpower::core {

std::optional<Duration> parse_duration(std::string_view text) {
  using namespace std::chrono;
  if (text == "0") return Duration::zero();
  if (text.empty()) return std::nullopt;
  Duration total{0};
  std::size_t i = 0;
  while (i < text.size()) {
    std::uint64_t value = 0;
    std::size_t digits = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
      if (value > 1'000'000'000'000ULL) return std::nullopt;  // stops runaway digit strings
      ++i;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    auto unit = text.substr(unit_start, i - unit_start);
    std::int64_t unit_us = 0;
    if (unit == "us") {
      unit_us = 1;
    } else if (unit == "ms") {
      unit_us = 1000;
    } else if (unit == "s") {
      unit_us = 1'000'000;
    } else if (unit == "m") {
      unit_us = 60'000'000;
    } else if (unit == "h") {
      unit_us = 3'600'000'000;
    } else {
      return std::nullopt;
    }
    // Nothing netpower waits for is longer than a year; checked before adding so nothing overflows.
    constexpr std::int64_t kMaxUs = 366LL * 24 * 3'600'000'000LL;
    auto v = static_cast<std::int64_t>(value);
    if (v > kMaxUs / unit_us) return std::nullopt;
    total += microseconds(v * unit_us);
    if (total > microseconds(kMaxUs)) return std::nullopt;
  }
  return total;
}

std::string format_duration(Duration d) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(d).count();
  if (duration_cast<microseconds>(d).count() == 0) return "0s";
  std::string out;
  auto take = [&](std::int64_t unit_ms, const char* suffix) {
    if (ms >= unit_ms) {
      out += std::to_string(ms / unit_ms) + suffix;
      ms %= unit_ms;
    }
  };
  take(3600000, "h");
  take(60000, "m");
  take(1000, "s");
  if (ms > 0) out += std::to_string(ms) + "ms";
  auto us = duration_cast<microseconds>(d).count() % 1000;
  if (us > 0) out += std::to_string(us) + "us";
  return out;
}

}  // namespace netpower::core
