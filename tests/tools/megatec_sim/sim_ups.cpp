#include "tests/tools/megatec_sim/sim_ups.h"

#include "collectors/sim/control_words.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace netpower::tools::megatec_sim {

namespace {

using nlohmann::json;
using Minutes = std::chrono::duration<double, std::ratio<60>>;

constexpr std::size_t kMaxCommandsKept = 1000;

constexpr const char* kHelp =
    "commands: state | commands | mains on|off | battery VOLTS | load PCT | temperature C | "
    "fail on|off | drain VOLTS_PER_MIN | charge VOLTS_PER_MIN | garbage TEXT | short | atfill | "
    "silence on|off | help";

using collectors::sim::quote;
using collectors::sim::split;

std::optional<double> number(std::string_view word, double min, double max) {
  double value = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec != std::errc() || end != word.data() + word.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  if (value < min || value > max) return std::nullopt;
  return value;
}

std::optional<bool> on_off(std::string_view word) {
  if (word == "on") return true;
  if (word == "off") return false;
  return std::nullopt;
}

// A number in a field of `width` characters with `decimals` digits, clamped to what fits.
std::string field(double value, int width, int decimals) {
  double max =
      std::pow(10.0, width - (decimals > 0 ? decimals + 1 : 0)) - std::pow(10.0, -decimals);
  value = std::clamp(value, 0.0, max);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*.*f", width, decimals, value);
  return buf;
}

bool digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

SimUps::SimUps(SimUpsOptions options, core::TimePoint start)
    : o_(std::move(options)),
      start_(start),
      last_(start),
      battery_(o_.battery_voltage),
      load_(o_.load),
      temperature_(o_.temperature),
      fault_voltage_(o_.input_voltage) {}

double SimUps::since_start(core::TimePoint t) const {
  return std::chrono::duration<double>(t - start_).count();
}

double SimUps::battery_low() const {
  return o_.battery_low > 0 ? o_.battery_low : 104 * o_.battery_nominal / 120;
}

double SimUps::battery_full() const {
  return o_.battery_full > 0 ? o_.battery_full : 1.15 * o_.battery_nominal;
}

bool SimUps::battery_feeds_load() const { return output_on_ && (!mains_ || test_active_); }

void SimUps::advance(core::TimePoint now) {
  if (now <= last_) return;
  // Events in time order; the battery moves linearly between them.
  for (;;) {
    std::optional<core::TimePoint> next;
    auto consider = [&next](std::optional<core::TimePoint> t) {
      if (t && (!next || *t < *next)) next = t;
    };
    if (test_active_) consider(test_end_);
    consider(cut_at_);
    consider(restore_at_);
    auto until = next && *next <= now ? *next : now;
    double minutes = Minutes(until - last_).count();
    if (battery_feeds_load()) {
      battery_ = std::max(0.0, battery_ - o_.drain_rate * minutes);
    } else if (mains_) {
      battery_ = std::min(battery_full(), battery_ + o_.charge_rate * minutes);
    }
    last_ = until;
    if (test_active_ && deep_test_ && battery_ <= battery_low()) end_test();
    if (!next || *next > now) break;
    if (test_active_ && until >= test_end_) {
      end_test();
    } else if (cut_at_ && until >= *cut_at_) {
      cut_output(until);
    } else if (restore_at_ && until >= *restore_at_) {
      restore_output();
    }
  }
}

void SimUps::end_test() {
  test_active_ = false;
  deep_test_ = false;
}

void SimUps::cut_output(core::TimePoint at) {
  cut_at_.reset();
  output_on_ = false;
  end_test();
  switch (restore_) {
    case Restore::kAfter:
      restore_at_ =
          at + std::chrono::duration_cast<core::Duration>(std::chrono::minutes(restore_minutes_));
      break;
    case Restore::kOnMains:
      mains_seen_off_ = !mains_;
      break;
    case Restore::kStayOff:
      break;
  }
}

void SimUps::restore_output() {
  restore_at_.reset();
  cut_at_.reset();
  output_on_ = true;
}

bool SimUps::shutdown_command(std::string_view line, core::TimePoint now) {
  // S<n> or S<n>R<mmmm>; n: .2 .. .9 or 00 .. 10.
  auto body = line.substr(1);
  auto r = body.find('R');
  auto n = body.substr(0, r);
  double minutes = 0;
  if (n.size() == 2 && n[0] == '.' && n[1] >= '2' && n[1] <= '9') {
    minutes = (n[1] - '0') / 10.0;
  } else if (n.size() == 2 && digits(n) && std::stoi(std::string(n)) <= 10) {
    minutes = std::stoi(std::string(n));
  } else {
    return false;
  }
  Restore restore = Restore::kOnMains;
  long restore_minutes = 0;
  if (r != std::string_view::npos) {
    auto m = body.substr(r + 1);
    if (m.size() != 4 || !digits(m)) return false;
    restore_minutes = std::stol(std::string(m));
    restore = restore_minutes == 0 ? Restore::kStayOff : Restore::kAfter;
  }
  restore_ = restore;
  restore_minutes_ = restore_minutes;
  restore_at_.reset();
  auto delay = std::chrono::duration_cast<core::Duration>(Minutes(minutes));
  if (delay == core::Duration::zero()) {
    cut_output(now);
  } else {
    cut_at_ = now + delay;
  }
  return true;
}

std::optional<std::string> SimUps::handle_request(std::string_view line, core::TimePoint now) {
  if (silence_) return std::nullopt;  // as if the cable were cut: nothing arrives
  advance(now);
  if (line == "Q1") {
    ++queries_q1_;
    return damage(status_reply(), true);
  }
  if (line == "F") {
    ++queries_f_;
    return damage(rating_reply(), false);
  }
  if (line == "I") {
    ++queries_i_;
    return damage(ident_reply(), false);
  }
  if (commands_.size() < kMaxCommandsKept) {
    commands_.push_back({since_start(now), std::string(line)});
  }
  bool known = true;
  if (line == "Q") {
    beeper_ = !beeper_;
  } else if (line == "T" || line == "TL" ||
             (line.size() == 3 && line[0] == 'T' && digits(line.substr(1)) && line != "T00")) {
    double minutes = line == "T"    ? 10.0 / 60
                     : line == "TL" ? o_.deep_test_minutes
                                    : std::stoi(std::string(line.substr(1)));
    if (output_on_) {
      test_active_ = true;
      deep_test_ = line == "TL";
      test_end_ = now + std::chrono::duration_cast<core::Duration>(Minutes(minutes));
    }
  } else if (line == "CT") {
    end_test();
  } else if (line == "C") {
    cut_at_.reset();
    if (!output_on_) restore_output();
  } else if (line.size() >= 3 && line[0] == 'S') {
    known = shutdown_command(line, now);
  } else {
    known = false;
  }
  if (!known) return damage(std::string(line) + "\r", false);  // real units echo what they refuse
  return std::nullopt;
}

std::string SimUps::damage(std::string reply, bool status) {
  if (garbage_) {
    reply = *garbage_ + "\r";
    garbage_.reset();
    return reply;
  }
  if (short_) {
    short_ = false;
    return reply.substr(0, reply.size() / 2) + "\r";
  }
  if (atfill_ && status) {
    atfill_ = false;
    reply.replace(7, 5, "@@@.@");  // input fault voltage
    reply.replace(33, 4, "@@.@");  // temperature
  }
  return reply;
}

std::string SimUps::status_reply() const {
  double input = mains_ ? o_.input_voltage : 0;
  double output = output_on_ ? (mains_ && !test_active_ ? o_.input_voltage : o_.rated_voltage) : 0;
  double load = output_on_ ? load_ : 0;
  double frequency = mains_ ? o_.input_frequency : 0;
  std::string battery =
      o_.per_cell ? field(battery_ / (o_.battery_nominal / 2), 4, 2) : field(battery_, 4, 1);
  bool shutdown_active = cut_at_.has_value() || !output_on_;
  std::string bits;
  for (bool b : {!mains_, battery_ <= battery_low(), false, failed_, !o_.online_type, test_active_,
                 shutdown_active, beeper_}) {
    bits += b ? '1' : '0';
  }
  return "(" + field(input, 5, 1) + " " + field(fault_voltage_, 5, 1) + " " + field(output, 5, 1) +
         " " + field(std::round(load), 3, 0) + " " + field(frequency, 4, 1) + " " + battery + " " +
         field(temperature_, 4, 1) + " " + bits + "\r";
}

std::string SimUps::rating_reply() const {
  std::string battery =
      o_.battery_nominal < 100 ? field(o_.battery_nominal, 5, 2) : field(o_.battery_nominal, 5, 1);
  return "#" + field(o_.rated_voltage, 5, 1) + " " + field(std::round(o_.rated_current), 3, 0) +
         " " + battery + " " + field(o_.rated_frequency, 4, 1) + "\r";
}

std::string SimUps::ident_reply() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "#%-15.15s %-10.10s %-10.10s\r", o_.company.c_str(),
                o_.model.c_str(), o_.version.c_str());
  return buf;
}

std::string SimUps::handle_control(std::string_view line, core::TimePoint now) {
  advance(now);
  auto w = split(line);
  if (w.empty()) return "error: empty command; " + std::string(kHelp);
  auto usage = [](const char* form) { return std::string("error: usage: ") + form; };
  const auto& cmd = w[0];
  if (cmd == "help") return kHelp;
  if (cmd == "state") return w.size() == 1 ? state_json(now) : usage("state");
  if (cmd == "commands") return w.size() == 1 ? commands_json() : usage("commands");
  if (cmd == "short" || cmd == "atfill") {
    if (w.size() != 1) return usage(cmd == "short" ? "short" : "atfill");
    (cmd == "short" ? short_ : atfill_) = true;
    return "ok";
  }
  if (cmd == "garbage") {
    auto at = line.find("garbage") + 7;
    while (at < line.size() && line[at] == ' ') ++at;
    auto text = line.substr(at);
    if (text.empty()) return usage("garbage TEXT");
    if (text.find('\r') != std::string_view::npos) return "error: TEXT must not contain CR";
    garbage_ = std::string(text);
    return "ok";
  }
  if (cmd == "mains" || cmd == "fail" || cmd == "silence") {
    auto value = w.size() == 2 ? on_off(w[1]) : std::nullopt;
    if (!value) return usage((std::string(cmd) + " on|off").c_str());
    if (cmd == "mains") {
      if (mains_ && !*value) fault_voltage_ = o_.input_voltage;
      if (!*value) mains_seen_off_ = true;
      mains_ = *value;
      if (mains_ && !output_on_ && restore_ == Restore::kOnMains && mains_seen_off_ && !cut_at_) {
        restore_output();
      }
    } else if (cmd == "fail") {
      failed_ = *value;
    } else {
      silence_ = *value;
    }
    return "ok";
  }
  struct Setting {
    const char* name;
    double* target;
    double min, max;
  };
  const Setting settings[] = {{"battery", &battery_, 0, 999},
                              {"load", &load_, 0, 200},
                              {"temperature", &temperature_, 0, 99},
                              {"drain", &o_.drain_rate, 0, 1000},
                              {"charge", &o_.charge_rate, 0, 1000}};
  for (const auto& s : settings) {
    if (cmd != s.name) continue;
    auto value = w.size() == 2 ? number(w[1], s.min, s.max) : std::nullopt;
    if (!value) {
      char buf[128];
      std::snprintf(buf, sizeof buf, "error: usage: %s NUMBER (%g..%g)", s.name, s.min, s.max);
      return buf;
    }
    *s.target = *value;
    return "ok";
  }
  return "error: unknown command " + quote(cmd) + "; " + kHelp;
}

std::string SimUps::state_json(core::TimePoint now) {
  advance(now);
  json j = {{"t", since_start(now)},
            {"mains", mains_},
            {"battery_voltage", battery_},
            {"battery_low", battery_ <= battery_low()},
            {"load", load_},
            {"temperature", temperature_},
            {"failed", failed_},
            {"beeper", beeper_},
            {"output_on", output_on_},
            {"test_in_progress", test_active_},
            {"shutdown_pending", cut_at_.has_value()},
            {"silence", silence_},
            {"queries", {{"Q1", queries_q1_}, {"F", queries_f_}, {"I", queries_i_}}}};
  if (cut_at_) j["shutdown_in"] = std::chrono::duration<double>(*cut_at_ - now).count();
  if (restore_at_) j["restore_in"] = std::chrono::duration<double>(*restore_at_ - now).count();
  return j.dump();
}

std::string SimUps::commands_json() const {
  json out = json::array();
  for (const auto& c : commands_) out.push_back({{"t", c.t}, {"line", c.line}});
  return out.dump();
}

}  // namespace netpower::tools::megatec_sim
