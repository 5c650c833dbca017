#pragma once
// What a Megatec UPS does not say about its battery, estimated as NUT's blazer/nutdrv_qx drivers
// do: the pack count from the nominal voltage, the charge from the voltage between a low and a
// high mark, the runtime from a two-point calibration (NUT's `runtimecal`). Pure functions, and
// BatteryEstimator, which applies them to successive Q1 readings.

#include <optional>
#include <utility>

#include "collectors/ups.h"

namespace netpower::collectors::megatec {

// Runtime `runtime_high` seconds at `load_high` percent and `runtime_low` at `load_low` (a lower
// load, a longer runtime), both on a full battery.
struct RuntimeCalibration {
  double load_high = 100;
  double runtime_high = 0;
  double load_low = 50;
  double runtime_low = 0;
  double idle_load = 10;  // percent: below it the load counts as this (NUT's idleload)
};

// Empty when the calibration is usable, else what is wrong with it.
const char* check_calibration(const RuntimeCalibration& cal);

// NUT's blazer_packs(): the multiplier that brings a reading (per cell or per pack) within
// 0.8 .. 1.2 x the nominal pack voltage, trying the larger multipliers first (120, 100, ..., 2, 1,
// 0.5). nullopt when none fits.
std::optional<double> detect_battery_packs(double reading, double nominal);

// NUT's guess when no marks are configured: low = 104/120, high = 130/120 of the nominal voltage.
double default_low_voltage(double nominal);
double default_high_voltage(double nominal);

// Percent, 0 .. 100, linear between `low` and `high` (pack volts). nullopt unless high > low.
std::optional<double> battery_charge(double volts, double low, double high);

// Seconds left at `load` percent with `charge` percent: the full-battery runtime at that load
// (runtime = R * load^-exponent through the two calibration points) times charge / 100.
double battery_runtime(double charge, double load, const RuntimeCalibration& cal);

// The battery settings of the driver (docs/megatec.md, `battery:`); nullopt: not configured.
struct BatterySettings {
  std::optional<double> packs;  // nullopt: detected from the nominal voltage
  std::optional<double> nominal_voltage;
  std::optional<double> low_voltage;
  std::optional<double> high_voltage;
  std::optional<RuntimeCalibration> runtime;
};

// The battery variables of a Megatec UPS from its Q1 battery reading, the nominal voltage (the
// settings', else F's) and the settings. Keeps the detected pack count between readings.
class BatteryEstimator {
 public:
  explicit BatteryEstimator(BatterySettings settings) : settings_(std::move(settings)) {}

  // A new UPS behind the port: nothing known from F, the pack count detected again.
  void reset();
  // F's battery voltage (nullopt or 0: not given). Until a pack count has been detected with a
  // nominal voltage, it is detected again with this one.
  void set_rated_voltage(std::optional<double> volts);
  // battery.voltage (pack volts), battery.voltage.nominal (unless `vars` has it), the marks
  // battery.voltage.low/high, battery.charge and, with a calibration and `load`, battery.runtime.
  void publish(double reading, std::optional<double> load, UpsVars& vars);

 private:
  std::optional<double> nominal() const;
  double packs(double reading);

  BatterySettings settings_;
  std::optional<double> rated_;
  std::optional<double> packs_;
  bool packs_final_ = false;
};

}  // namespace netpower::collectors::megatec
