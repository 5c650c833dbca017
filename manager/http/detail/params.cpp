#include "manager/http/detail/params.h"

#include <charconv>

#include "core/duration.h"

namespace netpower::manager::http::detail {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Reads exactly `n` digits at text[pos].
std::optional<unsigned> digits(std::string_view text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  unsigned value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  return value;
}

// ".25" at text[pos] -> microseconds (digits beyond the sixth are dropped); pos moves past it.
std::optional<std::int64_t> fraction(std::string_view text, std::size_t& pos) {
  std::int64_t micros = 0;
  if (pos >= text.size() || text[pos] != '.') return micros;
  ++pos;
  const std::size_t start = pos;
  std::int64_t scale = 100000;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    micros += (text[pos] - '0') * scale;
    scale /= 10;
    ++pos;
  }
  if (pos == start) return std::nullopt;
  return micros;
}

std::optional<model::WallTime> parse_unix(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  if (pos == 0 || pos > 12) return std::nullopt;  // 12 digits: far beyond any real time
  std::int64_t seconds = 0;
  std::from_chars(text.data(), text.data() + pos, seconds);
  const auto micros = fraction(text, pos);
  if (!micros || pos != text.size()) return std::nullopt;
  return model::WallTime(std::chrono::microseconds(seconds * 1'000'000 + *micros));
}

std::optional<model::WallTime> parse_rfc3339(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  const auto year = digits(text, 0, 4);
  const auto month = digits(text, 5, 2);
  const auto day = digits(text, 8, 2);
  const auto hour = digits(text, 11, 2);
  const auto minute = digits(text, 14, 2);
  const auto second = digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (*month < 1 || *month > 12 || *day < 1 ||
      *day > kDays[*month - 1] + (*month == 2 && leap(*year) ? 1 : 0) || *hour > 23 ||
      *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  const auto micros = fraction(text, pos);
  if (!micros || pos >= text.size()) return std::nullopt;
  std::int64_t offset_seconds = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const auto oh = digits(text, pos + 1, 2);
    const auto om = digits(text, pos + 4, 2);
    if (!oh || !om || text[pos + 3] != ':' || *oh > 23 || *om > 59) return std::nullopt;
    offset_seconds = static_cast<std::int64_t>(*oh * 3600 + *om * 60) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  // A leap second (":60") counts as the next second's start.
  const std::int64_t seconds = days_from_civil(*year, *month, *day) * 86400 + *hour * 3600 +
                               *minute * 60 + *second - offset_seconds;
  return model::WallTime(std::chrono::microseconds(seconds * 1'000'000 + *micros));
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      const int high = hex_digit(text[i + 1]);
      const int low = hex_digit(text[i + 2]);
      if (high < 0 || low < 0) {
        return std::nullopt;
      }
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::variant<Query, std::string> parse_query(std::string_view text) {
  Query query;
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) {
      continue;
    }
    const auto eq = pair.find('=');
    const auto key = percent_decode(pair.substr(0, eq));
    const auto value =
        percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!key || !value) {
      return std::string("malformed percent-encoding in the query");
    }
    if (!valid_utf8(*key) || !valid_utf8(*value)) {
      return std::string("the query is not valid UTF-8");
    }
    if (!query.emplace(*key, *value).second) {
      return "query parameter '" + *key + "' given twice";
    }
  }
  return query;
}

std::optional<model::WallTime> parse_time(std::string_view text) {
  if (text.size() >= 20 && text[4] == '-') {
    return parse_rfc3339(text);
  }
  return parse_unix(text);
}

std::optional<std::uint64_t> parse_whole(std::string_view text, std::uint64_t min,
                                         std::uint64_t max) {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n < min || n > max) {
    return std::nullopt;
  }
  return n;
}

std::optional<std::chrono::seconds> parse_step(std::string_view text) {
  if (const auto whole = parse_whole(text, 0, 366ull * 86400)) {
    return std::chrono::seconds(*whole);
  }
  // "1d" and "1d12h": days first, then what core::parse_duration reads.
  std::chrono::seconds days{0};
  const auto d = text.find('d');
  if (d != std::string_view::npos) {
    const auto count = parse_whole(text.substr(0, d), 1, 366);
    if (!count) return std::nullopt;
    days = std::chrono::seconds(*count * 86400);
    text.remove_prefix(d + 1);
    if (text.empty()) return days;
  }
  const auto duration = core::parse_duration(text);
  if (!duration || *duration % std::chrono::seconds(1) != core::Duration::zero()) {
    return std::nullopt;
  }
  return days + std::chrono::duration_cast<std::chrono::seconds>(*duration);
}

std::string time_error(std::string_view key, std::string_view value) {
  return std::string(key) +
         " must be an RFC 3339 time (2024-05-01T12:00:00Z) or Unix seconds, not '" +
         std::string(value) + "'";
}

}  // namespace netpower::manager::http::detail
