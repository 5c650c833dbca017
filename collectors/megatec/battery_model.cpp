#include "collectors/megatec/battery_model.h"

#include <algorithm>
#include <cmath>

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

}  // namespace netpower::collectors::megatec
