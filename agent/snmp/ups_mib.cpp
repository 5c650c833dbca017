#include "agent/snmp/ups_mib.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace netpower::agent::snmp {

namespace {

using ups::Refusal;
namespace var = collectors::ups_var;

const Oid kIdent = kUpsObjects + Oid{1};
const Oid kBattery = kUpsObjects + Oid{2};
const Oid kInput = kUpsObjects + Oid{3};
const Oid kOutput = kUpsObjects + Oid{4};
const Oid kBypass = kUpsObjects + Oid{5};
const Oid kAlarm = kUpsObjects + Oid{6};
const Oid kTest = kUpsObjects + Oid{7};
const Oid kControl = kUpsObjects + Oid{8};
const Oid kConfig = kUpsObjects + Oid{9};
const Oid kAlarmEntry = kAlarm + Oid{2, 1};
const Oid kInputEntry = kInput + Oid{3, 1};
const Oid kOutputEntry = kOutput + Oid{4, 1};
const Oid kBypassEntry = kBypass + Oid{3, 1};

constexpr long kMaxInteger = 2147483647;
constexpr std::size_t kMaxManufacturer = 31;
constexpr std::size_t kMaxDisplay = 63;

long scaled(double value, double scale) {
  double v = std::round(value * scale);
  return static_cast<long>(std::clamp(v, -2147483648.0, 2147483647.0));
}

int integer_in(const SetRequest& r, long min, long max) {
  const auto& vb = r.varbind;
  if (vb.type != ASN_INTEGER || vb.val_len != sizeof(long)) return SNMP_ERR_WRONGTYPE;
  long v = *vb.val.integer;
  return v < min || v > max ? SNMP_ERR_WRONGVALUE : SNMP_ERR_NOERROR;
}

int display_string(const SetRequest& r, std::size_t max) {
  const auto& vb = r.varbind;
  if (vb.type != ASN_OCTET_STR) return SNMP_ERR_WRONGTYPE;
  if (vb.val_len > max) return SNMP_ERR_WRONGLENGTH;
  for (std::size_t i = 0; i < vb.val_len; ++i) {
    auto c = vb.val.string[i];
    if (c < 0x20 || c > 0x7e) return SNMP_ERR_WRONGVALUE;  // DisplayString: printable ASCII
  }
  return SNMP_ERR_NOERROR;
}

std::string string_of(const SetRequest& r) {
  return std::string(reinterpret_cast<const char*>(r.varbind.val.string), r.varbind.val_len);
}

long integer_of(const SetRequest& r) { return *r.varbind.val.integer; }

int refusal_error(Refusal refusal) {
  switch (refusal) {
    case Refusal::kNone:
      return SNMP_ERR_NOERROR;
    case Refusal::kBusy:
      return SNMP_ERR_INCONSISTENTVALUE;
    case Refusal::kUnsupported:
      return SNMP_ERR_WRONGVALUE;
    case Refusal::kNoUps:
      return SNMP_ERR_RESOURCEUNAVAILABLE;
  }
  return SNMP_ERR_GENERR;
}

}  // namespace

const MibTree& UpsMib::tree() {
  std::uint64_t shape = model_.alarms().generation() * 2 + (has_bypass() ? 1 : 0);
  if (shape != built_for_) {
    rebuild();
    built_for_ = shape;
  }
  return tree_;
}

void UpsMib::rebuild() {
  tree_.clear();
  add_ident();
  add_battery();
  add_input();
  add_output();
  if (has_bypass()) add_bypass();
  add_alarms();
  add_test();
  add_control();
  add_config();
  tree_.finish();
  spdlog::debug("UPS-MIB serves {} instances", tree_.size());
}

void UpsMib::add_scalar(const Oid& oid, std::function<std::optional<Value>()> get) {
  tree_.add_object(oid, false);
  tree_.add({oid + Oid{0}, std::move(get), {}, {}});
}

void UpsMib::add_writable(const Oid& oid, std::function<std::optional<Value>()> get,
                          std::function<int(const SetRequest&)> check,
                          std::function<int(const SetRequest&)> commit,
                          std::function<int(const SetRequest&)> check_together) {
  tree_.add_object(oid, true);
  tree_.add({oid + Oid{0}, std::move(get), std::move(check), std::move(commit),
             std::move(check_together)});
}

std::optional<Value> UpsMib::measured(const char* name, double scale) const {
  if (!model_.has_data()) return std::nullopt;
  auto v = model_.vars().number(name);
  if (!v) return std::nullopt;
  return Value::integer32(std::max(0L, scaled(*v, scale)));
}

std::optional<Value> UpsMib::rating(const char* name, double scale) const {
  auto v = model_.static_vars().number(name);
  if (!v) return std::nullopt;
  return Value::integer32(std::max(0L, scaled(*v, scale)));
}

bool UpsMib::has_bypass() const {
  const auto& v = model_.vars();
  return v.get(var::kBypassVoltage) || v.get(var::kBypassFrequency);
}

// ---------------------------------------------------------------- upsIdent

void UpsMib::add_ident() {
  auto ident = [this](const char* name, std::size_t max) {
    return [this, name, max]() -> std::optional<Value> {
      auto text = model_.static_vars().get(name).value_or("");
      if (text.size() > max) text.resize(max);
      return Value::string(text);
    };
  };
  add_scalar(kIdent + Oid{1}, ident(var::kMfr, kMaxManufacturer));
  add_scalar(kIdent + Oid{2}, ident(var::kModel, kMaxDisplay));
  add_scalar(kIdent + Oid{3}, ident(var::kFirmware, kMaxDisplay));
  add_scalar(kIdent + Oid{4}, [this]() { return Value::string(agent_version_); });
  add_writable(
      kIdent + Oid{5}, [this]() { return Value::string(model_.settings().name); },
      [](const SetRequest& r) { return display_string(r, kMaxDisplay); },
      [this](const SetRequest& r) {
        model_.set_name(string_of(r));
        spdlog::info("UPS-MIB: upsIdentName set to '{}'", model_.settings().name);
        return SNMP_ERR_NOERROR;
      });
  add_writable(
      kIdent + Oid{6}, [this]() { return Value::string(model_.settings().attached_devices); },
      [](const SetRequest& r) { return display_string(r, kMaxDisplay); },
      [this](const SetRequest& r) {
        model_.set_attached_devices(string_of(r));
        spdlog::info("UPS-MIB: upsIdentAttachedDevices set to '{}'",
                     model_.settings().attached_devices);
        return SNMP_ERR_NOERROR;
      });
}

// ---------------------------------------------------------------- upsBattery

void UpsMib::add_battery() {
  add_scalar(kBattery + Oid{1},
             [this]() { return Value::integer32(static_cast<long>(model_.battery_status())); });
  add_scalar(kBattery + Oid{2}, [this]() { return Value::integer32(model_.seconds_on_battery()); });
  add_scalar(kBattery + Oid{3}, [this]() -> std::optional<Value> {
    if (!model_.has_data()) return std::nullopt;
    auto seconds = model_.vars().number(var::kBatteryRuntime);
    if (!seconds) return std::nullopt;
    // PositiveInteger: an estimate under a minute still reads 1.
    return Value::integer32(std::max(1L, scaled(*seconds / 60.0, 1.0)));
  });
  add_scalar(kBattery + Oid{4}, [this]() -> std::optional<Value> {
    auto v = measured(var::kBatteryCharge, 1.0);
    if (v) v->integer = std::min(v->integer, 100L);
    return v;
  });
  add_scalar(kBattery + Oid{5}, [this]() { return measured(var::kBatteryVoltage, 10.0); });
  add_scalar(kBattery + Oid{6}, [this]() -> std::optional<Value> {
    if (!model_.has_data()) return std::nullopt;
    auto amps = model_.vars().number(var::kBatteryCurrent);  // Integer32: may be negative
    if (!amps) return std::nullopt;
    return Value::integer32(scaled(*amps, 10.0));
  });
  add_scalar(kBattery + Oid{7}, [this]() -> std::optional<Value> {
    if (!model_.has_data()) return std::nullopt;
    auto t = model_.vars().number(var::kBatteryTemperature);
    if (!t) t = model_.vars().number(var::kTemperature);  // the UPS's own probe, near the battery
    if (!t) return std::nullopt;
    return Value::integer32(scaled(*t, 1.0));
  });
}

// ---------------------------------------------------------------- upsInput, upsOutput, upsBypass

void UpsMib::add_input() {
  tree_.add_object(kInput + Oid{1}, false);
  tree_.add({kInput + Oid{1, 0},
             [this]() { return Value::counter32(model_.input_line_bads()); },
             {},
             {}});
  // upsInputNumLines is the number of rows of upsInputTable: 0 while it has none (link lost).
  add_scalar(kInput + Oid{2}, [this]() {
    bool row = false;
    for (const char* name :
         {var::kInputFrequency, var::kInputVoltage, var::kInputCurrent, var::kInputRealPower}) {
      row = row || measured(name, 1.0).has_value();
    }
    return Value::integer32(row ? 1 : 0);
  });
  struct Column {
    oid column;
    const char* name;
    double scale;
  };
  for (const auto& c :
       {Column{2, var::kInputFrequency, 10.0}, Column{3, var::kInputVoltage, 1.0},
        Column{4, var::kInputCurrent, 10.0}, Column{5, var::kInputRealPower, 1.0}}) {
    tree_.add_object(kInputEntry + Oid{c.column}, false);
    tree_.add({kInputEntry + Oid{c.column, 1},
               [this, name = c.name, scale = c.scale]() { return measured(name, scale); },
               {},
               {}});
  }
}

void UpsMib::add_output() {
  add_scalar(kOutput + Oid{1}, [this]() -> std::optional<Value> {
    return Value::integer32(static_cast<long>(model_.output_source()));
  });
  add_scalar(kOutput + Oid{2}, [this]() { return output_frequency(); });
  add_scalar(kOutput + Oid{3}, [this]() {
    bool row = false;
    for (const char* name :
         {var::kOutputVoltage, var::kOutputCurrent, var::kOutputRealPower, var::kLoad}) {
      row = row || measured(name, 1.0).has_value();
    }
    return Value::integer32(row ? 1 : 0);
  });
  struct Column {
    oid column;
    const char* name;
    double scale;
  };
  for (const auto& c : {Column{2, var::kOutputVoltage, 1.0}, Column{3, var::kOutputCurrent, 10.0},
                        Column{4, var::kOutputRealPower, 1.0}, Column{5, var::kLoad, 1.0}}) {
    tree_.add_object(kOutputEntry + Oid{c.column}, false);
    tree_.add({kOutputEntry + Oid{c.column, 1},
               [this, name = c.name, scale = c.scale]() -> std::optional<Value> {
                 auto v = measured(name, scale);
                 if (v && name == std::string(var::kLoad)) v->integer = std::min(v->integer, 200L);
                 return v;
               },
               {},
               {}});
  }
}

// output.frequency where the UPS measures it. A UPS that measures one frequency only (Megatec's Q1,
// NUT's input.frequency) and is not an online (double-conversion) UPS passes the mains through
// while it is on them, so its output frequency is that one; on battery it is left absent.
std::optional<Value> UpsMib::output_frequency() const {
  if (auto v = measured(var::kOutputFrequency, 10.0)) return v;
  if (!model_.has_data() || model_.vars().get(var::kOutputFrequency)) return std::nullopt;
  auto type = model_.vars().get(var::kType).value_or("");
  if (type.find("online") != std::string::npos && type.find("offline") == std::string::npos) {
    return std::nullopt;
  }
  auto source = model_.output_source();
  if (source != ups::OutputSource::kNormal && source != ups::OutputSource::kBooster &&
      source != ups::OutputSource::kReducer) {
    return std::nullopt;
  }
  return measured(var::kInputFrequency, 10.0);
}

void UpsMib::add_bypass() {
  add_scalar(kBypass + Oid{1}, [this]() { return measured(var::kBypassFrequency, 10.0); });
  add_scalar(kBypass + Oid{2}, [this]() {
    bool row = false;
    for (const char* name : {var::kBypassVoltage, var::kBypassCurrent, var::kBypassRealPower}) {
      row = row || measured(name, 1.0).has_value();
    }
    return Value::integer32(row ? 1 : 0);
  });
  struct Column {
    oid column;
    const char* name;
    double scale;
  };
  for (const auto& c : {Column{2, var::kBypassVoltage, 1.0}, Column{3, var::kBypassCurrent, 10.0},
                        Column{4, var::kBypassRealPower, 1.0}}) {
    tree_.add_object(kBypassEntry + Oid{c.column}, false);
    tree_.add({kBypassEntry + Oid{c.column, 1},
               [this, name = c.name, scale = c.scale]() { return measured(name, scale); },
               {},
               {}});
  }
}

// ---------------------------------------------------------------- upsAlarm

void UpsMib::add_alarms() {
  tree_.add_object(kAlarm + Oid{1}, false);
  tree_.add(
      {kAlarm + Oid{1, 0}, [this]() { return Value::gauge32(model_.alarms().size()); }, {}, {}});
  tree_.add_object(kAlarmEntry + Oid{2}, false);
  tree_.add_object(kAlarmEntry + Oid{3}, false);
  for (const auto& row : model_.alarms().rows()) {
    Oid index{static_cast<oid>(row.id)};
    tree_.add({kAlarmEntry + Oid{2} + index,
               [alarm = row.alarm]() {
                 return Value::oid(kUpsWellKnownAlarms + Oid{static_cast<oid>(alarm)});
               },
               {},
               {}});
    tree_.add({kAlarmEntry + Oid{3} + index,
               [time = row.time]() { return Value::timeticks(time); },
               {},
               {}});
  }
}

// ---------------------------------------------------------------- upsTest

void UpsMib::add_test() {
  add_writable(
      kTest + Oid{1},
      [this]() { return Value::oid(kUpsWellKnownTests + Oid{static_cast<oid>(model_.test_id())}); },
      [](const SetRequest& r) {
        const auto& vb = r.varbind;
        if (vb.type != ASN_OBJECT_ID) return SNMP_ERR_WRONGTYPE;
        Oid value(vb.val.objid, vb.val.objid + vb.val_len / sizeof(oid));
        if (value.size() != kUpsWellKnownTests.size() + 1 ||
            !std::equal(kUpsWellKnownTests.begin(), kUpsWellKnownTests.end(), value.begin()) ||
            value.back() < 2 || value.back() > 5) {
          return SNMP_ERR_WRONGVALUE;  // upsTestNoTestsInitiated or a test we do not know
        }
        return SNMP_ERR_NOERROR;
      },
      [this](const SetRequest& r) {
        auto kind =
            static_cast<ups::TestKind>(r.varbind.val.objid[r.varbind.val_len / sizeof(oid) - 1]);
        spdlog::info("UPS-MIB: upsTestId set to {}{}", static_cast<int>(kind),
                     test_id_alone_ ? " (without upsTestSpinLock)" : "");
        // The lock advances as if the manager had set it: others see that a test was started.
        if (test_id_alone_) model_.take_spin_lock(model_.test_spin_lock());
        test_id_alone_ = false;
        model_.start_test(kind);
        return SNMP_ERR_NOERROR;
      },
      [this](const SetRequest& r) {
        // "Sets to this variable require the presence of upsTestSpinLock in the same SNMP
        // message."
        auto kind =
            static_cast<ups::TestKind>(r.varbind.val.objid[r.varbind.val_len / sizeof(oid) - 1]);
        test_id_alone_ = false;
        if (spin_lock_request_ != r.request_id) {
          // NUT's snmp-ups (mibs=ietf) sets upsTestId alone. Accepted, when configured, only
          // while no test runs: then no other manager's test can be overridden, which is what
          // the spin lock protects. An abort always needs the lock.
          bool alone_ok = model_.settings().test_without_spin_lock &&
                          kind != ups::TestKind::kAbortTestInProgress &&
                          model_.test_summary() != ups::TestSummary::kInProgress;
          if (!alone_ok) {
            spdlog::warn("UPS-MIB: upsTestId set without upsTestSpinLock in the same request");
            return SNMP_ERR_INCONSISTENTVALUE;
          }
          test_id_alone_ = true;
        }
        auto refusal = model_.can_start_test(kind);
        if (refusal != Refusal::kNone) {
          spdlog::warn("UPS-MIB: test {} refused ({})", static_cast<int>(kind),
                       refusal == Refusal::kBusy ? "a test is in progress, or none to abort"
                       : refusal == Refusal::kUnsupported ? "the UPS has no such test"
                                                          : "the UPS cannot be reached");
        }
        return refusal_error(refusal);
      });
  add_writable(
      kTest + Oid{2}, [this]() { return Value::integer32(model_.test_spin_lock()); },
      [this](const SetRequest& r) {
        int error = integer_in(r, 0, kMaxInteger);
        if (error == SNMP_ERR_NOERROR) spin_lock_request_ = r.request_id;
        return error;
      },
      [this](const SetRequest& r) {
        return model_.take_spin_lock(integer_of(r)) ? SNMP_ERR_NOERROR : SNMP_ERR_INCONSISTENTVALUE;
      },
      [this](const SetRequest& r) {
        // TestAndIncr: the value must be the current one.
        return integer_of(r) == model_.test_spin_lock() ? SNMP_ERR_NOERROR
                                                        : SNMP_ERR_INCONSISTENTVALUE;
      });
  add_scalar(kTest + Oid{3},
             [this]() { return Value::integer32(static_cast<long>(model_.test_summary())); });
  add_scalar(kTest + Oid{4}, [this]() {
    auto text = model_.test_detail();
    if (text.size() > 255) text.resize(255);
    return Value::string(text);
  });
  add_scalar(kTest + Oid{5}, [this]() { return Value::timeticks(model_.test_start_ticks()); });
  add_scalar(kTest + Oid{6}, [this]() { return Value::integer32(model_.test_elapsed_ticks()); });
}

// ---------------------------------------------------------------- upsControl

void UpsMib::add_control() {
  auto controllable = [this](const SetRequest& r) {
    if (integer_of(r) < 0) return SNMP_ERR_NOERROR;  // aborting is always possible
    return refusal_error(model_.can_control());
  };
  add_writable(
      kControl + Oid{1},
      [this]() { return Value::integer32(static_cast<long>(model_.shutdown_type())); },
      [](const SetRequest& r) { return integer_in(r, 1, 2); },
      [this](const SetRequest& r) {
        model_.set_shutdown_type(static_cast<ups::ShutdownType>(integer_of(r)));
        return SNMP_ERR_NOERROR;
      });
  add_writable(
      kControl + Oid{2}, [this]() { return Value::integer32(model_.shutdown_after_delay()); },
      [](const SetRequest& r) { return integer_in(r, -1, kMaxInteger); },
      [this](const SetRequest& r) {
        model_.set_shutdown_after_delay(integer_of(r));
        return SNMP_ERR_NOERROR;
      },
      controllable);
  add_writable(
      kControl + Oid{3}, [this]() { return Value::integer32(model_.startup_after_delay()); },
      [](const SetRequest& r) { return integer_in(r, -1, kMaxInteger); },
      [this](const SetRequest& r) {
        model_.set_startup_after_delay(integer_of(r));
        return SNMP_ERR_NOERROR;
      },
      controllable);
  add_writable(
      kControl + Oid{4}, [this]() { return Value::integer32(model_.reboot_with_duration()); },
      [](const SetRequest& r) { return integer_in(r, -1, 300); },
      [this](const SetRequest& r) {
        model_.set_reboot_with_duration(integer_of(r));
        return SNMP_ERR_NOERROR;
      },
      controllable);
  add_writable(
      kControl + Oid{5}, [this]() { return Value::integer32(model_.auto_restart() ? 1 : 2); },
      [](const SetRequest& r) { return integer_in(r, 1, 2); },
      [this](const SetRequest& r) {
        model_.set_auto_restart(integer_of(r) == 1);
        return SNMP_ERR_NOERROR;
      });
}

// ---------------------------------------------------------------- upsConfig

void UpsMib::add_config() {
  // The nominal values are read-only here (the RFC's MIN-ACCESS allows it): a UPS's ratings are
  // not changed over SNMP through a NUT or Megatec driver.
  add_scalar(kConfig + Oid{1}, [this]() { return rating(var::kInputVoltageNominal, 1.0); });
  add_scalar(kConfig + Oid{2}, [this]() { return rating(var::kInputFrequencyNominal, 10.0); });
  add_scalar(kConfig + Oid{3}, [this]() -> std::optional<Value> {
    auto v = rating(var::kOutputVoltageNominal, 1.0);
    return v ? v : rating(var::kInputVoltageNominal, 1.0);
  });
  add_scalar(kConfig + Oid{4}, [this]() -> std::optional<Value> {
    auto v = rating("output.frequency.nominal", 10.0);
    return v ? v : rating(var::kInputFrequencyNominal, 10.0);
  });
  add_scalar(kConfig + Oid{5}, [this]() -> std::optional<Value> {
    if (auto va = rating(var::kPowerNominal, 1.0)) return va;
    // A Megatec UPS rates voltage and current: VA = V x A.
    const auto& s = model_.static_vars();
    auto volts = s.number(var::kOutputVoltageNominal);
    if (!volts) volts = s.number(var::kInputVoltageNominal);
    auto amps = s.number(var::kOutputCurrentNominal);
    if (!amps) amps = s.number("input.current.nominal");  // Megatec F: the rated current
    if (!volts || !amps) return std::nullopt;
    return Value::integer32(scaled(*volts * *amps, 1.0));
  });
  add_scalar(kConfig + Oid{6}, [this]() -> std::optional<Value> {
    // NUT drivers name the rated watts ups.realpower.nominal or output.realpower.nominal.
    auto v = rating(var::kRealPowerNominal, 1.0);
    return v ? v : rating("output.realpower.nominal", 1.0);
  });
  add_writable(
      kConfig + Oid{7}, [this]() { return Value::integer32(model_.low_batt_minutes()); },
      [](const SetRequest& r) { return integer_in(r, 0, kMaxInteger); },
      [this](const SetRequest& r) {
        // "If the requested value is larger than the largest supported value, then the largest
        // supported value shall be selected."
        model_.set_low_batt_minutes(std::min(integer_of(r), 120L));
        spdlog::info("UPS-MIB: upsConfigLowBattTime set to {} min", model_.low_batt_minutes());
        return SNMP_ERR_NOERROR;
      });
  add_writable(
      kConfig + Oid{8},
      [this]() { return Value::integer32(static_cast<long>(model_.audible_status())); },
      [](const SetRequest& r) { return integer_in(r, 1, 3); },
      [this](const SetRequest& r) {
        model_.set_audible_status(static_cast<ups::AudibleStatus>(integer_of(r)));
        return SNMP_ERR_NOERROR;
      },
      [this](const SetRequest& r) {
        return refusal_error(
            model_.can_set_audible(static_cast<ups::AudibleStatus>(integer_of(r))));
      });
  add_scalar(kConfig + Oid{9}, [this]() { return rating(var::kInputTransferLow, 1.0); });
  add_scalar(kConfig + Oid{10}, [this]() { return rating(var::kInputTransferHigh, 1.0); });
}

// ---------------------------------------------------------------- notifications

Varbinds UpsMib::on_battery_varbinds() const {
  Varbinds out;
  // What the MIB has, nothing invented: without a runtime estimate the object is absent, and so
  // is its varbind (a made-up 1 minute would read as a battery about to die).
  auto seconds = model_.has_data() ? model_.vars().number(var::kBatteryRuntime) : std::nullopt;
  if (seconds) {
    out.emplace_back(kBattery + Oid{3, 0},
                     Value::integer32(std::max(1L, scaled(*seconds / 60.0, 1.0))));
  }
  out.emplace_back(kBattery + Oid{2, 0}, Value::integer32(model_.seconds_on_battery()));
  out.emplace_back(kConfig + Oid{7, 0}, Value::integer32(model_.low_batt_minutes()));
  return out;
}

Varbinds UpsMib::test_completed_varbinds() const {
  Varbinds out;
  out.emplace_back(kTest + Oid{1, 0},
                   Value::oid(kUpsWellKnownTests + Oid{static_cast<oid>(model_.test_id())}));
  out.emplace_back(kTest + Oid{2, 0}, Value::integer32(model_.test_spin_lock()));
  out.emplace_back(kTest + Oid{3, 0}, Value::integer32(static_cast<long>(model_.test_summary())));
  out.emplace_back(kTest + Oid{4, 0}, Value::string(model_.test_detail()));
  out.emplace_back(kTest + Oid{5, 0}, Value::timeticks(model_.test_start_ticks()));
  out.emplace_back(kTest + Oid{6, 0}, Value::integer32(model_.test_elapsed_ticks()));
  return out;
}

Varbinds UpsMib::alarm_varbinds(const ups::AlarmRow& row) const {
  Oid index{static_cast<oid>(row.id)};
  Varbinds out;
  // upsAlarmId is the table's index; RFC 1628 lists it in the notification all the same.
  out.emplace_back(kAlarmEntry + Oid{1} + index, Value::integer32(row.id));
  out.emplace_back(kAlarmEntry + Oid{2} + index,
                   Value::oid(kUpsWellKnownAlarms + Oid{static_cast<oid>(row.alarm)}));
  return out;
}

}  // namespace netpower::agent::snmp
