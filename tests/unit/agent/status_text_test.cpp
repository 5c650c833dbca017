#include "agent/model/status_text.h"

#include <gtest/gtest.h>

namespace netpower::agent {
namespace {

TEST(StatusText, ScreenStrings) {
  EXPECT_STREQ(control_status_text(ControlState::kOn), "On");
  EXPECT_STREQ(control_status_text(ControlState::kOff), "Off");
  EXPECT_STREQ(control_status_text(ControlState::kReboot), "Reboot");
  EXPECT_STREQ(module_status_text(ModuleStatus::kNormal), "Normal");
  EXPECT_STREQ(module_status_text(ModuleStatus::kNoResponse), "No Rspns");
  EXPECT_STREQ(module_status_text(ModuleStatus::kOnSenseFail), "OnS Fail");
  EXPECT_STREQ(module_status_text(ModuleStatus::kOffFail), "Off Fail");
}

TEST(StatusText, ModuleStatusFromReading) {
  collectors::PortReading r;
  r.relay_on = true;
  r.power_sensed = true;
  EXPECT_EQ(module_status_of(r), ModuleStatus::kNormal);
  r.power_sensed = false;
  EXPECT_EQ(module_status_of(r), ModuleStatus::kOnSenseFail);
  r.relay_on = false;
  EXPECT_EQ(module_status_of(r), ModuleStatus::kNormal);
  r.power_sensed = true;
  EXPECT_EQ(module_status_of(r), ModuleStatus::kOffFail);
  r.power_sensed.reset();  // no on-sense: nothing to contradict the relay
  EXPECT_EQ(module_status_of(r), ModuleStatus::kNormal);
  r.responding = false;
  EXPECT_EQ(module_status_of(r), ModuleStatus::kNoResponse);
}

TEST(StatusText, Loads) {
  EXPECT_EQ(device_load_text(2.5, true), "2.50A");
  EXPECT_EQ(device_load_text(0.0, true), "0.00A");
  EXPECT_EQ(device_load_text(0.0, false), "Not On");
  EXPECT_EQ(device_load_text(1.25, false), "1.25A");  // off, but current flows: an off failure
  EXPECT_EQ(device_load_text(std::nullopt, true), "N/A");
  EXPECT_EQ(input_load_text(10.0), "10.00A");
  EXPECT_EQ(input_load_text(std::nullopt), "N/A");
  EXPECT_LE(device_load_text(60.0, true).size(), 12u);
}

TEST(StatusText, Temperatures) {
  EXPECT_EQ(temperature_text(27.0), "27.0 Deg C");
  EXPECT_EQ(temperature_text(-5.25), "-5.2 Deg C");
  EXPECT_EQ(temperature_text(std::nullopt), "N/A");
  EXPECT_LE(temperature_text(125.0).size(), 16u);
}

}  // namespace
}  // namespace netpower::agent
