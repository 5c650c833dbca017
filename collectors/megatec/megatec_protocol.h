#pragma once
// The Megatec/Q1 serial protocol, without I/O: bytes in, lines out; a reply line in, its fields or
// a clear error out; a command in, the bytes to send out. docs/megatec.md describes the protocol
// (https://networkupstools.org/protocols/megatec.html is its reference).
//
// Replies come from outside the process: every parser here takes any bytes and never throws.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/ups.h"

namespace netpower::collectors::megatec {

// Why a reply was refused. kShort and kLong: the line does not have the length of its reply;
// kFormat: the length fits but a start character, separator or field is wrong.
enum class ParseError { kShort, kLong, kFormat };

template <typename T>
struct Parsed {
  std::optional<T> value;
  ParseError error = ParseError::kFormat;  // meaningful only without a value
  std::string detail;                      // the error in words; printable ASCII only

  explicit operator bool() const { return value.has_value(); }
};

// Splits the byte stream from the UPS into lines ending at '\r'. A '\n' right after a '\r' (some
// adapters send "\r\n") is dropped. A line longer than `max_line` bytes is discarded up to its
// '\r' and counted.
class LineSplitter {
 public:
  static constexpr std::size_t kMaxLine = 128;

  explicit LineSplitter(std::size_t max_line = kMaxLine) : max_line_(max_line) {}

  void feed(std::string_view bytes);
  // The next complete line without its '\r', or nullopt when more bytes are needed.
  std::optional<std::string> next();
  // Drops every buffered byte and line (before a new request: late answers must not pair up with
  // it). Returns how many bytes were dropped.
  std::size_t clear();
  std::uint64_t overlong() const { return overlong_; }

 private:
  std::size_t max_line_;
  std::string current_;
  std::deque<std::string> lines_;
  bool skipping_ = false;  // inside an overlong line: drop bytes up to its '\r'
  bool after_cr_ = false;  // the previous byte was '\r'
  std::uint64_t overlong_ = 0;
};

// The 8 status bits of a Q1 reply, b7 first.
struct StatusBits {
  bool utility_fail = false;       // b7: on battery
  bool battery_low = false;        // b6
  bool bypass_boost_buck = false;  // b5: which one is told by output/input voltage
  bool ups_failed = false;         // b4
  bool standby = false;            // b3: UPS type standby (offline / line interactive), else online
  bool test_in_progress = false;   // b2
  bool shutdown_active = false;    // b1
  bool beeper_on = false;          // b0
};

// `(MMM.M NNN.N PPP.P QQQ RR.R S.SS TT.T b7..b0`. A field that the UPS fills with '@' (or '-')
// is absent, never zero.
struct Q1Reply {
  std::optional<double> input_voltage;
  std::optional<double> input_fault_voltage;
  std::optional<double> output_voltage;
  std::optional<double> load;  // percent
  std::optional<double> input_frequency;
  std::optional<double> battery_voltage;  // as sent: per cell (2.27) or per pack (27.4)
  std::optional<double> temperature;
  StatusBits status;

  // How many of the seven numeric fields are absent.
  int absent_fields() const;
};

// `#MMM.M QQQ SS.SS RR.R`: rated voltage, rated current, battery voltage, rated frequency.
struct FReply {
  std::optional<double> voltage;
  std::optional<double> current;
  std::optional<double> battery_voltage;
  std::optional<double> frequency;
};

// `#` + company (15) + ' ' + model (10) + ' ' + version (10), trailing blanks removed.
struct IReply {
  std::string company;
  std::string model;
  std::string version;
};

inline constexpr std::size_t kQ1Length = 46;  // without '\r'
inline constexpr std::size_t kFLength = 21;
inline constexpr std::size_t kILength = 38;

// `line` is one reply without its '\r'.
Parsed<Q1Reply> parse_q1(std::string_view line);
Parsed<FReply> parse_f(std::string_view line);
Parsed<IReply> parse_i(std::string_view line);

// Outside bytes made fit for a log line: printable ASCII, others as \xNN, at most `max` bytes.
std::string printable(std::string_view bytes, std::size_t max = 64);

// --- Commands. Each returns the bytes to send, '\r' included, or nullopt when the argument cannot
// be expressed.

// Shutdown delay: .2 .. .9 minutes (12 s steps) below a minute, then 01 .. 10 minutes; rounded up
// to the next value the UPS counts ("0 s" is .2), never cut earlier than asked. nullopt beyond 10
// minutes or negative.
std::optional<std::string> format_shutdown_delay(std::chrono::seconds delay);
// Restart delay: whole minutes 0001 .. 9999, rounded up, at least 0001 (R0000 means stay off).
std::optional<std::string> format_restart_delay(std::chrono::seconds delay);
// S<n> (return when the mains come back), S<n>R<m> (return after m minutes).
std::optional<std::string> shutdown_return_command(
    std::chrono::seconds delay, std::optional<std::chrono::seconds> restart_after);
// S<n>R0000: stay off.
std::optional<std::string> shutdown_stayoff_command(std::chrono::seconds delay);
// T<nn>: a battery test of `duration` rounded up to whole minutes, 01 .. 99.
std::optional<std::string> timed_test_command(std::chrono::seconds duration);

inline constexpr std::chrono::seconds kMaxShutdownDelay{600};
inline constexpr std::chrono::seconds kDefaultTestDuration{600};  // NUT's default for T<n>

// Fixed commands.
inline constexpr std::string_view kQueryStatus = "Q1\r";
inline constexpr std::string_view kQueryRating = "F\r";
inline constexpr std::string_view kQueryInfo = "I\r";
inline constexpr std::string_view kBeeperToggle = "Q\r";
inline constexpr std::string_view kTestQuick = "T\r";
inline constexpr std::string_view kTestDeep = "TL\r";
inline constexpr std::string_view kTestStop = "CT\r";
inline constexpr std::string_view kCancelShutdown = "C\r";  // also turns the output back on
inline constexpr std::string_view kLoadOff = "S00R0000\r";  // NUT's load.off: at once, stay off

// An instant command in NUT's name, as the bytes to send (nutdrv_qx's megatec command table).
struct EncodedCommand {
  UpsCommandStatus status = UpsCommandStatus::kSuccess;  // kUnsupported, kInvalid: nothing to send
  std::string bytes;                                     // '\r' included
  // beeper.enable / beeper.disable: `bytes` toggles, to be sent only when the beeper is not
  // already in this state.
  std::optional<bool> beeper_target;
  std::string detail;  // why not, without a value
};
EncodedCommand encode_command(const UpsCommand& command);
// Every name encode_command() knows.
std::vector<std::string> command_names();

// ups.test.result from the test-in-progress bit of successive Q1 replies: "In progress" while it
// is set; when it clears, "Aborted" if CT went out during the test, "Done and error" if the
// UPS-failed bit (or, except in a deep test, the battery-low bit) was seen, else "Done and passed".
class TestTracker {
 public:
  // A command's bytes went out (T, TL, T<n>, CT matter).
  void sent(std::string_view bytes);
  void update(const StatusBits& status);
  // nullopt until a test has been seen.
  const std::optional<std::string>& result() const { return result_; }

 private:
  bool active_ = false;
  bool failed_ = false;
  bool aborted_ = false;
  bool deep_ = false;
  std::optional<std::string> result_;
};

// --- NUT vocabulary, as nutdrv_qx's megatec subdriver publishes it.

// ups.status flags for `reply` (OL/OB, LB, TRIM/BYPASS/BOOST from output/input voltage, CAL,
// FSD; ALARM when ups_alarm() is not empty).
std::string ups_status(const Q1Reply& reply);
// ups.alarm text, empty when none.
std::string ups_alarm(const Q1Reply& reply);
// Writes the Q1 values that need no other state: voltages, load, frequency, temperature,
// ups.status, ups.alarm, ups.type, ups.beeper.status. battery.voltage is left to the caller (it
// depends on the pack count).
void publish_q1(const Q1Reply& reply, UpsVars& vars);
// input.voltage.nominal, input.current.nominal, battery.voltage.nominal, input.frequency.nominal
// (a rated current of 0 means "not reported" and is left out).
void publish_f(const FReply& reply, UpsVars& vars);
// ups.mfr, ups.model, ups.firmware (empty fields are left out).
void publish_i(const IReply& reply, UpsVars& vars);

// "230.0": `value` with `decimals` digits, as NUT writes numbers.
std::string format_number(double value, int decimals);

}  // namespace netpower::collectors::megatec
