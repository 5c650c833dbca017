#include "manager/store/detail/journal_codec.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>

#include "manager/store/detail/text.h"

namespace netpower::manager::store::detail {

namespace {

constexpr std::int64_t kUsPerDay = 86'400'000'000;

// Howard Hinnant's days_from_civil / civil_from_days: proleptic Gregorian, any year.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

std::size_t clean_text(std::string& s) {
  sanitize(s);
  return truncate_utf8(s, kMaxJournalText) ? 1 : 0;
}

bool parse_digits(std::string_view s, std::int64_t& out) {
  if (s.empty() || s.size() > 12) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

}  // namespace

bool truncate_utf8(std::string& s, std::size_t max) {
  if (s.size() <= max) return false;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return true;
}

std::size_t clean_record(model::ActionRecord& r) {
  std::size_t cut = 0;
  for (auto* s : {&r.principal, &r.reason, &r.target, &r.host, &r.failure, &r.failure_text}) {
    cut += clean_text(*s);
  }
  if (r.outlets.size() > kMaxJournalOutlets) {
    cut += r.outlets.size() - kMaxJournalOutlets;
    r.outlets.resize(kMaxJournalOutlets);
  }
  for (auto& o : r.outlets) {
    cut += clean_text(o.agent);
    cut += clean_text(o.port);
  }
  if (r.steps.size() > kMaxJournalSteps) {
    // The first steps and the last (how it ended) are kept.
    cut += r.steps.size() - kMaxJournalSteps;
    r.steps[kMaxJournalSteps - 1] = std::move(r.steps.back());
    r.steps.resize(kMaxJournalSteps);
  }
  for (auto& step : r.steps) {
    cut += clean_text(step.name);
    cut += clean_text(step.detail);
  }
  return cut;
}

std::size_t clean_binding(model::Binding& b) {
  std::size_t cut = 0;
  for (auto* s :
       {&b.outlet.agent, &b.outlet.port, &b.host_id, &b.host_name, &b.hostname, &b.boot_id}) {
    cut += clean_text(*s);
  }
  return cut;
}

std::size_t approximate_bytes(const model::ActionRecord& r) {
  std::size_t n = sizeof(r) + r.principal.size() + r.reason.size() + r.target.size() +
                  r.host.size() + r.failure.size() + r.failure_text.size();
  for (const auto& o : r.outlets) n += sizeof(o) + o.agent.size() + o.port.size();
  for (const auto& s : r.steps) n += sizeof(s) + s.name.size() + s.detail.size();
  return n;
}

std::size_t approximate_bytes(const model::Binding& b) {
  return sizeof(b) + b.outlet.agent.size() + b.outlet.port.size() + b.host_id.size() +
         b.host_name.size() + b.hostname.size() + b.boot_id.size();
}

std::string iso_micros(model::WallTime t) {
  const std::int64_t us = t.time_since_epoch().count();
  std::int64_t days = us / kUsPerDay;
  std::int64_t rest = us % kUsPerDay;
  if (rest < 0) {
    rest += kUsPerDay;
    --days;
  }
  const auto civil = civil_from_days(days);
  char year[32];
  if (civil.year >= 0 && civil.year <= 9999) {
    std::snprintf(year, sizeof year, "%04lld", static_cast<long long>(civil.year));
  } else if (civil.year > 9999) {
    std::snprintf(year, sizeof year, "+%lld", static_cast<long long>(civil.year));
  } else {
    std::snprintf(year, sizeof year, "-%04lld", static_cast<long long>(-civil.year));
  }
  const auto secs = rest / 1'000'000;
  char buf[80];
  std::snprintf(buf, sizeof buf, "%s-%02u-%02uT%02d:%02d:%02d.%06dZ", year, civil.month, civil.day,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60), static_cast<int>(rest % 1'000'000));
  return buf;
}

std::optional<model::WallTime> parse_iso_micros(std::string_view text) {
  // The year is everything before the "-MM-DDTHH:MM:SS.ffffffZ" tail (23 bytes).
  constexpr std::size_t kTail = 23;
  if (text.size() < kTail + 4 || text.size() > kTail + 13) return std::nullopt;
  auto year_text = text.substr(0, text.size() - kTail);
  const auto tail = text.substr(text.size() - kTail);
  bool negative = false;
  if (year_text.front() == '+' || year_text.front() == '-') {
    negative = year_text.front() == '-';
    year_text.remove_prefix(1);
  }
  std::int64_t year = 0, month = 0, day = 0, hh = 0, mm = 0, ss = 0, frac = 0;
  if (!parse_digits(year_text, year)) return std::nullopt;
  if (tail[0] != '-' || tail[3] != '-' || tail[6] != 'T' || tail[9] != ':' || tail[12] != ':' ||
      tail[15] != '.' || tail[22] != 'Z') {
    return std::nullopt;
  }
  if (!parse_digits(tail.substr(1, 2), month) || !parse_digits(tail.substr(4, 2), day) ||
      !parse_digits(tail.substr(7, 2), hh) || !parse_digits(tail.substr(10, 2), mm) ||
      !parse_digits(tail.substr(13, 2), ss) || !parse_digits(tail.substr(16, 6), frac)) {
    return std::nullopt;
  }
  if (negative) year = -year;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 59) {
    return std::nullopt;
  }
  if (year < -300'000 || year > 300'000) return std::nullopt;  // beyond what int64 µs can hold
  const auto days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  // Before the epoch, the day after and the rest less a day: both stay within int64 at its end.
  std::int64_t rest = ((hh * 60 + mm) * 60 + ss) * 1'000'000 + frac;
  std::int64_t base = days;
  if (days < 0) {
    ++base;
    rest -= kUsPerDay;
  }
  std::int64_t us = 0;
  if (__builtin_mul_overflow(base, kUsPerDay, &us) || __builtin_add_overflow(us, rest, &us)) {
    return std::nullopt;
  }
  const model::WallTime t{std::chrono::microseconds(us)};
  // Only the canonical form: no Feb 30, no "+2026", no 7-digit fractions.
  if (iso_micros(t) != text) return std::nullopt;
  return t;
}

std::string steps_to_json(const std::vector<model::ActionStep>& steps) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : steps) {
    nlohmann::json step = {{"name", s.name},
                           {"started", iso_micros(s.started)},
                           {"outcome", to_string(s.outcome)},
                           {"detail", s.detail}};
    if (s.ended) step["ended"] = iso_micros(*s.ended);
    out.push_back(std::move(step));
  }
  return out.dump();
}

std::optional<std::vector<model::ActionStep>> steps_from_json(std::string_view json) {
  const auto parsed = nlohmann::json::parse(json, nullptr, false);
  if (!parsed.is_array()) return std::nullopt;
  std::vector<model::ActionStep> out;
  out.reserve(parsed.size());
  for (const auto& item : parsed) {
    if (!item.is_object()) return std::nullopt;
    auto text = [&](const char* key) -> const std::string* {
      auto it = item.find(key);
      return it != item.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
    };
    const auto* name = text("name");
    const auto* started = text("started");
    const auto* outcome = text("outcome");
    const auto* detail = text("detail");
    if (name == nullptr || started == nullptr || outcome == nullptr || detail == nullptr) {
      return std::nullopt;
    }
    model::ActionStep step;
    step.name = *name;
    step.detail = *detail;
    auto started_at = parse_iso_micros(*started);
    auto outcome_value = model::step_outcome_from_string(*outcome);
    if (!started_at || !outcome_value) return std::nullopt;
    step.started = *started_at;
    step.outcome = *outcome_value;
    if (item.contains("ended")) {
      const auto* ended = text("ended");
      auto ended_at = ended != nullptr ? parse_iso_micros(*ended) : std::nullopt;
      if (!ended_at) return std::nullopt;
      step.ended = *ended_at;
    }
    out.push_back(std::move(step));
  }
  return out;
}

}  // namespace netpower::manager::store::detail
