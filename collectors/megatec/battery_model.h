#pragma once
// What a Megatec UPS does not say about its battery, estimated as NUT's blazer/nutdrv_qx drivers
// do: the pack count from the nominal voltage, the charge from the voltage between a low and a
// high mark, the runtime from a two-point calibration (NUT's `runtimecal`). Pure functions.

#include <optional>

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

}  // namespace netpower::collectors::megatec
