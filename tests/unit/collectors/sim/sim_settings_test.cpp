#include "collectors/sim/sim_settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/config_error.h"
#include "sim_test_util.h"

namespace netpower::collectors::sim {
namespace {

using ::testing::HasSubstr;
using testing::port;
using testing::settings_from;
using ::testing::StartsWith;

core::ConfigError error_for(const std::string& yaml) {
  try {
    settings_from(yaml);
  } catch (const core::ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted: " << yaml;
  return core::ConfigError("", 0, 0, "");
}

TEST(SimSettings, DefaultsWhenAbsent) {
  for (const char* yaml : {"", "~", "{}"}) {
    auto s = settings_from(yaml);
    EXPECT_EQ(s.boards, 4);
    EXPECT_EQ(s.code_version, "2.0h");
    EXPECT_TRUE(s.load_sense);
    EXPECT_TRUE(s.on_sense);
    EXPECT_EQ(s.temperatures[0], 27.0);
    EXPECT_TRUE(s.initially_on[0]);
    EXPECT_EQ(s.appliance_amps[0], 0.0);
    EXPECT_TRUE(s.control_socket.empty());
  }
}

TEST(SimSettings, ReadsEveryKey) {
  auto s = settings_from(R"(
boards: 26
code_version: "3.1a"
temperature: 30.5
load_sense: false
on_sense: no
initial: off
appliances:
  A1: { load: 2.5 }
  .Z4: { load: 60, initial: on }
  B3:
board_temperatures: { B: 41.5, C: none }
control_socket: /tmp/sim.sock
)");
  EXPECT_EQ(s.boards, 26);
  EXPECT_EQ(s.code_version, "3.1a");
  EXPECT_FALSE(s.load_sense);
  EXPECT_FALSE(s.on_sense);
  EXPECT_EQ(s.temperatures[0], 30.5);
  EXPECT_EQ(s.temperatures[1], 41.5);
  EXPECT_EQ(s.temperatures[2], std::nullopt);
  EXPECT_EQ(s.temperatures[25], 30.5);
  EXPECT_EQ(s.appliance_amps[static_cast<std::size_t>(port("A1").flat())], 2.5);
  EXPECT_EQ(s.appliance_amps[static_cast<std::size_t>(port("Z4").flat())], 60.0);
  EXPECT_FALSE(s.initially_on[static_cast<std::size_t>(port("A1").flat())]);
  EXPECT_TRUE(s.initially_on[static_cast<std::size_t>(port("Z4").flat())]);
  EXPECT_EQ(s.control_socket, "/tmp/sim.sock");
}

TEST(SimSettings, NoProbeSpellings) {
  EXPECT_EQ(settings_from("temperature: none").temperatures[3], std::nullopt);
  EXPECT_EQ(settings_from("temperature: null").temperatures[0], std::nullopt);
  EXPECT_EQ(settings_from("temperature:").temperatures[0], std::nullopt);
}

TEST(SimSettings, TooManyBoardsNamesTheLine) {
  auto e = error_for("code_version: x\nboards: 27\n");
  EXPECT_EQ(e.line(), 2);
  EXPECT_THAT(e.what(), StartsWith("pdu.yaml:2:"));
  EXPECT_THAT(e.problem(), HasSubstr("out of range 1..26"));
  EXPECT_EQ(error_for("boards: 0").line(), 1);
}

TEST(SimSettings, UnknownKeysAreErrors) {
  auto e = error_for("boards: 2\nbaords: 3\n");
  EXPECT_EQ(e.line(), 2);
  EXPECT_THAT(e.problem(), HasSubstr("unknown key 'baords'"));
  e = error_for("appliances:\n  A1: { load: 1, lod: 2 }\n");
  EXPECT_EQ(e.line(), 2);
  EXPECT_THAT(e.problem(), HasSubstr("unknown key 'lod' in appliance A1"));
}

TEST(SimSettings, ValuesAreChecked) {
  struct Case {
    const char* yaml;
    int line;
    const char* says;
  };
  for (const auto& c : std::initializer_list<Case>{
           {"code_version: 12345678901234567", 1, "at most 16"},
           {"temperature: hot", 1, "not a number"},
           {"temperature: 151", 1, "out of range"},
           {"load_sense: sometimes", 1, "true or false"},
           {"initial: maybe", 1, "on or off"},
           {"appliances: [A1]", 1, "must map port names"},
           {"appliances:\n  A5: { load: 1 }", 2, "not a port name"},
           {"boards: 2\nappliances:\n  C1: { load: 1 }", 3, "not in a chain of 2 boards"},
           {"appliances:\n  A1: { load: 61 }", 2, "out of range 0..60"},
           {"appliances:\n  A1: { load: -1 }", 2, "out of range"},
           {"appliances:\n  A1: { initial: half }", 2, "on or off"},
           {"appliances:\n  A1: 2.5", 2, "must be a mapping"},
           {"board_temperatures: { A1: 3 }", 1, "not a board name"},
           {"boards: 1\nboard_temperatures: { B: 3 }", 2, "not in a chain of 1 boards"},
           {"board_temperatures: { A: warm }", 1, "not a number"},
           {"board_temperatures: 3", 1, "must map board names"},
           {"control_socket: \"\"", 1, "must be a path"},
       }) {
    auto e = error_for(c.yaml);
    EXPECT_EQ(e.line(), c.line) << c.yaml;
    EXPECT_THAT(e.problem(), HasSubstr(c.says)) << c.yaml;
  }
}

TEST(SimSettings, SocketPathMustFitSunPath) {
  auto e = error_for("control_socket: /" + std::string(200, 'x'));
  EXPECT_THAT(e.problem(), HasSubstr("at most"));
}

}  // namespace
}  // namespace netpower::collectors::sim
