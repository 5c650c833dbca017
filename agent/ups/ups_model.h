#pragma once
// What the agent knows and does about its UPS, in RFC 1628's terms: it polls the collector, keeps
// the alarm table, the seconds on battery and the input line-bad count, runs battery tests
// (upsTestId and its spin lock), and counts down upsShutdownAfterDelay, upsStartupAfterDelay and
// upsRebootWithDuration, sending the collector's commands at the right moments. Events that become
// traps are reported through UpsEvents. All on the loop thread, on the loop's (injected) clock.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "agent/ups/sys_up_time.h"
#include "agent/ups/ups_alarms.h"
#include "collectors/ups.h"
#include "core/event_loop.h"

namespace netpower::agent::ups {

struct UpsAgentSettings {
  std::string name;              // upsIdentName
  std::string attached_devices;  // upsIdentAttachedDevices
  core::Duration poll_interval = std::chrono::seconds(2);
  long low_batt_minutes = 2;                                           // upsConfigLowBattTime
  core::Duration on_battery_trap_interval = std::chrono::seconds(60);  // RFC 1628: one minute
  double temperature_max = 40.0;  // upsAlarmTempBad outside [min, max] degrees C
  double temperature_min = 0.0;
  core::Duration test_timeout = std::chrono::hours(2);  // a test with no result by then: warning
  // Accept a SET of upsTestId without upsTestSpinLock when no test runs (NUT's snmp-ups does so).
  bool test_without_spin_lock = true;
};

// upsWellKnownTests: the last arc of 1.3.6.1.2.1.33.1.7.7.N.
enum class TestKind : int {
  kNoTestsInitiated = 1,
  kAbortTestInProgress = 2,
  kGeneralSystemsTest = 3,
  kQuickBatteryTest = 4,
  kDeepBatteryCalibration = 5,
};

// upsTestResultsSummary.
enum class TestSummary : int {
  kDonePass = 1,
  kDoneWarning = 2,
  kDoneError = 3,
  kAborted = 4,
  kInProgress = 5,
  kNoTestsInitiated = 6,
};

// upsBatteryStatus, upsOutputSource, upsShutdownType, upsAutoRestart, upsConfigAudibleStatus.
enum class BatteryStatus : int { kUnknown = 1, kNormal = 2, kLow = 3, kDepleted = 4 };
enum class OutputSource : int {
  kOther = 1,
  kNone = 2,
  kNormal = 3,
  kBypass = 4,
  kBattery = 5,
  kBooster = 6,
  kReducer = 7
};
enum class ShutdownType : int { kOutput = 1, kSystem = 2 };
enum class AudibleStatus : int { kDisabled = 1, kEnabled = 2, kMuted = 3 };

// The UPS-MIB settings a manager writes and the agent keeps across restarts (the settings store):
// upsIdentName, upsIdentAttachedDevices, upsConfigLowBattTime, upsShutdownType, upsAutoRestart.
struct UpsPersistent {
  std::string name;
  std::string attached_devices;
  long low_batt_minutes = 2;
  ShutdownType shutdown_type = ShutdownType::kOutput;
  bool auto_restart = true;
  bool operator==(const UpsPersistent&) const = default;
};

struct UpsEvents {
  std::function<void()> on_battery;      // upsTrapOnBattery: at once, then every interval
  std::function<void()> test_completed;  // upsTrapTestCompleted
  std::function<void(const AlarmRow&)> alarm_added;    // upsTrapAlarmEntryAdded
  std::function<void(const AlarmRow&)> alarm_removed;  // upsTrapAlarmEntryRemoved
  std::function<void()> settings_changed;  // a UpsPersistent setting changed (over SNMP)
};

// Why a SET cannot be carried out (the MIB maps it to an SNMP error).
enum class Refusal { kNone, kBusy, kUnsupported, kNoUps };

// How long a UPS that never answered is "not read yet" rather than lost (no CommunicationsLost
// alarm added and removed at every start); upsAlarmShutdownImminent's "less than 5 seconds".
inline constexpr core::Duration kStartGrace = std::chrono::seconds(30);
inline constexpr core::Duration kImminent = std::chrono::seconds(5);

class UpsModel {
 public:
  UpsModel(core::EventLoop& loop, collectors::UpsCollector& collector, UpsAgentSettings settings);
  ~UpsModel();
  UpsModel(const UpsModel&) = delete;
  UpsModel& operator=(const UpsModel&) = delete;

  // Polls now and then every poll_interval.
  void start_polling();
  // One poll: read the collector, update alarms and counters, fire events.
  void poll();

  UpsEvents& events() { return events_; }
  const collectors::UpsReading& reading() const { return reading_; }
  const collectors::UpsVars& vars() const { return reading_.vars; }
  // Identity and ratings (ups.mfr, *.nominal, input.transfer.*) as last read: they stay known while
  // the link is down.
  const collectors::UpsVars& static_vars() const { return static_vars_; }
  bool has_data() const { return reading_.link != collectors::UpsLink::kLost; }
  const UpsAgentSettings& settings() const { return settings_; }
  std::string collector_name() const { return collector_.name(); }

  // Where the TimeStamps (upsAlarmTime, upsTestStartTime) come from: the master agent's sysUpTime
  // in hundredths of a second, not wrapped (Subagent::uptime_ticks). Without one: the model's
  // own clock since it started. When it goes back (the master restarted), the times taken before
  // become 0. Set before start_polling().
  void set_uptime_source(std::function<std::uint64_t()> source) {
    sys_up_time_.set_source(std::move(source));
  }
  // sysUpTime now, as a TimeTicks value (modulo 2^32).
  std::uint32_t ticks() const { return static_cast<std::uint32_t>(sys_up_time_.now()); }

  // The settings kept across restarts, and their restoring at start (fires no event).
  UpsPersistent persistent() const {
    return {settings_.name, settings_.attached_devices, settings_.low_batt_minutes, shutdown_type_,
            auto_restart_};
  }
  void restore(const UpsPersistent& saved) {
    settings_.name = saved.name;
    settings_.attached_devices = saved.attached_devices;
    settings_.low_batt_minutes = saved.low_batt_minutes;
    shutdown_type_ = saved.shutdown_type;
    auto_restart_ = saved.auto_restart;
  }

  // Ident (upsIdentName and upsIdentAttachedDevices are read-write).
  void set_name(std::string name) {
    settings_.name = std::move(name);
    changed();
  }
  void set_attached_devices(std::string text) {
    settings_.attached_devices = std::move(text);
    changed();
  }

  // Battery and input.
  BatteryStatus battery_status() const;
  long seconds_on_battery() const;
  std::uint32_t input_line_bads() const { return line_bads_; }
  OutputSource output_source() const;

  // Alarms.
  const AlarmTable& alarms() const { return alarms_; }

  // Tests.
  TestKind test_id() const { return test_id_; }
  long test_spin_lock() const { return spin_lock_; }
  // TestAndIncr: true (and the lock advances) when `value` equals the lock.
  bool take_spin_lock(long value);
  TestSummary test_summary() const { return test_summary_; }
  const std::string& test_detail() const { return test_detail_; }
  std::uint32_t test_start_ticks() const { return test_start_ticks_; }
  long test_elapsed_ticks() const;  // TimeInterval: hundredths of a second
  Refusal can_start_test(TestKind kind) const;
  // Starts (or aborts) a test; call only after can_start_test() said kNone.
  void start_test(TestKind kind);

  // Control. Seconds remaining or -1, as upsShutdownAfterDelay etc. read.
  long shutdown_after_delay() const;
  long startup_after_delay() const;
  long reboot_with_duration() const;
  ShutdownType shutdown_type() const { return shutdown_type_; }
  bool auto_restart() const { return auto_restart_; }
  void set_shutdown_type(ShutdownType type) {
    shutdown_type_ = type;
    changed();
  }
  void set_auto_restart(bool on) {
    auto_restart_ = on;
    changed();
  }
  Refusal can_control() const;
  // -1 aborts; 0 acts at once.
  void set_shutdown_after_delay(long seconds);
  void set_startup_after_delay(long seconds);
  void set_reboot_with_duration(long seconds);

  // Configuration.
  long low_batt_minutes() const { return settings_.low_batt_minutes; }
  void set_low_batt_minutes(long minutes) {
    settings_.low_batt_minutes = minutes;
    changed();
  }
  AudibleStatus audible_status() const;
  Refusal can_set_audible(AudibleStatus status) const;
  void set_audible_status(AudibleStatus status);

 private:
  struct Countdown {
    std::optional<core::TimePoint> deadline;
    std::optional<core::TimerId> timer;
  };

  void changed() {
    if (events_.settings_changed) events_.settings_changed();
  }
  bool supports(const char* command) const;
  void send(collectors::UpsCommand command, std::function<void(bool)> then = {});
  void update_alarms();
  std::set<Alarm> present_alarms() const;
  void track_on_battery(bool on_battery);
  void arm_on_battery_repeat();
  void track_test();
  void finish_test(TestSummary summary, std::string detail);
  void clear(Countdown& countdown);
  long remaining(const Countdown& countdown) const;
  void schedule_shutdown_send();
  void arm_imminent();
  void on_shutdown_deadline();
  void on_startup_deadline();
  void on_reboot_deadline();
  bool output_off() const;
  bool mains_present() const;
  // Drawing power from the batteries (RFC 1628's upsAlarmOnBattery): the mains are absent (OB, in
  // NUT's meaning of the input line only) and the output is on. A UPS whose output went off on
  // battery feeds nothing: no OnBattery alarm, no upsSecondsOnBattery, no more upsTrapOnBattery.
  bool on_battery_power() const;
  // ticks() for a new TimeStamp, after forgetting the times of an earlier sysUpTime.
  std::uint32_t stamp();

  core::EventLoop& loop_;
  collectors::UpsCollector& collector_;
  UpsAgentSettings settings_;
  UpsEvents events_;
  core::TimePoint started_;
  SysUpTime sys_up_time_;
  std::optional<core::TimerId> poll_timer_;
  bool ever_read_ = false;
  collectors::UpsReading reading_;
  collectors::UpsVars static_vars_;

  // Battery and input.
  std::optional<core::TimePoint> on_battery_since_;
  std::optional<core::TimerId> on_battery_trap_timer_;
  bool input_bad_ = false;
  std::uint32_t line_bads_ = 0;
  AlarmTable alarms_;

  // Tests.
  TestKind test_id_ = TestKind::kNoTestsInitiated;
  long spin_lock_ = 1;
  TestSummary test_summary_ = TestSummary::kNoTestsInitiated;
  std::string test_detail_;
  std::uint32_t test_start_ticks_ = 0;
  core::TimePoint test_started_{};
  core::Duration test_took_{};
  bool test_seen_running_ = false;
  std::string result_before_test_;

  // Control.
  ShutdownType shutdown_type_ = ShutdownType::kOutput;
  bool auto_restart_ = true;
  Countdown shutdown_;
  Countdown startup_;
  Countdown reboot_;
  bool shutdown_sent_ = false;  // the UPS counts the pending shutdown itself
  bool fsd_is_ours_ = false;    // FSD comes from a shutdown we sent (until a poll without it)
  std::optional<core::TimerId> imminent_timer_;
  bool hardware_restarts_ = false;  // ... and restarts the output by itself afterwards
  bool off_as_requested_ = false;   // our shutdown turned the output off
  bool startup_waits_for_mains_ = false;
  std::optional<AudibleStatus> audible_requested_;
};

}  // namespace netpower::agent::ups
