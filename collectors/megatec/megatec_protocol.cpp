#include "collectors/megatec/megatec_protocol.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace netpower::collectors::megatec {

namespace {

using std::chrono::seconds;

// One fixed-width field of a reply: where it starts and how wide it is.
struct Field {
  std::size_t at;
  std::size_t width;
  const char* name;
};

// Q1: (MMM.M NNN.N PPP.P QQQ RR.R S.SS TT.T b7b6b5b4b3b2b1b0
constexpr Field kQ1Fields[] = {{1, 5, "input voltage"},    {7, 5, "input fault voltage"},
                               {13, 5, "output voltage"},  {19, 3, "load"},
                               {23, 4, "input frequency"}, {28, 4, "battery voltage"},
                               {33, 4, "temperature"}};
constexpr Field kQ1Status{38, 8, "status bits"};
// F: #MMM.M QQQ SS.SS RR.R
constexpr Field kFFields[] = {{1, 5, "rated voltage"},
                              {7, 3, "rated current"},
                              {11, 5, "rated battery voltage"},
                              {17, 4, "rated frequency"}};
// I: #company(15) model(10) version(10)
constexpr Field kIFields[] = {{1, 15, "company"}, {17, 10, "model"}, {28, 10, "version"}};

template <typename T>
Parsed<T> fail(ParseError error, std::string detail) {
  Parsed<T> out;
  out.error = error;
  out.detail = std::move(detail);
  return out;
}

// The length check shared by the three replies; empty when the length is right.
template <typename T>
std::optional<Parsed<T>> check_shape(std::string_view line, std::size_t length, char start,
                                     const char* reply) {
  if (line.size() < length) {
    return fail<T>(ParseError::kShort, std::string(reply) + " reply of " +
                                           std::to_string(line.size()) + " bytes, expected " +
                                           std::to_string(length) + ": " + printable(line));
  }
  if (line.size() > length) {
    return fail<T>(ParseError::kLong, std::string(reply) + " reply of " +
                                          std::to_string(line.size()) + " bytes, expected " +
                                          std::to_string(length) + ": " + printable(line));
  }
  if (line[0] != start) {
    return fail<T>(ParseError::kFormat, std::string(reply) + " reply does not start with '" +
                                            start + "': " + printable(line));
  }
  return std::nullopt;
}

// The separators between `fields` (one blank after each field but the last, which ends the line
// or is followed by another field checked by the caller).
std::optional<std::string> check_separators(std::string_view line, const Field* fields,
                                            std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    auto end = fields[i].at + fields[i].width;
    if (end < line.size() && line[end] != ' ') {
      return "no blank after the " + std::string(fields[i].name) + ": " + printable(line);
    }
  }
  return std::nullopt;
}

enum class FieldState { kNumber, kAbsent, kBad };

// A numeric field: digits with at most one '.', or filled with '@'/'-' (absent).
FieldState read_number(std::string_view text, double& value) {
  bool filler = false, digit = false, other = false;
  int points = 0;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c == '.') {
      ++points;
    } else if (c == '@' || c == '-') {
      filler = true;
    } else {
      other = true;
    }
  }
  if (other || points > 1) return FieldState::kBad;
  if (filler) return digit ? FieldState::kBad : FieldState::kAbsent;
  if (!digit) return FieldState::kBad;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return FieldState::kBad;
  }
  return FieldState::kNumber;
}

// Reads `field` of `line` into `out`; an error text for a malformed field.
std::optional<std::string> number_field(std::string_view line, const Field& field,
                                        std::optional<double>& out) {
  double value = 0;
  auto text = line.substr(field.at, field.width);
  switch (read_number(text, value)) {
    case FieldState::kNumber:
      out = value;
      return std::nullopt;
    case FieldState::kAbsent:
      out.reset();
      return std::nullopt;
    case FieldState::kBad:
      break;
  }
  return std::string(field.name) + " is not a number: '" + printable(text) + "' in " +
         printable(line);
}

std::string_view rtrim(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.remove_suffix(1);
  return text;
}

// Minutes rounded up.
long long minutes_up(seconds s) { return (s.count() + 59) / 60; }

}  // namespace

// --- LineSplitter

void LineSplitter::feed(std::string_view bytes) {
  for (char c : bytes) {
    bool was_cr = after_cr_;
    after_cr_ = c == '\r';
    if (c == '\r') {
      if (skipping_) {
        skipping_ = false;
      } else {
        lines_.push_back(std::move(current_));
      }
      current_.clear();
      continue;
    }
    if (c == '\n' && was_cr) continue;
    if (skipping_) continue;
    current_ += c;
    if (current_.size() > max_line_) {
      ++overlong_;
      skipping_ = true;
      current_.clear();
    }
  }
}

std::optional<std::string> LineSplitter::next() {
  if (lines_.empty()) return std::nullopt;
  auto line = std::move(lines_.front());
  lines_.pop_front();
  return line;
}

std::size_t LineSplitter::clear() {
  std::size_t dropped = current_.size();
  for (const auto& line : lines_) dropped += line.size() + 1;
  current_.clear();
  lines_.clear();
  // An overlong line still being skipped stays skipped: its tail is not the start of a reply.
  return dropped;
}

// --- Replies

int Q1Reply::absent_fields() const {
  int n = 0;
  for (const auto* field : {&input_voltage, &input_fault_voltage, &output_voltage, &load,
                            &input_frequency, &battery_voltage, &temperature}) {
    if (!field->has_value()) ++n;
  }
  return n;
}

Parsed<Q1Reply> parse_q1(std::string_view line) {
  if (auto bad = check_shape<Q1Reply>(line, kQ1Length, '(', "Q1")) return *bad;
  if (auto bad = check_separators(line, kQ1Fields, std::size(kQ1Fields))) {
    return fail<Q1Reply>(ParseError::kFormat, "Q1 reply: " + *bad);
  }
  Q1Reply reply;
  std::optional<double>* targets[] = {
      &reply.input_voltage,   &reply.input_fault_voltage, &reply.output_voltage, &reply.load,
      &reply.input_frequency, &reply.battery_voltage,     &reply.temperature};
  for (std::size_t i = 0; i < std::size(kQ1Fields); ++i) {
    if (auto bad = number_field(line, kQ1Fields[i], *targets[i])) {
      return fail<Q1Reply>(ParseError::kFormat, "Q1 reply: " + *bad);
    }
  }
  auto bits = line.substr(kQ1Status.at, kQ1Status.width);
  if (bits.find_first_not_of("01") != std::string_view::npos) {
    return fail<Q1Reply>(ParseError::kFormat,
                         "Q1 reply: status bits are not 8 of 0/1: '" + printable(bits) + "'");
  }
  auto& s = reply.status;
  s.utility_fail = bits[0] == '1';
  s.battery_low = bits[1] == '1';
  s.bypass_boost_buck = bits[2] == '1';
  s.ups_failed = bits[3] == '1';
  s.standby = bits[4] == '1';
  s.test_in_progress = bits[5] == '1';
  s.shutdown_active = bits[6] == '1';
  s.beeper_on = bits[7] == '1';
  Parsed<Q1Reply> out;
  out.value = reply;
  return out;
}

Parsed<FReply> parse_f(std::string_view line) {
  if (auto bad = check_shape<FReply>(line, kFLength, '#', "F")) return *bad;
  if (auto bad = check_separators(line, kFFields, std::size(kFFields))) {
    return fail<FReply>(ParseError::kFormat, "F reply: " + *bad);
  }
  FReply reply;
  std::optional<double>* targets[] = {&reply.voltage, &reply.current, &reply.battery_voltage,
                                      &reply.frequency};
  for (std::size_t i = 0; i < std::size(kFFields); ++i) {
    if (auto bad = number_field(line, kFFields[i], *targets[i])) {
      return fail<FReply>(ParseError::kFormat, "F reply: " + *bad);
    }
  }
  Parsed<FReply> out;
  out.value = reply;
  return out;
}

Parsed<IReply> parse_i(std::string_view line) {
  if (auto bad = check_shape<IReply>(line, kILength, '#', "I")) return *bad;
  if (auto bad = check_separators(line, kIFields, std::size(kIFields))) {
    return fail<IReply>(ParseError::kFormat, "I reply: " + *bad);
  }
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      return fail<IReply>(ParseError::kFormat,
                          "I reply has a non-printable byte: " + printable(line));
    }
  }
  IReply reply;
  reply.company = std::string(rtrim(line.substr(kIFields[0].at, kIFields[0].width)));
  reply.model = std::string(rtrim(line.substr(kIFields[1].at, kIFields[1].width)));
  reply.version = std::string(rtrim(line.substr(kIFields[2].at, kIFields[2].width)));
  Parsed<IReply> out;
  out.value = std::move(reply);
  return out;
}

std::string printable(std::string_view bytes, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (bytes.size() > max) out += "...";
  return out;
}

// --- Commands

std::optional<std::string> format_shutdown_delay(seconds delay) {
  if (delay < seconds(0) || delay > kMaxShutdownDelay) return std::nullopt;
  // 0 asks for an immediate cut, which the protocol writes "00" (NUT's load.off is S00R0000).
  if (delay == seconds(0)) return std::string("00");
  if (delay <= seconds(54)) {
    auto tenths = std::max<long long>(2, (delay.count() + 5) / 6);  // 6 s steps, rounded up
    return "." + std::to_string(tenths);
  }
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02lld", minutes_up(delay));
  return std::string(buf);
}

std::optional<std::string> format_restart_delay(seconds delay) {
  if (delay < seconds(0)) return std::nullopt;
  auto minutes = std::max<long long>(1, minutes_up(delay));
  if (minutes > 9999) return std::nullopt;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04lld", minutes);
  return std::string(buf);
}

std::optional<std::string> shutdown_return_command(seconds delay,
                                                   std::optional<seconds> restart_after) {
  auto n = format_shutdown_delay(delay);
  if (!n) return std::nullopt;
  if (!restart_after) return "S" + *n + "\r";
  auto m = format_restart_delay(*restart_after);
  if (!m) return std::nullopt;
  return "S" + *n + "R" + *m + "\r";
}

std::optional<std::string> shutdown_stayoff_command(seconds delay) {
  auto n = format_shutdown_delay(delay);
  if (!n) return std::nullopt;
  return "S" + *n + "R0000\r";
}

std::optional<std::string> timed_test_command(seconds duration) {
  if (duration <= seconds(0)) return std::nullopt;
  auto minutes = minutes_up(duration);
  if (minutes > 99) return std::nullopt;
  char buf[8];
  std::snprintf(buf, sizeof buf, "T%02lld\r", minutes);
  return std::string(buf);
}

namespace {

// The commands whose bytes take no argument.
struct FixedCommand {
  const char* name;
  std::string_view bytes;
  std::optional<bool> beeper_target;
};
const FixedCommand kFixedCommands[] = {{ups_cmd::kTestQuick, kTestQuick, {}},
                                       {ups_cmd::kTestDeep, kTestDeep, {}},
                                       {ups_cmd::kTestStop, kTestStop, {}},
                                       {ups_cmd::kShutdownStop, kCancelShutdown, {}},
                                       {ups_cmd::kLoadOn, kCancelShutdown, {}},
                                       {ups_cmd::kLoadOff, kLoadOff, {}},
                                       {ups_cmd::kBeeperToggle, kBeeperToggle, {}},
                                       {ups_cmd::kBeeperEnable, kBeeperToggle, true},
                                       {ups_cmd::kBeeperDisable, kBeeperToggle, false}};

}  // namespace

EncodedCommand encode_command(const UpsCommand& command) {
  const auto& n = command.name;
  for (const auto& fixed : kFixedCommands) {
    if (n == fixed.name)
      return {UpsCommandStatus::kSuccess, std::string(fixed.bytes), fixed.beeper_target, ""};
  }
  std::optional<std::string> bytes;
  std::string invalid;
  if (n == ups_cmd::kTestTimed) {
    bytes = timed_test_command(command.duration.value_or(kDefaultTestDuration));
    invalid = "a timed battery test lasts 1 to 99 whole minutes";
  } else if (n == ups_cmd::kShutdownReturn || n == ups_cmd::kShutdownStayoff) {
    auto delay = command.delay.value_or(seconds(0));
    bytes = n == ups_cmd::kShutdownReturn ? shutdown_return_command(delay, command.restart_after)
                                          : shutdown_stayoff_command(delay);
    invalid = "a Megatec shutdown delay is 0 s to 10 min and a restart delay 1 to 9999 min";
  } else {
    return {UpsCommandStatus::kUnsupported, "", {}, "Megatec has no command '" + n + "'"};
  }
  if (!bytes) return {UpsCommandStatus::kInvalid, "", {}, invalid};
  return {UpsCommandStatus::kSuccess, *bytes, {}, ""};
}

std::vector<std::string> command_names() {
  return {ups_cmd::kTestQuick,    ups_cmd::kTestDeep,       ups_cmd::kTestTimed,
          ups_cmd::kTestStop,     ups_cmd::kShutdownReturn, ups_cmd::kShutdownStayoff,
          ups_cmd::kShutdownStop, ups_cmd::kLoadOff,        ups_cmd::kLoadOn,
          ups_cmd::kBeeperToggle, ups_cmd::kBeeperEnable,   ups_cmd::kBeeperDisable};
}

void TestTracker::sent(std::string_view bytes) {
  if (bytes == kTestStop && active_) aborted_ = true;
  if (!bytes.empty() && bytes.front() == 'T') deep_ = bytes == kTestDeep;  // T, TL, T<n>
}

void TestTracker::update(const StatusBits& s) {
  if (s.test_in_progress && !active_) {
    active_ = true;
    failed_ = false;
    aborted_ = false;
    result_ = "In progress";
  }
  // A deep test runs the battery down to low on purpose.
  if (active_ && (s.ups_failed || (s.battery_low && !deep_))) failed_ = true;
  if (active_ && !s.test_in_progress) {
    active_ = false;
    deep_ = false;
    result_ = aborted_                    ? "Aborted"
              : (failed_ || s.ups_failed) ? "Done and error"
                                          : "Done and passed";
  }
}

// --- NUT vocabulary

std::string format_number(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string ups_alarm(const Q1Reply& reply) {
  return reply.status.ups_failed ? "UPS selftest failed!" : "";
}

std::string ups_status(const Q1Reply& reply) {
  const auto& s = reply.status;
  std::string out;
  auto add = [&out](const char* flag) {
    if (!out.empty()) out += ' ';
    out += flag;
  };
  if (!ups_alarm(reply).empty()) add("ALARM");
  add(s.utility_fail ? "OB" : "OL");
  if (s.battery_low) add("LB");
  // Which of bypass, boost or buck: nutdrv_qx tells them apart by output against input voltage,
  // and sets none when either is unknown or the ratio is implausible.
  if (s.bypass_boost_buck && reply.input_voltage && reply.output_voltage) {
    double vi = *reply.input_voltage, vo = *reply.output_voltage;
    if (vo < 0.5 * vi) {
      // output far below input: nothing to say
    } else if (vo < 0.95 * vi) {
      add("TRIM");
    } else if (vo < 1.05 * vi) {
      add("BYPASS");
    } else if (vo < 1.5 * vi) {
      add("BOOST");
    }
  }
  if (s.test_in_progress) add("CAL");
  if (s.shutdown_active) add("FSD");
  return out;
}

void publish_q1(const Q1Reply& reply, UpsVars& vars) {
  auto put = [&vars](const char* name, const std::optional<double>& value, int decimals) {
    if (value) vars.set(name, format_number(*value, decimals));
  };
  put(ups_var::kInputVoltage, reply.input_voltage, 1);
  put("input.voltage.fault", reply.input_fault_voltage, 1);
  put(ups_var::kOutputVoltage, reply.output_voltage, 1);
  put(ups_var::kLoad, reply.load, 0);
  put(ups_var::kInputFrequency, reply.input_frequency, 1);
  put(ups_var::kTemperature, reply.temperature, 1);
  vars.set(ups_var::kStatus, ups_status(reply));
  auto alarm = ups_alarm(reply);
  if (!alarm.empty()) vars.set(ups_var::kAlarm, alarm);
  vars.set(ups_var::kType, reply.status.standby ? "offline / line interactive" : "online");
  vars.set(ups_var::kBeeperStatus, reply.status.beeper_on ? "enabled" : "disabled");
}

void publish_f(const FReply& reply, UpsVars& vars) {
  if (reply.voltage) vars.set(ups_var::kInputVoltageNominal, format_number(*reply.voltage, 0));
  if (reply.current && *reply.current > 0) {
    vars.set("input.current.nominal", format_number(*reply.current, 1));
  }
  if (reply.battery_voltage) {
    vars.set(ups_var::kBatteryVoltageNominal, format_number(*reply.battery_voltage, 1));
  }
  if (reply.frequency) {
    vars.set(ups_var::kInputFrequencyNominal, format_number(*reply.frequency, 0));
  }
}

void publish_i(const IReply& reply, UpsVars& vars) {
  if (!reply.company.empty()) vars.set(ups_var::kMfr, reply.company);
  if (!reply.model.empty()) vars.set(ups_var::kModel, reply.model);
  if (!reply.version.empty()) vars.set(ups_var::kFirmware, reply.version);
}

}  // namespace netpower::collectors::megatec
