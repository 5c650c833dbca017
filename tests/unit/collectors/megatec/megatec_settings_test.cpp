#include "collectors/megatec/megatec_settings.h"

#include <gtest/gtest.h>

#include "core/config_error.h"

namespace netpower::collectors::megatec {
namespace {

using namespace std::chrono_literals;

MegatecSettings parse(const std::string& text) {
  core::YamlReader reader("agent.yaml");
  return parse_megatec_settings(reader.load_string(text), reader);
}

// The problem with its line, as "line N: problem".
std::string failure(const std::string& text) {
  try {
    parse(text);
  } catch (const core::ConfigError& e) {
    return "line " + std::to_string(e.line()) + ": " + e.problem();
  }
  return "no error";
}

TEST(MegatecSettings, Defaults) {
  auto s = parse("device: /dev/ttyUSB0");
  EXPECT_EQ(s.device, "/dev/ttyUSB0");
  EXPECT_EQ(s.poll_interval, 2s);
  EXPECT_EQ(s.reply_timeout, 1s);
  EXPECT_EQ(s.comm_lost_after, 30s);
  EXPECT_TRUE(s.rating);
  EXPECT_TRUE(s.ident);
  EXPECT_FALSE(s.battery_packs);
  EXPECT_FALSE(s.battery_voltage_low);
  EXPECT_FALSE(s.runtime);
}

TEST(MegatecSettings, Everything) {
  auto s = parse(R"(
device: /dev/ttyS1
poll_interval: 5s
reply_timeout: 500ms
comm_lost_after: 1m
rating: false
ident: false
battery:
  packs: 12
  nominal_voltage: 24
  low_voltage: 21
  high_voltage: 27.2
  runtime:
    high_load: 80
    runtime_at_high_load: 6m
    low_load: 40
    runtime_at_low_load: 15m
    idle_load: 5
)");
  EXPECT_EQ(s.poll_interval, 5s);
  EXPECT_EQ(s.reply_timeout, 500ms);
  EXPECT_EQ(s.comm_lost_after, 60s);
  EXPECT_FALSE(s.rating);
  EXPECT_FALSE(s.ident);
  EXPECT_EQ(s.battery_packs, 12);
  EXPECT_EQ(s.battery_voltage_nominal, 24);
  EXPECT_EQ(s.battery_voltage_low, 21);
  EXPECT_EQ(s.battery_voltage_high, 27.2);
  ASSERT_TRUE(s.runtime);
  EXPECT_EQ(s.runtime->load_high, 80);
  EXPECT_EQ(s.runtime->runtime_high, 360);
  EXPECT_EQ(s.runtime->load_low, 40);
  EXPECT_EQ(s.runtime->runtime_low, 900);
  EXPECT_EQ(s.runtime->idle_load, 5);
  EXPECT_FALSE(parse("device: /dev/x\nbattery: {packs: auto}").battery_packs);
}

TEST(MegatecSettings, StaleAfter) {
  EXPECT_FALSE(parse("device: /dev/x").stale_after);  // derived from the poll interval
  EXPECT_EQ(parse("device: /dev/x\nstale_after: 10s").stale_after, 10s);
  EXPECT_NE(failure("device: /dev/x\nstale_after: 0").find("line 2:"), std::string::npos);
  EXPECT_NE(failure("device: /dev/x\nstale_after: 1s")
                .find("line 2: 'stale_after' must be at least 'poll_interval'"),
            std::string::npos);
  EXPECT_NE(failure("device: /dev/x\nstale_after: 31s")
                .find("line 2: 'stale_after' must not be longer than 'comm_lost_after'"),
            std::string::npos);
}

TEST(MegatecSettings, ErrorsNameTheLine) {
  EXPECT_EQ(failure("poll_interval: 2s"),
            "line 1: the megatec driver needs 'device' (the serial port, e.g. /dev/ttyUSB0)");
  EXPECT_NE(failure("device: /dev/x\nbaud: 9600").find("line 2: unknown key 'baud'"),
            std::string::npos);
  EXPECT_NE(failure("device: ttyUSB0").find("line 1: 'device' must be an absolute path"),
            std::string::npos);
  EXPECT_NE(failure("device: /dev/x\npoll_interval: 0").find("line 2:"), std::string::npos);
  EXPECT_NE(failure("device: /dev/x\nreply_timeout: 3s").find("line 2: 'reply_timeout' (3s)"),
            std::string::npos);
  EXPECT_NE(failure("device: /dev/x\ncomm_lost_after: 1s").find("line 2:"), std::string::npos);
  EXPECT_NE(failure("device: /dev/x\nbattery:\n  low_voltage: 20").find("line 3: set both"),
            std::string::npos);
  EXPECT_NE(failure("device: /dev/x\nbattery:\n  low_voltage: 20\n  high_voltage: 19")
                .find("line 4: 'high_voltage' must be above"),
            std::string::npos);
  EXPECT_NE(failure("device: /dev/x\nbattery:\n  runtime:\n    runtime_at_high_load: 5m")
                .find("needs 'runtime_at_low_load'"),
            std::string::npos);
  EXPECT_NE(failure("device: /dev/x\nbattery:\n  runtime:\n    runtime_at_high_load: 5m\n"
                    "    runtime_at_low_load: 2m")
                .find("line 4: battery runtime calibration: the runtime at the low load"),
            std::string::npos);
  EXPECT_NE(failure("device: /dev/x\nbattery:\n  vendor: x").find("line 3: unknown key"),
            std::string::npos);
}

}  // namespace
}  // namespace netpower::collectors::megatec
