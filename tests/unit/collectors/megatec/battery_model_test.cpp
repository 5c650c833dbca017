#include "collectors/megatec/battery_model.h"

#include <gtest/gtest.h>

#include <string>

namespace netpower::collectors::megatec {
namespace {

TEST(MegatecBattery, PackCountAsNut) {
  EXPECT_EQ(detect_battery_packs(2.27, 24), 12);  // per cell, 12 cells
  EXPECT_EQ(detect_battery_packs(1.75, 24), 12);  // discharged cells still 12
  EXPECT_EQ(detect_battery_packs(27.4, 24), 1);   // per pack
  EXPECT_EQ(detect_battery_packs(13.6, 12), 1);
  EXPECT_EQ(detect_battery_packs(13.6, 24), 2);  // two 12 V blocks reported as one
  EXPECT_EQ(detect_battery_packs(2.25, 36), 18);
  EXPECT_EQ(detect_battery_packs(2.25, 240), 120);  // overlapping ranges: the larger count
  EXPECT_EQ(detect_battery_packs(48, 24), 0.5);
  EXPECT_FALSE(detect_battery_packs(100, 24));  // more than the nominal can explain
  EXPECT_FALSE(detect_battery_packs(30, 24));   // too high for one pack, too low for two halves
  EXPECT_FALSE(detect_battery_packs(0, 24));
  EXPECT_FALSE(detect_battery_packs(2.2, 0));
}

TEST(MegatecBattery, ChargeBetweenMarks) {
  EXPECT_DOUBLE_EQ(default_low_voltage(24), 20.8);
  EXPECT_DOUBLE_EQ(default_high_voltage(24), 26.0);
  EXPECT_NEAR(*battery_charge(23.4, 20.8, 26.0), 50, 1e-9);
  EXPECT_DOUBLE_EQ(*battery_charge(27.5, 20.8, 26.0), 100);
  EXPECT_DOUBLE_EQ(*battery_charge(19.0, 20.8, 26.0), 0);
  EXPECT_FALSE(battery_charge(23, 26, 26));
}

TEST(MegatecBattery, RuntimeThroughBothCalibrationPoints) {
  RuntimeCalibration cal{
      .load_high = 100, .runtime_high = 300, .load_low = 50, .runtime_low = 900, .idle_load = 10};
  EXPECT_STREQ(check_calibration(cal), "");
  EXPECT_NEAR(battery_runtime(100, 100, cal), 300, 1e-9);
  EXPECT_NEAR(battery_runtime(100, 50, cal), 900, 1e-9);
  EXPECT_NEAR(battery_runtime(50, 50, cal), 450, 1e-9);
  // Between the points, longer than at the high load and shorter than at the low one.
  double at75 = battery_runtime(100, 75, cal);
  EXPECT_GT(at75, 300);
  EXPECT_LT(at75, 900);
  // Below the idle load the idle load counts: no infinite runtime at 0 %.
  EXPECT_DOUBLE_EQ(battery_runtime(100, 0, cal), battery_runtime(100, 10, cal));
  EXPECT_DOUBLE_EQ(battery_runtime(0, 50, cal), 0);
}

TEST(MegatecBattery, CalibrationChecks) {
  RuntimeCalibration cal{
      .load_high = 100, .runtime_high = 300, .load_low = 50, .runtime_low = 900, .idle_load = 10};
  auto bad = cal;
  bad.load_low = 100;
  EXPECT_STRNE(check_calibration(bad), "");
  bad = cal;
  bad.runtime_low = 200;
  EXPECT_STRNE(check_calibration(bad), "");
  bad = cal;
  bad.runtime_high = 0;
  EXPECT_STRNE(check_calibration(bad), "");
  bad = cal;
  bad.load_high = 120;
  EXPECT_STRNE(check_calibration(bad), "");
}

}  // namespace
}  // namespace netpower::collectors::megatec
