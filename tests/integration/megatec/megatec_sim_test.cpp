// The megatec driver (in process, on a real SelectLoop) against netpower-megatec-sim (a separate
// process on a pty), end to end; and NUT's own Megatec drivers against the simulator, to show that
// the simulator speaks the protocol as NUT understands it.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "collectors/megatec/megatec_collector.h"
#include "collectors/sim/sim_control_client.h"
#include "core/select_loop.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace netpower::collectors::megatec {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class MegatecSimTest : public ::testing::Test {
 protected:
  MegatecSimTest() : dir_("mt"), loop_(clock_) {
    settings_.device = dir_.file("tty");
    settings_.poll_interval = 100ms;
    settings_.reply_timeout = 80ms;
    settings_.comm_lost_after = 600ms;
  }
  ~MegatecSimTest() override {
    collector_.reset();
    stop_sim();
  }

  // SIGTERM alone: Process::terminate() adds a SIGCONT, which now and then hangs LeakSanitizer's
  // exit-time check in a sanitizer build of the simulator (then SIGKILL after 5 s).
  std::optional<testing::ExitStatus> stop_sim() {
    if (!sim_ || !sim_->running()) return sim_ ? sim_->exit_status() : std::nullopt;
    sim_->signal(SIGTERM);
    return sim_->wait_exit(10s);
  }

  // Starts the simulator; its clock runs 60x (a minute of UPS time per real second).
  void start_sim(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {NETPOWER_MEGATEC_SIM_BIN,
                                     "--link",
                                     dir_.file("tty").string(),
                                     "--control",
                                     dir_.file("ctl").string(),
                                     "--time-scale",
                                     "60"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::filesystem::remove(dir_.file("ctl"));
    sim_ = std::make_unique<testing::Process>(argv, dir_.file("sim.log"));
    ASSERT_TRUE(testing::wait_until(
        [&] { return std::filesystem::exists(dir_.file("ctl")) || !sim_->running(); }, 10s))
        << "the simulator did not start: " << sim_->log_text();
    ASSERT_TRUE(sim_->running()) << sim_->log_text();
  }
  void start_collector() { collector_ = make_megatec_collector(settings_, loop_, true); }

  // For failure messages: the driver's view and the simulator's log.
  std::string why() {
    const auto& c = collector_->counters();
    auto reading = collector_->read();
    return std::string("link ") + to_string(reading.link) + " (" + reading.detail + "), opens " +
           std::to_string(c.opens) + ", open failures " + std::to_string(c.open_failures) +
           ", device lost " + std::to_string(c.device_lost) + ", timeouts " +
           std::to_string(c.timeouts) + "\nsimulator log:\n" + (sim_ ? sim_->log_text() : "");
  }

  std::string control(const std::string& line) {
    return sim::control_request(dir_.file("ctl").string(), line);
  }
  void must(const std::string& line) { ASSERT_EQ(control(line), "ok") << line; }

  bool run_until(const std::function<bool()>& done, core::Duration timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      loop_.run_once(10ms);
    }
    return true;
  }
  UpsLink link() { return collector_->read().link; }
  std::string var(const std::string& name) {
    return collector_->read().vars.get(name).value_or("<absent>");
  }
  bool has_status(const std::string& flag) { return collector_->read().vars.has_status(flag); }
  UpsCommandResult run_command(const UpsCommand& command) {
    std::optional<UpsCommandResult> result;
    collector_->run(command, [&](const UpsCommandResult& r) { result = r; });
    EXPECT_TRUE(run_until([&] { return result.has_value(); }));
    return result.value_or(UpsCommandResult{UpsCommandStatus::kFailed, "no done"});
  }
  std::vector<std::string> sim_commands() {
    std::vector<std::string> out;
    for (const auto& c : json::parse(control("commands"))) out.push_back(c["line"]);
    return out;
  }

  testing::TempDir dir_;
  core::SteadyClock clock_;
  core::SelectLoop loop_;
  MegatecSettings settings_;
  std::unique_ptr<testing::Process> sim_;
  std::unique_ptr<MegatecCollector> collector_;
};

TEST_F(MegatecSimTest, ReadsTheSimulatedUps) {
  start_sim({"--load", "30", "--battery", "27.0", "--mfr", "ACME POWER", "--model", "MT-1000"});
  start_collector();
  ASSERT_TRUE(run_until([&] { return var("ups.mfr") != "<absent>"; })) << sim_->log_text();
  ASSERT_EQ(link(), UpsLink::kOnline);
  EXPECT_EQ(var("ups.status"), "OL");
  EXPECT_EQ(var("input.voltage"), "230.0");
  EXPECT_EQ(var("output.voltage"), "230.0");
  EXPECT_EQ(var("ups.load"), "30");
  EXPECT_EQ(var("battery.voltage"), "27.00");
  EXPECT_EQ(var("battery.voltage.nominal"), "24.0");
  EXPECT_EQ(var("battery.charge"), "100");
  EXPECT_EQ(var("output.current"), "3.0");
  EXPECT_EQ(var("ups.mfr"), "ACME POWER");
  EXPECT_EQ(var("ups.model"), "MT-1000");
  EXPECT_EQ(var("ups.firmware"), "1.0");
  EXPECT_EQ(var("ups.beeper.status"), "enabled");
}

TEST_F(MegatecSimTest, PerCellBatteryIsScaledToThePack) {
  start_sim({"--battery-format", "cell", "--battery", "23.4"});
  start_collector();
  ASSERT_TRUE(run_until([&] { return var("battery.voltage") == "23.40"; }))
      << var("battery.voltage");
  EXPECT_EQ(var("battery.charge"), "50");  // halfway between 20.8 and 26.0
}

TEST_F(MegatecSimTest, MainsOffGoesOnBatteryAndLowBattery) {
  start_sim({"--drain-rate", "0"});
  start_collector();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  must("mains off");
  ASSERT_TRUE(run_until([&] { return has_status("OB"); }));
  EXPECT_EQ(var("input.voltage"), "0.0");
  EXPECT_EQ(var("input.voltage.fault"), "230.0");
  must("battery 20.5");
  ASSERT_TRUE(run_until([&] { return has_status("LB"); }));
  EXPECT_EQ(var("ups.status"), "OB LB");
  EXPECT_EQ(var("battery.charge"), "0");
  must("battery 26");
  must("mains on");
  ASSERT_TRUE(run_until([&] { return var("ups.status") == "OL"; }));
  must("fail on");
  ASSERT_TRUE(run_until([&] { return has_status("ALARM"); }));
  EXPECT_EQ(var("ups.alarm"), "UPS selftest failed!");
}

TEST_F(MegatecSimTest, FaultsAreCountedThenStaleThenLost) {
  start_sim();
  start_collector();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  auto before = collector_->counters();

  must("garbage (230.0 195.0 230.0 014 49.0 27.5 30.0 00001001 and more than a Q1 reply");
  ASSERT_TRUE(run_until([&] { return collector_->counters().garbage > before.garbage; }));
  must("short");
  ASSERT_TRUE(
      run_until([&] { return collector_->counters().short_replies > before.short_replies; }));
  must("atfill");
  ASSERT_TRUE(
      run_until([&] { return collector_->counters().absent_fields > before.absent_fields; }));
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));

  must("silence on");
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kStale; }));
  EXPECT_EQ(var("input.voltage"), "230.0");  // kept while stale
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kLost; }));
  EXPECT_TRUE(collector_->read().vars.empty());
  EXPECT_GT(collector_->counters().timeouts, before.timeouts);
  must("silence off");
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
}

TEST_F(MegatecSimTest, CommandsReachTheUpsWithTheirBytes) {
  start_sim();
  start_collector();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  const std::vector<std::pair<UpsCommand, std::string>> cases = {
      {{.name = ups_cmd::kBeeperToggle}, "Q"},
      {{.name = ups_cmd::kTestQuick}, "T"},
      {{.name = ups_cmd::kTestStop}, "CT"},
      {{.name = ups_cmd::kTestDeep}, "TL"},
      {{.name = ups_cmd::kTestStop}, "CT"},
      {{.name = ups_cmd::kTestTimed, .duration = 125s}, "T03"},
      {{.name = ups_cmd::kTestStop}, "CT"},
      {{.name = ups_cmd::kShutdownStayoff, .delay = 600s}, "S10R0000"},
      {{.name = ups_cmd::kShutdownStop}, "C"},
      {{.name = ups_cmd::kShutdownReturn, .delay = 7s, .restart_after = 61s}, "S.2R0002"},
      {{.name = ups_cmd::kLoadOn}, "C"},
  };
  std::vector<std::string> expected;
  for (const auto& [command, bytes] : cases) {
    auto result = run_command(command);
    EXPECT_EQ(result.status, UpsCommandStatus::kSuccess) << command.name << ": " << result.detail;
    expected.push_back(bytes);
  }
  EXPECT_EQ(sim_commands(), expected);
  EXPECT_EQ(collector_->counters().commands_refused, 0u);
}

TEST_F(MegatecSimTest, ShutdownReturnCutsAndRestoresTheOutput) {
  start_sim();
  start_collector();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  // 30 s of UPS time before the cut (0.5 s here), back 1 minute later (1 s here).
  auto result = run_command({.name = ups_cmd::kShutdownReturn, .delay = 30s, .restart_after = 60s});
  ASSERT_EQ(result.status, UpsCommandStatus::kSuccess) << result.detail;
  EXPECT_EQ(sim_commands(), std::vector<std::string>{"S.5R0001"});
  ASSERT_TRUE(run_until([&] { return has_status("FSD"); }));
  ASSERT_TRUE(run_until([&] { return var("output.voltage") == "0.0"; }));
  EXPECT_EQ(var("ups.load"), "0");
  ASSERT_TRUE(run_until([&] { return var("output.voltage") == "230.0"; }));
  EXPECT_FALSE(has_status("FSD"));
}

TEST_F(MegatecSimTest, TimedBatteryTestResult) {
  start_sim();
  start_collector();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  ASSERT_TRUE(run_command({.name = ups_cmd::kTestTimed, .duration = 60s}).ok());  // 1 s here
  ASSERT_TRUE(run_until([&] { return var("ups.test.result") == "In progress"; }));
  EXPECT_TRUE(has_status("CAL"));
  ASSERT_TRUE(run_until([&] { return var("ups.test.result") == "Done and passed"; }));

  ASSERT_TRUE(run_command({.name = ups_cmd::kTestTimed, .duration = 60s}).ok());
  ASSERT_TRUE(run_until([&] { return var("ups.test.result") == "In progress"; }));
  ASSERT_TRUE(run_command({.name = ups_cmd::kTestStop}).ok());
  ASSERT_TRUE(run_until([&] { return var("ups.test.result") == "Aborted"; }));
}

TEST_F(MegatecSimTest, SimulatorGoneThenBack) {
  start_sim();
  start_collector();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  auto status = stop_sim();
  ASSERT_TRUE(status) << "the simulator did not stop on SIGTERM";
  EXPECT_TRUE(status->success()) << status->describe() << "\n" << sim_->log_text();
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(dir_.file("tty"))));
  ASSERT_TRUE(run_until([&] { return collector_->counters().device_lost >= 1; })) << why();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kLost; })) << why();
  EXPECT_EQ(collector_->counters().device_lost, 1u) << why();
  start_sim({"--input-voltage", "228"});
  ASSERT_TRUE(run_until([&] { return var("input.voltage") == "228.0"; }, 10s)) << why();
  EXPECT_EQ(collector_->counters().opens, 2u);
}

// NUT's blazer_ser and nutdrv_qx read the simulator: it is faithful to the protocol they know.
class NutReadsTheSimulator : public MegatecSimTest,
                             public ::testing::WithParamInterface<const char*> {};

TEST_P(NutReadsTheSimulator, DumpsTheSimulatedValues) {
  std::string driver = std::string("/lib/nut/") + GetParam();
  if (!std::filesystem::exists(driver)) GTEST_SKIP() << driver << " is not installed";
  start_sim({"--load", "42", "--mfr", "NUTCHECK", "--battery", "26.5"});
  std::filesystem::create_directory(dir_.file("state"));
  {
    std::ofstream conf(dir_.file("ups.conf"));
    conf << "[sim]\n  driver = " << GetParam() << "\n  port = " << dir_.file("tty").string()
         << "\n  protocol = megatec\n";
  }
  std::vector<std::string> argv = {driver, "-a", "sim", "-d", "1"};
  if (::geteuid() == 0) argv.insert(argv.end(), {"-u", "root"});
  auto result = testing::run_command(
      argv, 60s,
      {"NUT_CONFPATH=" + dir_.path().string(), "NUT_STATEPATH=" + dir_.file("state").string()});
  ASSERT_TRUE(result.status.success()) << result.describe(argv);
  auto out = result.out;
  for (const char* line :
       {"input.voltage: 230.0", "output.voltage: 230.0", "ups.load: 42",
        "battery.voltage.nominal: 24.0", "input.frequency: 50.0", "ups.status: OL",
        "ups.temperature: 25.0", "ups.firmware: 1.0", "ups.beeper.status: enabled"}) {
    EXPECT_NE(out.find(line), std::string::npos) << line << "\n" << result.describe(argv);
  }
  EXPECT_NE(out.find("NUTCHECK"), std::string::npos) << out;
  EXPECT_NE(out.find("battery.voltage: 26.50"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(Megatec, NutReadsTheSimulator,
                         ::testing::Values("blazer_ser", "nutdrv_qx"));

}  // namespace
}  // namespace netpower::collectors::megatec
