#include "collectors/sim/sim_ups.h"

#include <sys/un.h>

#include <algorithm>
#include <cmath>

namespace netpower::collectors::sim {

using namespace std::chrono_literals;

namespace {

constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path) - 1;
constexpr std::size_t kMaxIdentLength = 63;

std::chrono::seconds seconds_setting(const core::YamlReader& reader, const YAML::Node& node,
                                     const char* key, std::chrono::seconds fallback,
                                     std::chrono::seconds min) {
  auto value =
      std::chrono::duration_cast<std::chrono::seconds>(reader.duration(node, key, fallback));
  if (value < min) {
    reader.fail(node[key],
                std::string("'") + key + "' must be at least " + std::to_string(min.count()) + "s");
  }
  return value;
}

std::string describe(const UpsCommand& command) {
  std::string text = command.name;
  if (command.delay) text += " delay=" + std::to_string(command.delay->count()) + "s";
  if (command.restart_after) {
    text += " restart_after=" + std::to_string(command.restart_after->count()) + "s";
  }
  if (command.duration) text += " duration=" + std::to_string(command.duration->count()) + "s";
  return text;
}

}  // namespace

SimUpsSettings parse_sim_ups_settings(const YAML::Node& node, const core::YamlReader& reader) {
  reader.expect_map(node, "sim UPS settings",
                    {"mfr",
                     "model",
                     "firmware",
                     "input_voltage",
                     "frequency",
                     "power_va",
                     "power_watts",
                     "battery_voltage",
                     "load",
                     "feeds_chain",
                     "charge",
                     "temperature",
                     "transfer_low",
                     "transfer_high",
                     "low_charge",
                     "full_load_runtime",
                     "recharge_time",
                     "quick_test_time",
                     "max_command_delay",
                     "comm_lost_after",
                     "control_socket"});
  SimUpsSettings out;
  if (!node || node.IsNull()) return out;
  out.mfr = reader.string(node, "mfr", out.mfr, kMaxIdentLength);
  out.model = reader.string(node, "model", out.model, kMaxIdentLength);
  out.firmware = reader.string(node, "firmware", out.firmware, kMaxIdentLength);
  out.input_voltage = reader.number(node, "input_voltage", out.input_voltage, 90, 480);
  out.frequency = reader.number(node, "frequency", out.frequency, 45, 65);
  out.power_va = reader.number(node, "power_va", out.power_va, 100, 1000000);
  out.power_watts = reader.number(node, "power_watts", out.power_watts, 50, out.power_va);
  out.battery_voltage = reader.number(node, "battery_voltage", out.battery_voltage, 6, 480);
  out.feeds_chain = reader.boolean(node, "feeds_chain", out.feeds_chain);
  if (out.feeds_chain && node["load"]) {
    reader.fail(node["load"],
                "'load' cannot be set with 'feeds_chain': the UPS's load is what the chain's ports "
                "draw (their appliances' loads in the PDU's settings)");
  }
  out.load_percent = reader.number(node, "load", out.load_percent, 0, 150);
  out.charge_percent = reader.number(node, "charge", out.charge_percent, 0, 100);
  out.temperature_c = reader.number(node, "temperature", out.temperature_c, -40, 125);
  out.transfer_low = reader.number(node, "transfer_low", out.transfer_low, 50, out.input_voltage);
  out.transfer_high =
      reader.number(node, "transfer_high", out.transfer_high, out.input_voltage, 600);
  out.low_charge_percent = reader.number(node, "low_charge", out.low_charge_percent, 0, 100);
  out.full_load_runtime =
      seconds_setting(reader, node, "full_load_runtime", out.full_load_runtime, 10s);
  out.recharge_time = seconds_setting(reader, node, "recharge_time", out.recharge_time, 10s);
  out.quick_test_time = seconds_setting(reader, node, "quick_test_time", out.quick_test_time, 1s);
  out.max_command_delay =
      seconds_setting(reader, node, "max_command_delay", out.max_command_delay, 0s);
  out.comm_lost_after = seconds_setting(reader, node, "comm_lost_after", out.comm_lost_after, 1s);
  out.control_socket = reader.string(node, "control_socket", "", kMaxSocketPath);
  if (node["control_socket"] && !node["control_socket"].IsNull() && out.control_socket.empty()) {
    reader.fail(node["control_socket"], "'control_socket' must be a path");
  }
  return out;
}

SimUps::SimUps(const SimUpsSettings& settings, const core::Clock& clock)
    : settings_(settings),
      clock_(clock),
      last_(clock.now()),
      input_voltage_(settings.input_voltage),
      load_(settings.load_percent),
      charge_(settings.charge_percent),
      temperature_(settings.temperature_c),
      link_(settings.comm_lost_after, settings.comm_lost_after) {
  link_.ok(make_vars(), last_);
}

std::vector<std::string> SimUps::commands() const {
  return {ups_cmd::kTestQuick,    ups_cmd::kTestDeep,       ups_cmd::kTestTimed,
          ups_cmd::kTestStop,     ups_cmd::kShutdownReturn, ups_cmd::kShutdownStayoff,
          ups_cmd::kShutdownStop, ups_cmd::kLoadOff,        ups_cmd::kLoadOn,
          ups_cmd::kBeeperToggle, ups_cmd::kBeeperEnable,   ups_cmd::kBeeperDisable};
}

void SimUps::feed(const SimLoad* load) {
  advance();  // until now with the load before
  fed_ = load;
}

bool SimUps::output_on_now() {
  advance();
  return output_on_;
}

double SimUps::load_percent() const {
  if (fed_ == nullptr) return load_;
  // The chain's amperes at the output's nominal voltage, as a share of the rated VA.
  return fed_->demand_amps() * settings_.input_voltage / settings_.power_va * 100.0;
}

double SimUps::runtime_seconds() const {
  double full = static_cast<double>(settings_.full_load_runtime.count());
  double load = std::max(load_percent(), 1.0);
  return full * std::pow(100.0 / load, 1.2) * charge_ / 100.0;
}

void SimUps::integrate(core::Duration dt) {
  double seconds = std::chrono::duration<double>(dt).count();
  if (seconds <= 0) return;
  bool testing = test_until_.has_value();
  bool discharging = output_on_ && (!mains_ || testing);
  if (discharging) {
    double full_charge_runtime = runtime_seconds() / std::max(charge_ / 100.0, 1e-9);
    charge_ = std::max(0.0, charge_ - seconds / full_charge_runtime * 100.0);
  } else if (mains_) {
    double rate = 100.0 / static_cast<double>(settings_.recharge_time.count());
    charge_ = std::min(100.0, charge_ + seconds * rate);
  }
}

void SimUps::advance() {
  auto now = clock_.now();
  while (last_ < now) {
    // The next scheduled event before now, if any.
    auto next = now;
    if (shutdown_at_) next = std::min(next, *shutdown_at_);
    if (restart_at_) next = std::min(next, *restart_at_);
    if (test_until_ && *test_until_ != core::TimePoint::max()) next = std::min(next, *test_until_);
    next = std::max(next, last_);
    integrate(next - last_);
    last_ = next;
    bool progressed = false;
    if (shutdown_at_ && *shutdown_at_ <= last_) {
      output_on_ = false;
      shutdown_at_.reset();
      if (restart_after_) {
        restart_at_ = last_ + *restart_after_;
      } else if (restart_on_mains_) {
        awaiting_mains_ = true;
      }
      restart_after_.reset();
      restart_on_mains_ = false;
      progressed = true;
    }
    if (restart_at_ && *restart_at_ <= last_) {
      restart_at_.reset();
      if (mains_) {
        output_on_ = true;
      } else {
        awaiting_mains_ = true;  // the RFC: no startup until the utility is back
      }
      progressed = true;
    }
    if (test_until_ && *test_until_ <= last_) {
      test_until_.reset();
      test_result_ = test_saw_error_ || battery_bad_ ? "Done and error"
                     : charge_ < 50.0                ? "Done and warning"
                                                     : "Done and passed";
      progressed = true;
    }
    // A deep test runs until the battery is low.
    if (test_until_ && *test_until_ == core::TimePoint::max() &&
        charge_ <= settings_.low_charge_percent) {
      test_until_.reset();
      test_result_ = battery_bad_ ? "Done and error" : "Done and passed";
    }
    if (battery_bad_ && test_until_) test_saw_error_ = true;
    // Battery exhausted on battery power: the output drops and comes back with the mains.
    if (output_on_ && !mains_ && charge_ <= 0.0) {
      output_on_ = false;
      awaiting_mains_ = true;
    }
    if (!progressed && next == now) break;
  }
  if (awaiting_mains_ && mains_) {
    awaiting_mains_ = false;
    output_on_ = true;
  }
}

UpsVars SimUps::make_vars() const {
  UpsVars v;
  bool testing = test_until_.has_value();
  // NUT: "the OL and OB flags are an indication of the input line status only"; DISCHRG: the
  // inverter feeds the load from the battery (on battery, or in a battery test on mains); OFF:
  // no power at the output, whatever the mains.
  bool discharging = output_on_ && (!mains_ || testing);
  std::string status = mains_ ? "OL" : "OB";
  if (discharging) status += " DISCHRG";
  if (!discharging && mains_ && charge_ < 99.5) status += " CHRG";
  if (charge_ <= settings_.low_charge_percent) status += " LB";
  if (battery_bad_) status += " RB";
  if (testing) status += " CAL";
  if (!output_on_) status += " OFF";
  double load = output_on_ ? load_percent() : 0.0;
  if (load > 100.0) status += " OVER";
  if (fault_) status += " ALARM";
  v.set(ups_var::kStatus, status);
  if (fault_) v.set(ups_var::kAlarm, "General fault");
  v.set(ups_var::kMfr, settings_.mfr);
  v.set(ups_var::kModel, settings_.model);
  v.set(ups_var::kFirmware, settings_.firmware);
  v.set(ups_var::kType, "online");
  v.set(ups_var::kBeeperStatus, beeper_ ? "enabled" : "disabled");
  v.set(ups_var::kTestResult, test_result_);
  v.set_number(ups_var::kTemperature, temperature_, 1);
  v.set_number(ups_var::kLoad, load, 0);
  v.set_number(ups_var::kPowerNominal, settings_.power_va, 0);
  v.set_number(ups_var::kRealPowerNominal, settings_.power_watts, 0);
  v.set_number(ups_var::kBatteryCharge, charge_, 0);
  v.set_number(ups_var::kBatteryRuntime, runtime_seconds(), 0);
  double cells_fraction = 0.875 + 0.25 * charge_ / 100.0;  // 21.0 .. 27.0 V on a 24 V pack
  v.set_number(ups_var::kBatteryVoltage, settings_.battery_voltage * cells_fraction, 2);
  v.set_number(ups_var::kBatteryVoltageNominal, settings_.battery_voltage, 1);
  double input = mains_ ? input_voltage_ : 0.0;
  v.set_number(ups_var::kInputVoltage, input, 1);
  v.set_number(ups_var::kInputVoltageNominal, settings_.input_voltage, 0);
  v.set_number(ups_var::kInputFrequency, mains_ ? settings_.frequency : 0.0, 1);
  v.set_number(ups_var::kInputFrequencyNominal, settings_.frequency, 0);
  v.set_number(ups_var::kInputTransferLow, settings_.transfer_low, 0);
  v.set_number(ups_var::kInputTransferHigh, settings_.transfer_high, 0);
  double out_volts = output_on_ ? settings_.input_voltage : 0.0;
  double out_amps = output_on_ ? load / 100.0 * settings_.power_va / settings_.input_voltage : 0.0;
  double out_watts = load / 100.0 * settings_.power_watts;
  v.set_number(ups_var::kOutputVoltage, out_volts, 1);
  v.set_number(ups_var::kOutputVoltageNominal, settings_.input_voltage, 0);
  v.set_number(ups_var::kOutputFrequency, output_on_ ? settings_.frequency : 0.0, 1);
  v.set_number(ups_var::kOutputCurrent, out_amps, 1);
  v.set_number(ups_var::kOutputCurrentNominal, settings_.power_va / settings_.input_voltage, 1);
  v.set_number(ups_var::kOutputRealPower, out_watts, 0);
  if (mains_ && !discharging) {
    v.set_number(ups_var::kInputCurrent, out_amps, 1);
    v.set_number(ups_var::kInputRealPower, out_watts, 0);
  } else {
    v.set_number(ups_var::kInputCurrent, 0.0, 1);
    v.set_number(ups_var::kInputRealPower, 0.0, 0);
  }
  return v;
}

UpsVars SimUps::vars_now() {
  advance();
  return make_vars();
}

UpsReading SimUps::read() {
  advance();
  auto now = clock_.now();
  if (silent_) {
    link_.failed("the simulated UPS does not answer", now);
  } else {
    link_.ok(make_vars(), now);
  }
  return link_.reading(now);
}

UpsCommandResult SimUps::run(const UpsCommand& command) {
  advance();
  auto now = clock_.now();
  history_.push_back({now, describe(command)});
  if (silent_) return {UpsCommandStatus::kNoResponse, "the simulated UPS does not answer"};
  if (command.delay && *command.delay > settings_.max_command_delay) {
    return {UpsCommandStatus::kInvalid,
            "delay beyond the UPS's " + std::to_string(settings_.max_command_delay.count()) + " s"};
  }
  const auto& name = command.name;
  auto delay = command.delay.value_or(0s);
  if (name == ups_cmd::kTestQuick || name == ups_cmd::kTestTimed || name == ups_cmd::kTestDeep) {
    if (test_until_) return {UpsCommandStatus::kFailed, "a test is already running"};
    if (!mains_) return {UpsCommandStatus::kFailed, "no battery test on battery power"};
    if (!output_on_) return {UpsCommandStatus::kFailed, "no battery test while the output is off"};
    if (name == ups_cmd::kTestDeep) {
      test_until_ = core::TimePoint::max();
    } else if (name == ups_cmd::kTestTimed) {
      if (!command.duration || *command.duration <= 0s) {
        return {UpsCommandStatus::kInvalid, "a timed test needs a duration"};
      }
      test_until_ = now + *command.duration;
    } else {
      test_until_ = now + settings_.quick_test_time;
    }
    test_saw_error_ = false;
    test_result_ = "In progress";
  } else if (name == ups_cmd::kTestStop) {
    if (test_until_) {
      test_until_.reset();
      test_result_ = "Aborted";
    }
  } else if (name == ups_cmd::kShutdownReturn || name == ups_cmd::kShutdownStayoff) {
    shutdown_at_ = now + delay;
    restart_after_.reset();
    restart_on_mains_ = false;
    restart_at_.reset();
    if (name == ups_cmd::kShutdownReturn) {
      if (command.restart_after) {
        restart_after_ = *command.restart_after;
      } else {
        restart_on_mains_ = true;
      }
    }
  } else if (name == ups_cmd::kShutdownStop) {
    shutdown_at_.reset();
    restart_after_.reset();
    restart_on_mains_ = false;
  } else if (name == ups_cmd::kLoadOff) {
    shutdown_at_.reset();
    restart_at_.reset();
    awaiting_mains_ = false;
    output_on_ = false;
  } else if (name == ups_cmd::kLoadOn) {
    shutdown_at_.reset();
    restart_at_.reset();
    if (mains_) {
      output_on_ = true;
    } else {
      awaiting_mains_ = true;
    }
  } else if (name == ups_cmd::kBeeperToggle) {
    beeper_ = !beeper_;
  } else if (name == ups_cmd::kBeeperEnable) {
    beeper_ = true;
  } else if (name == ups_cmd::kBeeperDisable) {
    beeper_ = false;
  } else {
    return {UpsCommandStatus::kUnsupported, "no instant command '" + name + "'"};
  }
  advance();
  return {UpsCommandStatus::kSuccess, describe(command)};
}

void SimUps::set_mains(bool on) {
  advance();
  mains_ = on;
  advance();
}

void SimUps::set_input_voltage(double volts) {
  advance();
  input_voltage_ = volts;
}

bool SimUps::set_load(double percent) {
  if (fed_ != nullptr) return false;
  advance();
  load_ = percent;
  return true;
}

void SimUps::set_charge(double percent) {
  advance();
  charge_ = percent;
}

void SimUps::set_temperature(double celsius) {
  advance();
  temperature_ = celsius;
}

void SimUps::set_battery_bad(bool bad) {
  advance();
  battery_bad_ = bad;
}

void SimUps::set_fault(bool fault) {
  advance();
  fault_ = fault;
}

void SimUps::set_silent(bool silent) {
  if (silent && !silent_) read();  // the link goes quiet with what was last read
  advance();
  silent_ = silent;
}

}  // namespace netpower::collectors::sim
