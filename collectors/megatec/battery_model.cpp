#include "collectors/megatec/battery_model.h"

#include <algorithm>
#include <cmath>

#include <spdlog/spdlog.h>

namespace netpower::collectors::megatec {

const char* check_calibration(const RuntimeCalibration& cal) {
  if (!(cal.load_high > 0 && cal.load_high <= 100)) return "the high load must be in 0..100 %";
  if (!(cal.load_low > 0 && cal.load_low < cal.load_high)) {
    return "the low load must be above 0 and below the high load";
  }
  if (!(cal.runtime_high > 0)) return "the runtime at the high load must be above zero";
  if (!(cal.runtime_low >= cal.runtime_high)) {
    return "the runtime at the low load must not be shorter than at the high load";
  }
  if (!(cal.idle_load >= 0 && cal.idle_load <= 100)) return "the idle load must be in 0..100 %";
  return "";
}

std::optional<double> detect_battery_packs(double reading, double nominal) {
  static constexpr double kPacks[] = {120, 100, 80, 60, 48, 36, 30, 24, 18,
                                      12,  8,   6,  4,  3,  2,  1,  0.5};
  if (!(reading > 0) || !(nominal > 0)) return std::nullopt;
  for (double packs : kPacks) {
    if (packs * reading > 1.2 * nominal) continue;
    if (packs * reading < 0.8 * nominal) return std::nullopt;
    return packs;
  }
  return std::nullopt;
}

double default_low_voltage(double nominal) { return 104 * nominal / 120; }
double default_high_voltage(double nominal) { return 130 * nominal / 120; }

std::optional<double> battery_charge(double volts, double low, double high) {
  if (!(high > low)) return std::nullopt;
  return std::clamp(100 * (volts - low) / (high - low), 0.0, 100.0);
}

double battery_runtime(double charge, double load, const RuntimeCalibration& cal) {
  // runtime(load) = runtime_high * (load_high / load)^exponent, through both points.
  double exponent =
      std::log(cal.runtime_low / cal.runtime_high) / std::log(cal.load_high / cal.load_low);
  double effective = std::max(load, cal.idle_load);
  if (!(effective > 0)) effective = cal.load_low;  // no idle floor and no load: use the low point
  double full = cal.runtime_high * std::pow(cal.load_high / effective, exponent);
  return std::clamp(charge, 0.0, 100.0) / 100 * full;
}

void BatteryEstimator::reset() {
  rated_.reset();
  packs_.reset();
  packs_final_ = false;
}

void BatteryEstimator::set_rated_voltage(std::optional<double> volts) {
  rated_ = volts && *volts > 0 ? volts : std::nullopt;
  if (!packs_final_) packs_.reset();
}

std::optional<double> BatteryEstimator::nominal() const {
  return settings_.nominal_voltage ? settings_.nominal_voltage : rated_;
}

double BatteryEstimator::packs(double reading) {
  if (settings_.packs) return *settings_.packs;
  if (packs_) return *packs_;
  auto nominal_volts = nominal();
  // Without a nominal voltage the reading is published as sent; F may still tell it.
  if (!nominal_volts) return 1;
  packs_ = detect_battery_packs(reading, *nominal_volts);
  packs_final_ = true;
  if (!packs_) {
    spdlog::info(
        "megatec: cannot tell the battery pack count from {:.2f} V against {:.1f} V nominal; "
        "publishing the reading as is (set battery.packs)",
        reading, *nominal_volts);
    packs_ = 1;
  }
  return *packs_;
}

void BatteryEstimator::publish(double reading, std::optional<double> load, UpsVars& vars) {
  double volts = reading * packs(reading);
  vars.set_number(ups_var::kBatteryVoltage, volts, 2);
  auto nominal_volts = nominal();
  if (nominal_volts && !vars.get(ups_var::kBatteryVoltageNominal)) {
    vars.set_number(ups_var::kBatteryVoltageNominal, *nominal_volts, 1);
  }
  std::optional<double> low = settings_.low_voltage;
  std::optional<double> high = settings_.high_voltage;
  if (!low && nominal_volts) {
    low = default_low_voltage(*nominal_volts);
    high = default_high_voltage(*nominal_volts);
  }
  if (!low || !high) return;
  vars.set_number("battery.voltage.low", *low, 2);
  vars.set_number("battery.voltage.high", *high, 2);
  auto charge = battery_charge(volts, *low, *high);
  if (!charge) return;
  vars.set_number(ups_var::kBatteryCharge, *charge, 0);
  if (load && settings_.runtime) {
    vars.set_number(ups_var::kBatteryRuntime, battery_runtime(*charge, *load, *settings_.runtime),
                    0);
  }
}

}  // namespace netpower::collectors::megatec
