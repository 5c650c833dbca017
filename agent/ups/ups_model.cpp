#include "agent/ups/ups_model.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

namespace netpower::agent::ups {

using namespace std::chrono_literals;
using collectors::UpsCommand;
using collectors::UpsLink;
namespace cmd = collectors::ups_cmd;
namespace var = collectors::ups_var;

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool contains(const std::string& text, const char* word) {
  return text.find(word) != std::string::npos;
}

// NUT's ups.test.result texts (and common variants) to upsTestResultsSummary; nullopt while the
// test runs or when the text says nothing about an outcome.
std::optional<TestSummary> summary_of(const std::string& result) {
  auto text = lower(result);
  if (text.empty() || contains(text, "progress") || contains(text, "no test") ||
      contains(text, "scheduled")) {
    return std::nullopt;
  }
  if (contains(text, "abort") || contains(text, "cancel")) return TestSummary::kAborted;
  if (contains(text, "error") || contains(text, "fail")) return TestSummary::kDoneError;
  if (contains(text, "warn")) return TestSummary::kDoneWarning;
  if (contains(text, "pass") || contains(text, "ok") || contains(text, "done")) {
    return TestSummary::kDonePass;
  }
  return TestSummary::kDoneWarning;
}

std::chrono::seconds whole_seconds_up(core::Duration d) {
  auto s = std::chrono::ceil<std::chrono::seconds>(d);
  return std::max(s, 0s);
}

}  // namespace

UpsModel::UpsModel(core::EventLoop& loop, collectors::UpsCollector& collector,
                   UpsAgentSettings settings)
    : loop_(loop),
      collector_(collector),
      settings_(std::move(settings)),
      started_(loop.clock().now()),
      sys_up_time_(loop.clock()) {}

UpsModel::~UpsModel() {
  for (auto* timer : {&poll_timer_, &on_battery_trap_timer_, &shutdown_.timer, &startup_.timer,
                      &reboot_.timer, &imminent_timer_}) {
    if (*timer) loop_.cancel(**timer);
  }
}

std::uint32_t UpsModel::stamp() {
  auto stamp = sys_up_time_.stamp();
  if (stamp.restarted) {
    spdlog::info(
        "UPS: the master's sysUpTime went back to {} (it restarted): earlier alarm and "
        "test times are now 0",
        stamp.ticks);
    alarms_.forget_times();
    test_start_ticks_ = 0;
  }
  return stamp.ticks;
}

void UpsModel::start_polling() {
  poll();
  poll_timer_ = loop_.call_after(settings_.poll_interval, [this]() {
    poll_timer_.reset();
    start_polling();
  });
}

void UpsModel::poll() {
  auto previous_link = reading_.link;
  reading_ = collector_.read();
  if (reading_.link != previous_link) {
    if (reading_.link == UpsLink::kOnline) {
      spdlog::info("UPS ({}): communication established", collector_.name());
    } else {
      spdlog::warn("UPS ({}): link {}: {}", collector_.name(), collectors::to_string(reading_.link),
                   reading_.detail);
    }
  }
  if (has_data()) {
    ever_read_ = true;
    if (fsd_is_ours_ && !shutdown_sent_ && !vars().has_status("FSD")) fsd_is_ours_ = false;
    for (const auto& [name, value] : vars().all()) {
      bool rating = name.ends_with(".nominal") || name.starts_with("input.transfer.");
      if (rating || name == var::kMfr || name == var::kModel || name == var::kFirmware) {
        static_vars_.set(name, value);
      }
    }
    track_on_battery(on_battery_power());
  }
  track_test();
  // The output came back on: an earlier "off as requested" is over.
  if (off_as_requested_ && has_data() && !output_off()) off_as_requested_ = false;
  if (startup_waits_for_mains_ && mains_present()) {
    startup_waits_for_mains_ = false;
    on_startup_deadline();
  }
  update_alarms();
}

// ---------------------------------------------------------------- battery, input, output

bool UpsModel::output_off() const {
  if (vars().has_status("OFF")) return true;
  auto volts = vars().number(var::kOutputVoltage);
  return volts && *volts <= 0.0;
}

bool UpsModel::on_battery_power() const {
  return has_data() && vars().has_status("OB") && !output_off();
}

bool UpsModel::mains_present() const {
  if (!has_data() || vars().has_status("OB")) return false;
  auto volts = vars().number(var::kInputVoltage);
  return !volts || *volts > 0.0;
}

void UpsModel::track_on_battery(bool on_battery) {
  if (on_battery && !on_battery_since_) {
    on_battery_since_ = loop_.clock().now();
    spdlog::warn("UPS ({}): on battery", collector_.name());
    // upsTrapOnBattery at once, then at every interval until the mains return or the UPS is off.
    if (events_.on_battery) events_.on_battery();
    arm_on_battery_repeat();
  } else if (!on_battery && on_battery_since_) {
    on_battery_since_.reset();
    if (on_battery_trap_timer_) loop_.cancel(*on_battery_trap_timer_);
    on_battery_trap_timer_.reset();
    spdlog::info(
        "UPS ({}): {}", collector_.name(),
        output_off() ? "no longer on battery: the output is off" : "back on utility power");
  }
}

void UpsModel::arm_on_battery_repeat() {
  on_battery_trap_timer_ = loop_.call_after(settings_.on_battery_trap_interval, [this]() {
    on_battery_trap_timer_.reset();
    if (!on_battery_since_ || output_off()) return;
    if (events_.on_battery) events_.on_battery();
    arm_on_battery_repeat();
  });
}

long UpsModel::seconds_on_battery() const {
  if (!on_battery_since_) return 0;
  auto elapsed = loop_.clock().now() - *on_battery_since_;
  return static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count());
}

BatteryStatus UpsModel::battery_status() const {
  if (!has_data()) return BatteryStatus::kUnknown;
  auto charge = vars().number(var::kBatteryCharge);
  auto runtime = vars().number(var::kBatteryRuntime);
  if ((charge && *charge <= 0.0) || (runtime && *runtime <= 0.0)) return BatteryStatus::kDepleted;
  if (vars().has_status("LB")) return BatteryStatus::kLow;
  if (runtime && *runtime / 60.0 <= static_cast<double>(settings_.low_batt_minutes)) {
    return BatteryStatus::kLow;
  }
  return BatteryStatus::kNormal;
}

OutputSource UpsModel::output_source() const {
  if (!has_data()) return OutputSource::kOther;
  const auto& v = vars();
  if (output_off()) return OutputSource::kNone;
  // DISCHRG: the inverter feeds the output from the battery, also in a battery test on mains (OL).
  if (v.has_status("OB") || v.has_status("DISCHRG")) return OutputSource::kBattery;
  if (v.has_status("BYPASS")) return OutputSource::kBypass;
  if (v.has_status("BOOST")) return OutputSource::kBooster;
  if (v.has_status("TRIM")) return OutputSource::kReducer;
  if (v.has_status("OL")) return OutputSource::kNormal;
  return OutputSource::kOther;
}

// ---------------------------------------------------------------- alarms

std::set<Alarm> UpsModel::present_alarms() const {
  std::set<Alarm> present;
  if (!has_data()) {
    // Before the first answer the collector says "lost" too: that is a UPS not read yet, not a
    // lost one, unless it stays silent for the whole start grace.
    if (ever_read_ || loop_.clock().now() - started_ >= kStartGrace) {
      present.insert(Alarm::kCommunicationsLost);
    }
  } else {
    const auto& v = vars();
    if (v.has_status("RB")) present.insert(Alarm::kBatteryBad);
    if (on_battery_power()) present.insert(Alarm::kOnBattery);
    auto status = battery_status();
    if (status == BatteryStatus::kLow || status == BatteryStatus::kDepleted) {
      present.insert(Alarm::kLowBattery);
    }
    if (status == BatteryStatus::kDepleted) present.insert(Alarm::kDepletedBattery);
    for (const char* name : {var::kTemperature, var::kBatteryTemperature}) {
      auto t = v.number(name);
      if (t && (*t > settings_.temperature_max || *t < settings_.temperature_min)) {
        present.insert(Alarm::kTempBad);
      }
    }
    if (input_bad_) present.insert(Alarm::kInputBad);
    auto load = v.number(var::kLoad);
    if (v.has_status("OVER") || (load && *load > 100.0)) present.insert(Alarm::kOutputOverload);
    if (v.has_status("BYPASS")) present.insert(Alarm::kOnBypass);
    bool off = output_off();
    if (off) present.insert(Alarm::kUpsOutputOff);
    if (off && off_as_requested_) {
      present.insert(shutdown_type_ == ShutdownType::kSystem ? Alarm::kUpsOffAsRequested
                                                             : Alarm::kOutputOffAsRequested);
    }
    if (off && !mains_present()) present.insert(Alarm::kAwaitingPower);
    if (v.has_status("ALARM")) present.insert(Alarm::kGeneralFault);
    // A UPS counting a shutdown we sent shows FSD for all of its delay (Megatec: from S02 on) and
    // until a poll after an abort: our own countdown says when it is imminent, not the flag.
    if (v.has_status("FSD") && !fsd_is_ours_) present.insert(Alarm::kShutdownImminent);
    if (test_summary_ == TestSummary::kDoneError) present.insert(Alarm::kDiagnosticTestFailed);
  }
  if (shutdown_.deadline) {
    present.insert(Alarm::kShutdownPending);
    if (*shutdown_.deadline - loop_.clock().now() < kImminent) {
      present.insert(Alarm::kShutdownImminent);
    }
  }
  if (test_summary_ == TestSummary::kInProgress) present.insert(Alarm::kTestInProgress);
  return present;
}

void UpsModel::update_alarms() {
  // upsInputLineBads counts the transitions into an out-of-tolerance input.
  bool bad = false;
  if (has_data()) {
    const auto& v = vars();
    auto volts = v.number(var::kInputVoltage);
    auto low = v.number(var::kInputTransferLow);
    auto high = v.number(var::kInputTransferHigh);
    bad = v.has_status("OB") || (volts && ((low && *volts < *low) || (high && *volts > *high)));
    if (bad && !input_bad_) ++line_bads_;
    input_bad_ = bad;
  }
  auto change = alarms_.update(present_alarms(), stamp());
  for (const auto& row : change.removed) {
    spdlog::info("UPS alarm cleared: {} (id {})", to_string(row.alarm), row.id);
    if (announced_on_remove(row.alarm) && events_.alarm_removed) events_.alarm_removed(row);
  }
  for (const auto& row : change.added) {
    spdlog::warn("UPS alarm: {} (id {})", to_string(row.alarm), row.id);
    if (announced_on_add(row.alarm) && events_.alarm_added) events_.alarm_added(row);
  }
}

// ---------------------------------------------------------------- commands

bool UpsModel::supports(const char* command) const {
  auto list = collector_.commands();
  return std::find(list.begin(), list.end(), command) != list.end();
}

void UpsModel::send(UpsCommand command, std::function<void(bool)> then) {
  spdlog::info("UPS ({}): sending {}", collector_.name(), command.name);
  collector_.run(command, [this, name = command.name,
                           then = std::move(then)](const collectors::UpsCommandResult& result) {
    if (result.ok()) {
      spdlog::info("UPS ({}): {} done: {}", collector_.name(), name, result.detail);
    } else {
      spdlog::error("UPS ({}): {} {}: {}", collector_.name(), name,
                    collectors::to_string(result.status), result.detail);
    }
    if (then) then(result.ok());
  });
}

// ---------------------------------------------------------------- tests

bool UpsModel::take_spin_lock(long value) {
  if (value != spin_lock_) return false;
  spin_lock_ = spin_lock_ >= 2147483647 ? 0 : spin_lock_ + 1;
  return true;
}

long UpsModel::test_elapsed_ticks() const {
  if (test_summary_ == TestSummary::kNoTestsInitiated) return 0;
  auto d =
      test_summary_ == TestSummary::kInProgress ? loop_.clock().now() - test_started_ : test_took_;
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count() / 10);
}

Refusal UpsModel::can_start_test(TestKind kind) const {
  if (!has_data()) return Refusal::kNoUps;
  switch (kind) {
    case TestKind::kAbortTestInProgress:
      if (test_summary_ != TestSummary::kInProgress) return Refusal::kBusy;
      return supports(cmd::kTestStop) ? Refusal::kNone : Refusal::kUnsupported;
    case TestKind::kGeneralSystemsTest:
    case TestKind::kQuickBatteryTest:
      if (test_summary_ == TestSummary::kInProgress) return Refusal::kBusy;
      return supports(cmd::kTestQuick) ? Refusal::kNone : Refusal::kUnsupported;
    case TestKind::kDeepBatteryCalibration:
      if (test_summary_ == TestSummary::kInProgress) return Refusal::kBusy;
      return supports(cmd::kTestDeep) ? Refusal::kNone : Refusal::kUnsupported;
    case TestKind::kNoTestsInitiated:
      return Refusal::kUnsupported;
  }
  return Refusal::kUnsupported;
}

void UpsModel::start_test(TestKind kind) {
  if (kind == TestKind::kAbortTestInProgress) {
    send({cmd::kTestStop, {}, {}, {}}, [this](bool ok) {
      if (ok && test_summary_ == TestSummary::kInProgress) {
        test_id_ = TestKind::kAbortTestInProgress;
        finish_test(TestSummary::kAborted, "aborted by request");
      }
    });
    return;
  }
  test_id_ = kind;
  test_summary_ = TestSummary::kInProgress;
  test_detail_.clear();
  test_started_ = loop_.clock().now();
  test_start_ticks_ = stamp();
  test_seen_running_ = false;
  result_before_test_ = vars().get(var::kTestResult).value_or("");
  const char* command =
      kind == TestKind::kDeepBatteryCalibration ? cmd::kTestDeep : cmd::kTestQuick;
  update_alarms();
  send({command, {}, {}, {}}, [this](bool ok) {
    if (!ok && test_summary_ == TestSummary::kInProgress) {
      finish_test(TestSummary::kDoneError, "the UPS did not accept the test command");
    }
  });
}

void UpsModel::track_test() {
  if (test_summary_ != TestSummary::kInProgress) return;
  auto now = loop_.clock().now();
  if (has_data()) {
    auto result = vars().get(var::kTestResult);
    bool running =
        vars().has_status("CAL") ||
        (result && !summary_of(*result) && lower(*result).find("progress") != std::string::npos);
    if (running) test_seen_running_ = true;
    // A result counts once the test was seen running, or when the text changed since the start
    // (a quick test may finish between two polls).
    if (result && !running && (test_seen_running_ || *result != result_before_test_)) {
      if (auto summary = summary_of(*result)) {
        finish_test(*summary, *result);
        return;
      }
    }
  }
  if (now - test_started_ > settings_.test_timeout) {
    finish_test(TestSummary::kDoneWarning, "the UPS reported no result within the test timeout");
  }
}

void UpsModel::finish_test(TestSummary summary, std::string detail) {
  test_summary_ = summary;
  test_detail_ = std::move(detail);
  test_took_ = loop_.clock().now() - test_started_;
  spdlog::info("UPS ({}): test finished: {} ({})", collector_.name(), static_cast<int>(summary),
               test_detail_);
  if (events_.test_completed) events_.test_completed();
  update_alarms();
}

// ---------------------------------------------------------------- control

Refusal UpsModel::can_control() const { return has_data() ? Refusal::kNone : Refusal::kNoUps; }

void UpsModel::clear(Countdown& countdown) {
  if (countdown.timer) loop_.cancel(*countdown.timer);
  countdown.timer.reset();
  countdown.deadline.reset();
}

long UpsModel::remaining(const Countdown& countdown) const {
  if (!countdown.deadline) return -1;
  return static_cast<long>(whole_seconds_up(*countdown.deadline - loop_.clock().now()).count());
}

long UpsModel::shutdown_after_delay() const { return remaining(shutdown_); }
long UpsModel::startup_after_delay() const { return remaining(startup_); }
long UpsModel::reboot_with_duration() const { return remaining(reboot_); }

void UpsModel::set_shutdown_after_delay(long seconds) {
  bool had_sent = shutdown_sent_;
  clear(shutdown_);
  if (imminent_timer_) loop_.cancel(*imminent_timer_);
  imminent_timer_.reset();
  shutdown_sent_ = false;
  hardware_restarts_ = false;
  if (seconds < 0) {
    spdlog::info("UPS ({}): shutdown countdown aborted", collector_.name());
    if (had_sent) send({cmd::kShutdownStop, {}, {}, {}});
    update_alarms();
    return;
  }
  if (had_sent) send({cmd::kShutdownStop, {}, {}, {}});  // the new countdown overrides the old
  shutdown_.deadline = loop_.clock().now() + std::chrono::seconds(seconds);
  spdlog::info("UPS ({}): shutdown ({}) in {} s", collector_.name(),
               shutdown_type_ == ShutdownType::kSystem ? "system" : "output", seconds);
  schedule_shutdown_send();
  update_alarms();
}

// The UPS counts at most max_command_delay() itself: send the command when the remainder fits
// (at once for short delays), or at the deadline for a UPS that counts nothing.
void UpsModel::schedule_shutdown_send() {
  auto max_delay = collector_.max_command_delay();
  auto send_at = *shutdown_.deadline - std::chrono::duration_cast<core::Duration>(max_delay);
  auto now = loop_.clock().now();
  auto fire = [this]() {
    shutdown_.timer.reset();
    auto max = collector_.max_command_delay();
    auto left = whole_seconds_up(*shutdown_.deadline - loop_.clock().now());
    if (max > 0s && !shutdown_sent_) {
      UpsCommand command;
      command.delay = std::min(left, max);
      if (startup_.deadline && *startup_.deadline >= *shutdown_.deadline) {
        command.name = cmd::kShutdownReturn;
        command.restart_after = whole_seconds_up(*startup_.deadline - *shutdown_.deadline);
        hardware_restarts_ = true;
      } else {
        // upsAutoRestart: restart after a shutdown that happens during a power loss.
        command.name =
            auto_restart_ && !mains_present() ? cmd::kShutdownReturn : cmd::kShutdownStayoff;
      }
      shutdown_sent_ = true;
      fsd_is_ours_ = true;
      send(command, [this](bool ok) {
        if (!ok) {
          shutdown_sent_ = false;
          hardware_restarts_ = false;
        }
      });
    }
    // The agent keeps its own countdown for the MIB and the alarms.
    arm_imminent();
    shutdown_.timer = loop_.call_at(*shutdown_.deadline, [this]() {
      shutdown_.timer.reset();
      on_shutdown_deadline();
    });
  };
  if (max_delay > 0s && send_at > now) {
    shutdown_.timer = loop_.call_at(send_at, fire);
  } else {
    fire();
  }
}

// upsAlarmShutdownImminent: "less than 5 seconds" before the countdown ends, on time rather
// than at the next poll.
void UpsModel::arm_imminent() {
  if (imminent_timer_) loop_.cancel(*imminent_timer_);
  imminent_timer_ = loop_.call_at(*shutdown_.deadline - kImminent + 1ms, [this]() {
    imminent_timer_.reset();
    update_alarms();
  });
}

void UpsModel::on_shutdown_deadline() {
  shutdown_.deadline.reset();
  off_as_requested_ = true;
  if (!shutdown_sent_) {
    // The UPS counts nothing: cut the output now.
    bool restart =
        auto_restart_ && !startup_.deadline && !mains_present() && supports(cmd::kShutdownReturn);
    const char* name = restart ? cmd::kShutdownReturn
                       : supports(cmd::kLoadOff) || !supports(cmd::kShutdownStayoff)
                           ? cmd::kLoadOff
                           : cmd::kShutdownStayoff;
    send({name, {}, {}, {}});
  }
  shutdown_sent_ = false;
  spdlog::warn("UPS ({}): shutdown countdown reached zero", collector_.name());
  update_alarms();
}

void UpsModel::set_startup_after_delay(long seconds) {
  clear(startup_);
  startup_waits_for_mains_ = false;
  if (seconds < 0) {
    spdlog::info("UPS ({}): startup countdown aborted", collector_.name());
    return;
  }
  // Overrides a reboot in progress (RFC 1628).
  clear(reboot_);
  startup_.deadline = loop_.clock().now() + std::chrono::seconds(seconds);
  spdlog::info("UPS ({}): output startup in {} s", collector_.name(), seconds);
  startup_.timer = loop_.call_at(*startup_.deadline, [this]() {
    startup_.timer.reset();
    on_startup_deadline();
  });
}

void UpsModel::on_startup_deadline() {
  startup_.deadline.reset();
  if (hardware_restarts_ && !shutdown_.deadline) {
    hardware_restarts_ = false;  // the UPS restarts by itself (R<m> of the shutdown)
    return;
  }
  if (!mains_present()) {
    // "If the countdown expires during a utility failure, the startup shall not occur until the
    // utility power is restored."
    startup_waits_for_mains_ = true;
    spdlog::info("UPS ({}): startup waits for the utility power", collector_.name());
    return;
  }
  if (has_data() && !output_off()) return;  // already on: nothing happens
  send({cmd::kLoadOn, {}, {}, {}}, [this](bool ok) {
    if (ok) off_as_requested_ = false;
  });
}

void UpsModel::set_reboot_with_duration(long seconds) {
  clear(reboot_);
  if (seconds < 0) return;
  clear(startup_);  // a reboot replaces a pending startup
  reboot_.deadline = loop_.clock().now() + std::chrono::seconds(seconds);
  spdlog::info("UPS ({}): reboot, output off for {} s", collector_.name(), seconds);
  off_as_requested_ = true;
  if (collector_.max_command_delay() > 0s) {
    UpsCommand command{cmd::kShutdownReturn, 0s, std::chrono::seconds(seconds), {}};
    send(command);
  } else {
    send({cmd::kLoadOff, {}, {}, {}});
  }
  reboot_.timer = loop_.call_at(*reboot_.deadline, [this]() {
    reboot_.timer.reset();
    on_reboot_deadline();
  });
  update_alarms();
}

void UpsModel::on_reboot_deadline() {
  reboot_.deadline.reset();
  if (collector_.max_command_delay() > 0s) return;  // the UPS restarts itself (R<m>)
  startup_.deadline = loop_.clock().now();
  on_startup_deadline();
}

AudibleStatus UpsModel::audible_status() const {
  auto status = vars().get(var::kBeeperStatus);
  if (status == "disabled") return AudibleStatus::kDisabled;
  if (status == "muted") return AudibleStatus::kMuted;
  if (status == "enabled") return AudibleStatus::kEnabled;
  return audible_requested_.value_or(AudibleStatus::kEnabled);
}

Refusal UpsModel::can_set_audible(AudibleStatus status) const {
  if (!has_data()) return Refusal::kNoUps;
  if (status == AudibleStatus::kMuted) {
    return supports("beeper.mute") || supports(cmd::kBeeperToggle) ? Refusal::kNone
                                                                   : Refusal::kUnsupported;
  }
  const char* direct = status == AudibleStatus::kEnabled ? cmd::kBeeperEnable : cmd::kBeeperDisable;
  return supports(direct) || supports(cmd::kBeeperToggle) ? Refusal::kNone : Refusal::kUnsupported;
}

void UpsModel::set_audible_status(AudibleStatus status) {
  audible_requested_ = status;
  auto current = audible_status();
  if (status == AudibleStatus::kMuted) {
    // Muting only matters while the alarm sounds; without beeper.mute a toggle silences it.
    if (supports("beeper.mute")) {
      send({"beeper.mute", {}, {}, {}});
    } else if (current == AudibleStatus::kEnabled) {
      send({cmd::kBeeperToggle, {}, {}, {}});
    }
    return;
  }
  const char* direct = status == AudibleStatus::kEnabled ? cmd::kBeeperEnable : cmd::kBeeperDisable;
  if (supports(direct)) {
    send({direct, {}, {}, {}});
  } else if (current != status) {
    send({cmd::kBeeperToggle, {}, {}, {}});
  }
}

}  // namespace netpower::agent::ups
