#include "collectors/sim/sim_control_protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "sim_test_util.h"

namespace netpower::collectors::sim {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::board;
using ::testing::HasSubstr;
using testing::port;
using testing::settings_from;
using ::testing::StartsWith;

class ControlProtocolTest : public ::testing::Test {
 protected:
  std::string run(std::string_view line) {
    auto reply = execute_control_command(chain, line);
    EXPECT_EQ(reply.find('\n'), std::string::npos) << reply;
    return reply;
  }
  json run_json(std::string_view line) { return json::parse(run(line)); }
  // Expects an error reply that says `what`, and no change to the chain.
  void expect_error(std::string_view line, const std::string& what) {
    auto before = state_json(chain);
    auto reply = run(line);
    EXPECT_THAT(reply, StartsWith("error: ")) << "for: " << line;
    EXPECT_THAT(reply, HasSubstr(what)) << "for: " << line;
    EXPECT_EQ(state_json(chain), before) << "for: " << line;
  }
  const json& json_port(const json& state, const char* name) {
    auto id = port(name);
    return state["boards"][static_cast<std::size_t>(id.board.index)]["ports"]
                [static_cast<std::size_t>(id.number - 1)];
  }

  core::ManualClock clock;
  SimChain chain{settings_from(R"(
boards: 4
board_temperatures: { D: none }
appliances:
  A1: { load: 2.5 }
  A2: { load: 1.5, initial: off }
)"),
                 clock};
};

TEST_F(ControlProtocolTest, StateDescribesTheWholeChain) {
  auto state = run_json("state");
  EXPECT_EQ(state["unplugged"], false);
  ASSERT_EQ(state["boards"].size(), 4u);
  const auto& a = state["boards"][0];
  EXPECT_EQ(a["id"], "A");
  EXPECT_EQ(a["responding"], true);
  EXPECT_EQ(a["code_version"], "2.0h");
  EXPECT_EQ(a["temperature"], 27.0);
  EXPECT_EQ(a["input_load"], 2.5);
  EXPECT_EQ(a["fault"], "none");
  ASSERT_EQ(a["ports"].size(), 4u);
  const auto& a1 = a["ports"][0];
  EXPECT_EQ(a1["id"], "A1");
  EXPECT_EQ(a1["relay_on"], true);
  EXPECT_EQ(a1["power_sensed"], true);
  EXPECT_EQ(a1["load"], 2.5);
  EXPECT_EQ(a1["responding"], true);
  EXPECT_EQ(a1["fault"], "none");
  EXPECT_EQ(json_port(state, "A2")["relay_on"], false);
  EXPECT_EQ(json_port(state, "A2")["load"], 0.0);
  EXPECT_TRUE(state["boards"][3]["temperature"].is_null());
  EXPECT_EQ(run("  state \r"), run("state"));
}

TEST_F(ControlProtocolTest, HistoryListsRelayChangesWithClockTimes) {
  clock.advance(1500ms);
  ASSERT_TRUE(chain.switch_port(port("A1"), false).ok());
  ASSERT_TRUE(chain.set_shutdown_signal(port("B2"), true).ok());
  ASSERT_TRUE(chain.tickle(port("B2"), {0x01, 0xab}).ok());
  auto all = run_json("history");
  ASSERT_EQ(all.size(), 16u + 3u);
  EXPECT_EQ(all[0]["t_ms"], 3'600'000);  // the manual clock starts at 1 h
  EXPECT_EQ(all[0]["port"], "A1");
  EXPECT_EQ(all[0]["kind"], "relay");
  EXPECT_EQ(all[0]["on"], true);
  EXPECT_EQ(all[16]["t_ms"], 3'601'500);
  EXPECT_EQ(all[16]["on"], false);
  EXPECT_EQ(all[17]["kind"], "shutdown");
  EXPECT_EQ(all[17]["on"], true);
  EXPECT_EQ(all[18]["kind"], "tickle");
  EXPECT_EQ(all[18]["pattern"], "01ab");
  EXPECT_FALSE(all[18].contains("on"));

  auto a1 = run_json("history A1");
  ASSERT_EQ(a1.size(), 2u);
  EXPECT_EQ(a1[1]["t_ms"], 3'601'500);
  EXPECT_EQ(run_json("history .B2").size(), 3u);
}

TEST_F(ControlProtocolTest, FaultOnAPort) {
  EXPECT_EQ(run("fault A1 on-sense"), "ok");
  auto state = run_json("state");
  EXPECT_EQ(json_port(state, "A1")["fault"], "on-sense");
  EXPECT_EQ(json_port(state, "A1")["power_sensed"], false);
  EXPECT_EQ(chain.port(port("A1")).fault, PortFault::kOnSense);
  EXPECT_EQ(run("fault A1 off-fail"), "ok");
  EXPECT_EQ(chain.port(port("A1")).fault, PortFault::kOffFail);
  EXPECT_EQ(run("fault .A1 no-response"), "ok");
  EXPECT_EQ(json_port(run_json("state"), "A1")["responding"], false);
  EXPECT_EQ(chain.switch_port(port("A1"), false).fault, PduFault::kNoResponse);
  EXPECT_EQ(run("fault A1 none"), "ok");
  EXPECT_EQ(chain.port(port("A1")).fault, PortFault::kNone);
}

TEST_F(ControlProtocolTest, FaultOnABoard) {
  EXPECT_EQ(run("fault B no-response"), "ok");
  auto state = run_json("state");
  EXPECT_EQ(state["boards"][1]["responding"], false);
  EXPECT_EQ(state["boards"][1]["fault"], "no-response");
  EXPECT_EQ(json_port(state, "B3")["responding"], false);
  EXPECT_FALSE(chain.read().chain.boards[1].responding);
  EXPECT_EQ(run("fault .B none"), "ok");
  EXPECT_TRUE(chain.read().chain.boards[1].responding);
}

TEST_F(ControlProtocolTest, LoadTemperatureAndButtons) {
  EXPECT_EQ(run("load A1 7.5"), "ok");
  EXPECT_EQ(chain.load_amps(port("A1")), 7.5);
  EXPECT_EQ(run("load A1 0"), "ok");
  EXPECT_EQ(run("load A1 60"), "ok");
  EXPECT_EQ(run("temperature B 80"), "ok");
  EXPECT_EQ(chain.board(board("B")).temperature_c, 80.0);
  EXPECT_EQ(run("temperature B -12.5"), "ok");
  EXPECT_EQ(chain.board(board("B")).temperature_c, -12.5);
  EXPECT_EQ(run("temperature B none"), "ok");
  EXPECT_EQ(chain.board(board("B")).temperature_c, std::nullopt);
  EXPECT_TRUE(run_json("state")["boards"][1]["temperature"].is_null());

  clock.advance(2s);
  EXPECT_EQ(run("switch A2 on"), "ok");
  EXPECT_TRUE(chain.port(port("A2")).relay_on);
  auto last = run_json("history A2").back();
  EXPECT_EQ(last["on"], true);
  EXPECT_EQ(last["source"], "local");
  EXPECT_EQ(last["t_ms"], 3'602'000);
  EXPECT_EQ(run("switch A2 off"), "ok");
  EXPECT_FALSE(chain.port(port("A2")).relay_on);
}

TEST_F(ControlProtocolTest, UnplugAndPlug) {
  EXPECT_EQ(run("unplug"), "ok");
  EXPECT_EQ(run_json("state")["unplugged"], true);
  EXPECT_EQ(chain.read().status.fault, PduFault::kLinkDown);
  EXPECT_EQ(chain.switch_port(port("A1"), false).fault, PduFault::kLinkDown);
  EXPECT_EQ(run("plug"), "ok");
  EXPECT_TRUE(chain.read().status.ok());
}

TEST_F(ControlProtocolTest, HelpListsTheCommands) {
  auto help = run("help");
  for (const char* command :
       {"state", "history", "fault", "load", "temperature", "unplug", "plug", "switch", "help"}) {
    EXPECT_THAT(help, HasSubstr(command));
  }
}

TEST_F(ControlProtocolTest, MalformedCommandsGetErrors) {
  expect_error("", "empty command");
  expect_error("   \t", "empty command");
  expect_error("reboot A1", "unknown command 'reboot'");
  expect_error("STATE", "unknown command");
  expect_error("state now", "takes no arguments");
  expect_error("plug in", "takes no arguments");
  expect_error("help me", "takes no arguments");
  expect_error("history A1 B1", "usage: history");
  expect_error("history A5", "'A5' is not a port name");
  expect_error("fault", "usage: fault");
  expect_error("fault A1", "usage: fault");
  expect_error("fault A1 on-sense extra", "usage: fault");
  expect_error("fault A5 none", "'A5' is neither a port");
  expect_error("fault Z9 none", "'Z9' is neither a port");
  expect_error("fault Z4 none", "port Z4 is not in this chain (boards A..D)");
  expect_error("fault E no-response", "board E is not in this chain");
  expect_error("fault A1 broken", "a port fault is");
  expect_error("fault A on-sense", "a board fault is no-response or none");
  expect_error("load", "usage: load PORT AMPS");
  expect_error("load A1", "usage: load PORT AMPS");
  expect_error("load A5 1", "'A5' is not a port name");
  expect_error("load Z9 1", "'Z9' is not a port name");
  expect_error("load E1 1", "port E1 is not in this chain");
  expect_error("load A1 lots", "load must be a number, not 'lots'");
  expect_error("load A1 2.5A", "must be a number");
  expect_error("load A1 nan", "must be a number");
  expect_error("load A1 inf", "must be a number");
  expect_error("load A1 0x10", "must be a number");
  expect_error("load A1 60.01", "out of range 0..60");
  expect_error("load A1 -1", "out of range");
  expect_error("temperature", "usage: temperature");
  expect_error("temperature A1 20", "'A1' is not a board name");
  expect_error("temperature E 20", "board E is not in this chain");
  expect_error("temperature A cold", "temperature must be a number");
  expect_error("temperature A 1000", "out of range -50..150");
  expect_error("switch A1", "usage: switch PORT on|off");
  expect_error("switch A1 maybe", "switch takes on or off");
  expect_error("switch A0 on", "'A0' is not a port name");
}

TEST_F(ControlProtocolTest, OutsideBytesAreNeverEchoedRaw) {
  std::string weird = "fault \x01\x02\xff\x7f" + std::string(100, 'x') + " none";
  auto reply = run(weird);
  EXPECT_THAT(reply, StartsWith("error: "));
  EXPECT_LT(reply.size(), 200u);
  for (unsigned char c : reply) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << static_cast<int>(c);
  expect_error(std::string("st\0ate", 6), "unknown command 'st?ate'");
}

TEST_F(ControlProtocolTest, AVeryLongLineIsJustAnError) {
  expect_error(std::string(1 << 20, 'x'), "unknown command");
  expect_error("load A1 " + std::string(100000, '9'), "out of range");
  std::string many_words;
  for (int i = 0; i < 100000; ++i) many_words += "state ";
  expect_error(many_words, "takes no arguments");
}

TEST_F(ControlProtocolTest, RandomBytesNeverCrashAndAlwaysGetOneLine) {
  // Words the parser knows, mixed with noise, so that deep paths are reached too.
  const std::vector<std::string> words = {
      "state",  "history", "fault", "load",     "temperature", "unplug",      "plug",
      "switch", "help",    "A1",    ".B2",      "D4",          "E1",          "C",
      "none",   "on",      "off",   "on-sense", "off-fail",    "no-response", "7.5",
      "-1",     "1e999",   "nan",   "\xff",     "\t"};
  std::mt19937 random(12345);
  for (int i = 0; i < 20000; ++i) {
    std::string line;
    int parts = static_cast<int>(random() % 5);
    for (int p = 0; p < parts; ++p) {
      if (random() % 4 == 0) {
        for (int n = static_cast<int>(random() % 8); n > 0; --n) {
          line += static_cast<char>(random() % 256);
        }
      } else {
        line += words[random() % words.size()];
      }
      line += random() % 8 == 0 ? "\t" : " ";
    }
    auto reply = run(line);
    ASSERT_FALSE(reply.empty()) << line;
  }
  chain.set_unplugged(false);
  EXPECT_TRUE(json::parse(run("state")).is_object());
}

}  // namespace
}  // namespace netpower::collectors::sim
