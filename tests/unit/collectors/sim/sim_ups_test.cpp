// The simulated UPS: its physics on a manual clock, its commands, and its control protocol's
// answers to malformed lines.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "collectors/sim/sim_ups.h"
#include "collectors/sim/sim_ups_protocol.h"

namespace netpower::collectors::sim {
namespace {

using namespace std::chrono_literals;

class SimUpsTest : public ::testing::Test {
 protected:
  SimUpsTest() : ups_(settings(), clock_) {}
  static SimUpsSettings settings() {
    SimUpsSettings s;
    s.full_load_runtime = 10min;
    s.load_percent = 100;
    s.comm_lost_after = 30s;
    return s;
  }
  core::ManualClock clock_;
  SimUps ups_;
};

TEST_F(SimUpsTest, OnBatteryItDischargesUnderLoadAndDropsTheOutputWhenEmpty) {
  ups_.set_mains(false);
  auto v = ups_.read().vars;
  EXPECT_TRUE(v.has_status("OB"));
  EXPECT_EQ(v.number("input.voltage"), 0.0);
  EXPECT_EQ(v.number("battery.runtime"), 600.0);
  clock_.advance(5min);
  v = ups_.read().vars;
  EXPECT_NEAR(*v.number("battery.charge"), 50.0, 0.6);
  EXPECT_NEAR(*v.number("battery.runtime"), 300.0, 1.0);
  clock_.advance(4min);
  EXPECT_TRUE(ups_.read().vars.has_status("LB"));
  clock_.advance(2min);
  v = ups_.read().vars;
  EXPECT_FALSE(ups_.output_on());
  EXPECT_TRUE(v.has_status("OFF"));
  // The output comes back with the mains, and the battery recharges.
  ups_.set_mains(true);
  EXPECT_TRUE(ups_.output_on());
  clock_.advance(1h);
  EXPECT_NEAR(*ups_.read().vars.number("battery.charge"), 50.0, 0.6);
  EXPECT_TRUE(ups_.read().vars.has_status("CHRG"));
}

TEST_F(SimUpsTest, SilenceGoesStaleThenLostWithNoValues) {
  ups_.set_silent(true);
  clock_.advance(29s);
  auto r = ups_.read();
  EXPECT_EQ(r.link, UpsLink::kStale);
  EXPECT_FALSE(r.vars.empty());
  clock_.advance(1s);
  r = ups_.read();
  EXPECT_EQ(r.link, UpsLink::kLost);
  EXPECT_TRUE(r.vars.empty());
  EXPECT_EQ(ups_.run({ups_cmd::kBeeperToggle, {}, {}, {}}).status, UpsCommandStatus::kNoResponse);
  ups_.set_silent(false);
  EXPECT_EQ(ups_.read().link, UpsLink::kOnline);
}

TEST_F(SimUpsTest, CommandsDelaysAndRefusals) {
  EXPECT_EQ(ups_.run({ups_cmd::kShutdownReturn, 601s, {}, {}}).status, UpsCommandStatus::kInvalid);
  EXPECT_EQ(ups_.run({"no.such.command", {}, {}, {}}).status, UpsCommandStatus::kUnsupported);
  ASSERT_TRUE(ups_.run({ups_cmd::kShutdownReturn, 60s, 120s, {}}).ok());
  auto output_on_after = [this](core::Duration d) {
    clock_.advance(d);
    ups_.read();
    return ups_.output_on();
  };
  EXPECT_TRUE(output_on_after(59s));
  EXPECT_FALSE(output_on_after(1s));
  EXPECT_FALSE(output_on_after(119s));
  EXPECT_TRUE(output_on_after(1s));
  ASSERT_TRUE(ups_.run({ups_cmd::kTestQuick, {}, {}, {}}).ok());
  EXPECT_EQ(ups_.run({ups_cmd::kTestDeep, {}, {}, {}}).status, UpsCommandStatus::kFailed);
  EXPECT_EQ(ups_.read().vars.get("ups.test.result"), "In progress");
  clock_.advance(10s);
  EXPECT_EQ(ups_.read().vars.get("ups.test.result"), "Done and passed");
  ASSERT_EQ(ups_.history().size(), 5u);  // refused commands are recorded too
  EXPECT_EQ(ups_.history()[2].text, "shutdown.return delay=60s restart_after=120s");
}

TEST_F(SimUpsTest, ControlProtocolRejectsMalformedLinesAndChangesNothing) {
  auto before = ups_.vars_now();
  for (const char* line :
       {"", "mains", "mains maybe", "load", "load 151", "load -1", "load abc", "charge 1e999",
        "temperature 200", "fault on off", "frobnicate", "silence", "input 0x10", "\x01\x02"}) {
    auto reply = execute_ups_control_command(ups_, line);
    EXPECT_EQ(reply.rfind("error: ", 0), 0u) << "'" << line << "' -> " << reply;
    EXPECT_EQ(reply.find('\n'), std::string::npos);
  }
  EXPECT_EQ(ups_.vars_now(), before);
  EXPECT_EQ(execute_ups_control_command(ups_, "load 50"), "ok");
  auto state = nlohmann::json::parse(execute_ups_control_command(ups_, "state"));
  EXPECT_EQ(state["link"], "online");
  EXPECT_EQ(state["vars"]["ups.load"], "50");
  EXPECT_EQ(execute_ups_control_command(ups_, "commands"), "[]");
}

}  // namespace
}  // namespace netpower::collectors::sim
