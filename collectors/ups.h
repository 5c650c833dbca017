#pragma once
// The UPS collector interface: one UPS, read as a snapshot in Network UPS Tools' variable
// vocabulary (docs/ups.md lists the names the agent uses), and driven by NUT's instant commands.
//
// As for PDU collectors, every call comes from the agent's loop thread and must return without
// blocking: a driver polls its UPS with I/O on the loop and read() returns its cache.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"

namespace netpower::collectors {

// NUT variable names that drivers fill when the hardware gives them (values as NUT writes them:
// volts, amperes, hertz, percent, seconds, degrees Celsius, watts).
namespace ups_var {
inline constexpr const char* kStatus = "ups.status";  // flags: OL OB LB HB RB CHRG DISCHRG BYPASS
                                                      // CAL OFF OVER TRIM BOOST FSD ALARM
inline constexpr const char* kAlarm = "ups.alarm";    // free text while ALARM is in ups.status
inline constexpr const char* kMfr = "ups.mfr";
inline constexpr const char* kModel = "ups.model";
inline constexpr const char* kFirmware = "ups.firmware";
inline constexpr const char* kType = "ups.type";  // "offline / line interactive", "online"
inline constexpr const char* kLoad = "ups.load";  // percent of rated output
inline constexpr const char* kTemperature = "ups.temperature";
inline constexpr const char* kBeeperStatus = "ups.beeper.status";  // enabled, disabled, muted
inline constexpr const char* kTestResult = "ups.test.result";      // NUT's texts: "In progress",
                                                               // "Done and passed", "Aborted", ...
inline constexpr const char* kRealPowerNominal = "ups.realpower.nominal";
inline constexpr const char* kPowerNominal = "ups.power.nominal";
inline constexpr const char* kBatteryCharge = "battery.charge";
inline constexpr const char* kBatteryRuntime = "battery.runtime";
inline constexpr const char* kBatteryVoltage = "battery.voltage";
inline constexpr const char* kBatteryVoltageNominal = "battery.voltage.nominal";
inline constexpr const char* kBatteryCurrent = "battery.current";
inline constexpr const char* kBatteryTemperature = "battery.temperature";
inline constexpr const char* kInputVoltage = "input.voltage";
inline constexpr const char* kInputVoltageNominal = "input.voltage.nominal";
inline constexpr const char* kInputFrequency = "input.frequency";
inline constexpr const char* kInputFrequencyNominal = "input.frequency.nominal";
inline constexpr const char* kInputCurrent = "input.current";
inline constexpr const char* kInputRealPower = "input.realpower";
inline constexpr const char* kInputTransferLow = "input.transfer.low";
inline constexpr const char* kInputTransferHigh = "input.transfer.high";
inline constexpr const char* kOutputVoltage = "output.voltage";
inline constexpr const char* kOutputVoltageNominal = "output.voltage.nominal";
inline constexpr const char* kOutputFrequency = "output.frequency";
inline constexpr const char* kOutputCurrent = "output.current";
inline constexpr const char* kOutputCurrentNominal = "output.current.nominal";
inline constexpr const char* kOutputRealPower = "output.realpower";
inline constexpr const char* kBypassVoltage = "input.bypass.voltage";
inline constexpr const char* kBypassFrequency = "input.bypass.frequency";
inline constexpr const char* kBypassCurrent = "input.bypass.current";
inline constexpr const char* kBypassRealPower = "input.bypass.realpower";
}  // namespace ups_var

// NUT instant command names that the agent sends.
namespace ups_cmd {
inline constexpr const char* kTestQuick = "test.battery.start.quick";  // Megatec T (10 s)
inline constexpr const char* kTestDeep = "test.battery.start.deep";    // Megatec TL (to low)
inline constexpr const char* kTestTimed = "test.battery.start";        // Megatec T<n>, `duration`
inline constexpr const char* kTestStop = "test.battery.stop";          // Megatec CT
inline constexpr const char* kShutdownReturn = "shutdown.return";      // `delay`, `restart_after`
inline constexpr const char* kShutdownStayoff = "shutdown.stayoff";    // `delay`
inline constexpr const char* kShutdownStop = "shutdown.stop";          // Megatec C
inline constexpr const char* kLoadOff = "load.off";                    // at once
inline constexpr const char* kLoadOn = "load.on";
inline constexpr const char* kBeeperToggle = "beeper.toggle";
inline constexpr const char* kBeeperEnable = "beeper.enable";
inline constexpr const char* kBeeperDisable = "beeper.disable";
}  // namespace ups_cmd

// One snapshot of the UPS: NUT variable name -> value text.
class UpsVars {
 public:
  void set(const std::string& name, std::string value) { vars_[name] = std::move(value); }
  // Writes a number with `decimals` digits after the point, as NUT drivers do ("230.0").
  void set_number(const std::string& name, double value, int decimals);
  void erase(const std::string& name) { vars_.erase(name); }
  bool empty() const { return vars_.empty(); }

  std::optional<std::string> get(const std::string& name) const;
  // nullopt when absent or not a plain decimal number.
  std::optional<double> number(const std::string& name) const;
  // Whether `flag` ("OB", "LB", ...) is one of the words of ups.status.
  bool has_status(const std::string& flag) const;
  const std::map<std::string, std::string>& all() const { return vars_; }

  bool operator==(const UpsVars&) const = default;

 private:
  std::map<std::string, std::string> vars_;
};

// The UPS driver framework (ups_driver.h, framework/staleness.h) decides it for every driver.
enum class UpsLink {
  kOnline,  // the last poll was answered, within the driver's stale_after
  kStale,   // a poll failed since the last good one, or none came for longer than stale_after;
            // `vars` are those of the last good poll (at `updated`)
  kLost,    // no good answer for the driver's comm_lost_after, or never: `vars` is empty
};

struct UpsReading {
  UpsLink link = UpsLink::kLost;
  std::string detail;         // why stale or lost, in words (for logs)
  UpsVars vars;               // empty when lost: a collector never invents values
  core::TimePoint updated{};  // loop-clock time of the last good poll
};

struct UpsCommand {
  std::string name;  // a ups_cmd name (or any other instant command the driver lists)
  // shutdown.return / shutdown.stayoff: time before the output is cut. Drivers round it up to
  // the next value the hardware can count (Megatec: .2 .. .9 minutes, then whole minutes).
  std::optional<std::chrono::seconds> delay;
  // shutdown.return: how long the output stays off before it comes back (Megatec R<m>, rounded
  // up to whole minutes). Absent: the driver's default (Megatec: when the mains return).
  std::optional<std::chrono::seconds> restart_after;
  // test.battery.start: the length of a timed test (Megatec T<n>, whole minutes 1..99).
  std::optional<std::chrono::seconds> duration;
};

enum class UpsCommandStatus {
  kSuccess,      // accepted by the UPS (or sent, on hardware that never acknowledges)
  kFailed,       // the UPS or upsd refused or reported failure
  kUnsupported,  // this UPS has no such command
  kInvalid,      // an argument the hardware cannot express (a delay beyond its range, ...)
  kNoResponse,   // the UPS or upsd did not answer in time, or the link is down
};

struct UpsCommandResult {
  UpsCommandStatus status = UpsCommandStatus::kSuccess;
  std::string detail;  // for logs: what was sent, what came back
  bool ok() const { return status == UpsCommandStatus::kSuccess; }
};

using UpsCommandDone = std::function<void(const UpsCommandResult&)>;

class UpsCollector {
 public:
  virtual ~UpsCollector() = default;
  // A short name for logs ("megatec", "nut", "sim").
  virtual std::string name() const = 0;
  // The latest snapshot. Loop thread; must not block.
  virtual UpsReading read() = 0;
  // The instant commands this UPS accepts (NUT names). May grow once the UPS has answered.
  virtual std::vector<std::string> commands() const = 0;
  // The longest shutdown `delay` the hardware counts down itself (Megatec: 10 minutes). The agent
  // counts longer delays itself and sends the command once the remainder fits. Zero: none; the
  // agent counts every delay and sends the command with no delay.
  virtual std::chrono::seconds max_command_delay() const = 0;
  // Sends an instant command. `done` runs later on the loop thread, never inside run(), exactly
  // once, with the command's real outcome where the protocol tells it (NUT TRACKING).
  virtual void run(const UpsCommand& command, UpsCommandDone done) = 0;
};
using UpsCollectorPtr = std::unique_ptr<UpsCollector>;

const char* to_string(UpsLink link);
const char* to_string(UpsCommandStatus status);

}  // namespace netpower::collectors
