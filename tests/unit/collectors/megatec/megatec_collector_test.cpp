// The driver against a UPS played by the test on the master side of a real pty, on a real
// SelectLoop with short intervals.
#include "collectors/megatec/megatec_collector.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "collectors/megatec/megatec_protocol.h"
#include "core/select_loop.h"

namespace netpower::collectors::megatec {
namespace {

using namespace std::chrono_literals;

constexpr const char* kStatusOk = "(230.0 195.0 229.0 042 50.0 2.27 30.0 00001001";
constexpr const char* kRating = "#230.0 010 24.00 50.0";
constexpr const char* kIdent = "#NETPOWER        MEGATEST   2.1       ";

// A UPS on the master side of a pty; `link` points at the slave.
class PtyUps {
 public:
  using Responder = std::function<std::optional<std::string>(const std::string& request)>;

  PtyUps(core::EventLoop& loop, const std::filesystem::path& link) : loop_(loop) {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    EXPECT_GE(master_, 0);
    EXPECT_EQ(::grantpt(master_), 0);
    EXPECT_EQ(::unlockpt(master_), 0);
    slave_path_ = ::ptsname(master_);
    ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
    std::filesystem::remove(link);
    std::filesystem::create_symlink(slave_path_, link);
    loop_.watch_readable(master_, [this] { on_readable(); });
  }
  ~PtyUps() { unplug(); }
  PtyUps(const PtyUps&) = delete;
  PtyUps& operator=(const PtyUps&) = delete;

  // The cable is pulled: the driver's end hangs up.
  void unplug() {
    if (master_ < 0) return;
    loop_.unwatch(master_);
    ::close(master_);
    master_ = -1;
  }

  // Every request received, without '\r'.
  std::vector<std::string> requests;
  std::string status = kStatusOk;
  std::string rating = kRating;
  std::string ident = kIdent;
  bool silent = false;
  bool echo_commands = false;
  // Replaces the default answers when set.
  Responder respond;

  std::size_t count(const std::string& request) const {
    return static_cast<std::size_t>(std::count(requests.begin(), requests.end(), request));
  }
  std::vector<std::string> commands() const {
    std::vector<std::string> out;
    for (const auto& r : requests) {
      if (r != "Q1" && r != "F" && r != "I") out.push_back(r);
    }
    return out;
  }

 private:
  std::optional<std::string> answer(const std::string& request) {
    if (respond) return respond(request);
    if (silent) return std::nullopt;
    if (request == "Q1") return status + "\r";
    if (request == "F") return rating + "\r";
    if (request == "I") return ident + "\r";
    if (echo_commands) return request + "\r";
    return std::nullopt;
  }

  void on_readable() {
    char buf[256];
    auto n = ::read(master_, buf, sizeof buf);
    if (n <= 0) return;
    in_.append(buf, static_cast<std::size_t>(n));
    for (auto end = in_.find('\r'); end != std::string::npos; end = in_.find('\r')) {
      auto request = in_.substr(0, end);
      in_.erase(0, end + 1);
      requests.push_back(request);
      if (auto reply = answer(request)) {
        EXPECT_EQ(::write(master_, reply->data(), reply->size()),
                  static_cast<ssize_t>(reply->size()));
      }
    }
  }

  core::EventLoop& loop_;
  int master_ = -1;
  std::string slave_path_;
  std::string in_;
};

class MegatecCollectorTest : public ::testing::Test {
 protected:
  MegatecCollectorTest() : loop_(clock_) {
    char dir[] = "/tmp/megatec-XXXXXX";
    dir_ = ::mkdtemp(dir);
    device_ = dir_ / "ups";
    settings_.device = device_;
    settings_.poll_interval = 100ms;
    settings_.reply_timeout = 50ms;
    settings_.comm_lost_after = 400ms;
  }
  ~MegatecCollectorTest() override {
    collector_.reset();
    ups_.reset();
    std::filesystem::remove_all(dir_);
  }

  void start() { collector_ = make_megatec_collector(settings_, loop_, true); }

  // Runs the loop until `done` or `timeout` (real time); returns `done()`.
  bool run_until(const std::function<bool()>& done, core::Duration timeout = 3s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      loop_.run_once(10ms);
    }
    return true;
  }
  void run_for(core::Duration d) {
    auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) loop_.run_once(5ms);
  }
  UpsLink link() { return collector_->read().link; }
  std::string var(const std::string& name) {
    return collector_->read().vars.get(name).value_or("<absent>");
  }
  // Runs `command` and the loop until its `done`.
  UpsCommandResult run_command(const UpsCommand& command) {
    std::optional<UpsCommandResult> result;
    bool inside_run = true;
    collector_->run(command, [&](const UpsCommandResult& r) {
      EXPECT_FALSE(inside_run) << "done ran inside run()";
      result = r;
    });
    inside_run = false;
    EXPECT_TRUE(run_until([&] { return result.has_value(); }));
    return result.value_or(UpsCommandResult{UpsCommandStatus::kFailed, "no done"});
  }

  core::SteadyClock clock_;
  core::SelectLoop loop_;
  std::filesystem::path dir_;
  std::filesystem::path device_;
  MegatecSettings settings_;
  std::unique_ptr<PtyUps> ups_;
  std::unique_ptr<MegatecCollector> collector_;
};

TEST_F(MegatecCollectorTest, ReadsAndComputesValues) {
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  start();
  EXPECT_EQ(link(), UpsLink::kLost);  // nothing answered yet
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  auto vars = collector_->read().vars;
  EXPECT_EQ(vars.get("ups.status"), "OL");
  EXPECT_EQ(vars.get("input.voltage"), "230.0");
  EXPECT_EQ(vars.get("input.voltage.fault"), "195.0");
  EXPECT_EQ(vars.get("output.voltage"), "229.0");
  EXPECT_EQ(vars.get("ups.load"), "42");
  EXPECT_EQ(vars.get("input.frequency"), "50.0");
  EXPECT_EQ(vars.get("ups.temperature"), "30.0");
  EXPECT_EQ(vars.get("battery.voltage"), "27.24");  // 2.27 V per cell x 12 cells of 24 V
  EXPECT_EQ(vars.get("battery.voltage.nominal"), "24.0");
  EXPECT_EQ(vars.get("battery.charge"), "100");
  EXPECT_FALSE(vars.get("battery.runtime"));     // no calibration configured
  EXPECT_EQ(vars.get("output.current"), "4.2");  // 42 % of 10 A
  EXPECT_EQ(vars.get("input.voltage.nominal"), "230");
  EXPECT_EQ(vars.get("input.current.nominal"), "10.0");
  EXPECT_EQ(vars.get("ups.mfr"), "NETPOWER");
  EXPECT_EQ(vars.get("ups.model"), "MEGATEST");
  EXPECT_EQ(vars.get("ups.firmware"), "2.1");
  EXPECT_EQ(vars.get("ups.beeper.status"), "enabled");
  EXPECT_EQ(vars.get("ups.type"), "offline / line interactive");
  // F and I once, before the first Q1; then Q1 every poll.
  ASSERT_GE(ups_->requests.size(), 3u);
  EXPECT_EQ(ups_->requests[0], "F");
  EXPECT_EQ(ups_->requests[1], "I");
  EXPECT_EQ(ups_->requests[2], "Q1");
  ASSERT_TRUE(run_until([&] { return ups_->count("Q1") >= 3; }));
  EXPECT_EQ(ups_->count("F"), 1u);
  EXPECT_EQ(ups_->count("I"), 1u);
  EXPECT_EQ(collector_->counters().timeouts, 0u);
  EXPECT_EQ(collector_->max_command_delay(), std::chrono::seconds(600));
}

TEST_F(MegatecCollectorTest, BatteryChargeAndRuntimeFromSettings) {
  settings_.battery_voltage_low = 21.0;
  settings_.battery_voltage_high = 27.0;
  settings_.runtime = RuntimeCalibration{
      .load_high = 100, .runtime_high = 300, .load_low = 50, .runtime_low = 900, .idle_load = 10};
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  ups_->status = "(000.0 230.0 230.0 050 00.0 2.00 30.0 10001001";  // on battery, 24.0 V
  start();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  EXPECT_EQ(var("ups.status"), "OB");
  EXPECT_EQ(var("battery.voltage"), "24.00");
  EXPECT_EQ(var("battery.charge"), "50");
  EXPECT_EQ(var("battery.runtime"), "450");  // half of 900 s at 50 % load
}

TEST_F(MegatecCollectorTest, SilenceMakesStaleThenLost) {
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  start();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  ups_->silent = true;
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kStale; }));
  auto stale = collector_->read();
  EXPECT_EQ(stale.vars.get("input.voltage"), "230.0");  // last values kept
  EXPECT_NE(stale.detail.find("no answer to Q1"), std::string::npos) << stale.detail;
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kLost; }));
  auto lost = collector_->read();
  EXPECT_TRUE(lost.vars.empty());
  EXPECT_GE(collector_->counters().timeouts, 2u);
  // Commands are refused at once while lost.
  auto result = run_command({.name = ups_cmd::kBeeperToggle});
  EXPECT_EQ(result.status, UpsCommandStatus::kNoResponse);
  // And it comes back.
  ups_->silent = false;
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  EXPECT_EQ(var("input.voltage"), "230.0");
}

TEST_F(MegatecCollectorTest, GarbageShortAndAbsentFieldsAreCounted) {
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  start();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));

  ups_->status = "(" + std::string(45, 'x');  // the right length, nothing else
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kStale; }));
  EXPECT_GE(collector_->counters().garbage, 1u);
  EXPECT_EQ(var("input.voltage"), "230.0");

  ups_->status = "(230.0 195.0";
  ASSERT_TRUE(run_until([&] { return collector_->counters().short_replies >= 1; }));
  EXPECT_EQ(link(), UpsLink::kStale);

  ups_->status = std::string(300, 'x');
  ASSERT_TRUE(run_until([&] { return collector_->counters().overlong_lines >= 1; }));

  ups_->status = "(231.0 @@@.@ 229.0 042 50.0 2.27 @@.@ 00001001";
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  EXPECT_GE(collector_->counters().absent_fields, 1u);
  EXPECT_EQ(var("input.voltage"), "231.0");
  EXPECT_EQ(var("input.voltage.fault"), "<absent>");  // absent, not zero, not the old value
  EXPECT_EQ(var("ups.temperature"), "<absent>");
}

TEST_F(MegatecCollectorTest, RatingAndIdentRetriedUntilAnswered) {
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  ups_->rating = "#bad";
  ups_->ident = "";
  start();
  ASSERT_TRUE(run_until([&] { return ups_->count("F") >= 3 && ups_->count("I") >= 3; }));
  EXPECT_EQ(link(), UpsLink::kOnline);        // Q1 is enough for a reading
  EXPECT_EQ(var("battery.voltage"), "2.27");  // no nominal: as sent
  EXPECT_EQ(var("battery.charge"), "<absent>");
  ups_->rating = kRating;
  ups_->ident = kIdent;
  ASSERT_TRUE(run_until([&] { return var("ups.mfr") == "NETPOWER"; }));
  ASSERT_TRUE(run_until([&] { return var("battery.voltage") == "27.24"; }));
  auto f = ups_->count("F");
  run_for(300ms);
  EXPECT_EQ(ups_->count("F"), f);  // answered: not asked again
}

TEST_F(MegatecCollectorTest, NoIdentNoRating) {
  settings_.rating = false;
  settings_.ident = false;
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  start();
  ASSERT_TRUE(run_until([&] { return ups_->count("Q1") >= 2; }));
  EXPECT_EQ(ups_->count("F") + ups_->count("I"), 0u);
}

TEST_F(MegatecCollectorTest, CommandsAreWrittenWithTheirBytes) {
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  start();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  struct Case {
    UpsCommand command;
    const char* bytes;
  };
  const Case cases[] = {
      {{.name = ups_cmd::kTestQuick}, "T"},
      {{.name = ups_cmd::kTestDeep}, "TL"},
      {{.name = ups_cmd::kTestTimed, .duration = 90s}, "T02"},
      {{.name = ups_cmd::kTestTimed}, "T10"},
      {{.name = ups_cmd::kTestStop}, "CT"},
      {{.name = ups_cmd::kShutdownReturn, .delay = 30s}, "S.5"},
      {{.name = ups_cmd::kShutdownReturn, .delay = 55s, .restart_after = 3min}, "S01R0003"},
      {{.name = ups_cmd::kShutdownStayoff, .delay = 13s}, "S.3R0000"},
      {{.name = ups_cmd::kShutdownStop}, "C"},
      {{.name = ups_cmd::kLoadOff}, "S00R0000"},
      {{.name = ups_cmd::kLoadOn}, "C"},
      {{.name = ups_cmd::kBeeperToggle}, "Q"},
  };
  std::vector<std::string> expected;
  for (const auto& c : cases) {
    auto result = run_command(c.command);
    EXPECT_EQ(result.status, UpsCommandStatus::kSuccess) << c.command.name << ": " << result.detail;
    expected.push_back(c.bytes);
  }
  EXPECT_EQ(ups_->commands(), expected);
  EXPECT_EQ(collector_->counters().commands_sent, expected.size());
  // Every name in commands() is handled.
  for (const auto& name : collector_->commands()) {
    EXPECT_NE(run_command({.name = name}).status, UpsCommandStatus::kUnsupported) << name;
  }
}

TEST_F(MegatecCollectorTest, CommandsTheProtocolCannotExpress) {
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  start();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  EXPECT_EQ(run_command({.name = ups_cmd::kShutdownReturn, .delay = 601s}).status,
            UpsCommandStatus::kInvalid);
  EXPECT_EQ(run_command({.name = ups_cmd::kShutdownStayoff, .delay = 11min}).status,
            UpsCommandStatus::kInvalid);
  EXPECT_EQ(run_command({.name = ups_cmd::kTestTimed, .duration = 100min}).status,
            UpsCommandStatus::kInvalid);
  EXPECT_EQ(run_command({.name = "outlet.1.load.off"}).status, UpsCommandStatus::kUnsupported);
  run_for(150ms);
  EXPECT_TRUE(ups_->commands().empty());
}

TEST_F(MegatecCollectorTest, EchoedCommandIsRefused) {
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  ups_->echo_commands = true;
  start();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  auto result = run_command({.name = ups_cmd::kTestDeep});
  EXPECT_EQ(result.status, UpsCommandStatus::kFailed);
  EXPECT_NE(result.detail.find("refused"), std::string::npos) << result.detail;
  EXPECT_EQ(collector_->counters().commands_refused, 1u);
  EXPECT_EQ(link(), UpsLink::kOnline);  // the echo did not spoil the next poll
}

TEST_F(MegatecCollectorTest, BeeperEnableOnlyTogglesWhenNeeded) {
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  start();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  auto already = run_command({.name = ups_cmd::kBeeperEnable});  // the status says enabled
  EXPECT_EQ(already.status, UpsCommandStatus::kSuccess);
  EXPECT_TRUE(ups_->commands().empty());
  EXPECT_EQ(run_command({.name = ups_cmd::kBeeperDisable}).status, UpsCommandStatus::kSuccess);
  EXPECT_EQ(ups_->commands(), std::vector<std::string>{"Q"});
}

TEST_F(MegatecCollectorTest, TestResultFromTheTestBit) {
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  start();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  EXPECT_EQ(var("ups.test.result"), "<absent>");

  ups_->status = "(230.0 195.0 229.0 042 50.0 2.27 30.0 00001101";
  ASSERT_TRUE(run_until([&] { return var("ups.test.result") == "In progress"; }));
  EXPECT_EQ(var("ups.status"), "OL CAL");
  ups_->status = kStatusOk;
  ASSERT_TRUE(run_until([&] { return var("ups.test.result") == "Done and passed"; }));

  ups_->status = "(230.0 195.0 229.0 042 50.0 2.27 30.0 00001101";
  ASSERT_TRUE(run_until([&] { return var("ups.test.result") == "In progress"; }));
  ups_->status = "(230.0 195.0 229.0 042 50.0 2.27 30.0 00011101";  // UPS failed during it
  ASSERT_TRUE(run_until([&] { return var("ups.alarm") == "UPS selftest failed!"; }));
  ups_->status = kStatusOk;
  ASSERT_TRUE(run_until([&] { return var("ups.test.result") == "Done and error"; }));

  ups_->status = "(230.0 195.0 229.0 042 50.0 2.27 30.0 00001101";
  ASSERT_TRUE(run_until([&] { return var("ups.test.result") == "In progress"; }));
  EXPECT_EQ(run_command({.name = ups_cmd::kTestStop}).status, UpsCommandStatus::kSuccess);
  ups_->status = kStatusOk;
  ASSERT_TRUE(run_until([&] { return var("ups.test.result") == "Aborted"; }));
}

TEST_F(MegatecCollectorTest, DeviceThatDisappearsIsReopened) {
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  start();
  ASSERT_TRUE(run_until([&] { return link() == UpsLink::kOnline; }));
  EXPECT_EQ(collector_->counters().opens, 1u);
  ups_->unplug();
  ASSERT_TRUE(run_until([&] { return collector_->counters().device_lost >= 1; }));
  std::filesystem::remove(device_);
  ASSERT_TRUE(run_until([&] { return collector_->counters().open_failures >= 2; }));
  EXPECT_FALSE(collector_->device_open());
  EXPECT_NE(link(), UpsLink::kOnline);
  auto refused = run_command({.name = ups_cmd::kTestQuick});
  EXPECT_EQ(refused.status, UpsCommandStatus::kNoResponse);
  // A new UPS behind the same path.
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  ups_->status = "(240.0 195.0 239.0 010 50.0 2.27 30.0 00001001";
  ASSERT_TRUE(run_until([&] { return var("input.voltage") == "240.0"; }));
  EXPECT_EQ(collector_->counters().opens, 2u);
  EXPECT_EQ(ups_->requests.at(0), "F");  // ratings asked again: the UPS may have changed
}

TEST_F(MegatecCollectorTest, NotASerialPortIsRefusedAndRetried) {
  { std::ofstream(device_) << "not a tty"; }
  start();
  ASSERT_TRUE(run_until([&] { return collector_->counters().open_failures >= 2; }));
  auto reading = collector_->read();
  EXPECT_EQ(reading.link, UpsLink::kLost);
  EXPECT_NE(reading.detail.find("not a serial port"), std::string::npos) << reading.detail;
}

TEST_F(MegatecCollectorTest, ValidateOnlyOpensNothing) {
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  collector_ = make_megatec_collector(settings_, loop_, false);
  run_for(250ms);
  EXPECT_TRUE(ups_->requests.empty());
  EXPECT_EQ(collector_->counters().opens + collector_->counters().open_failures, 0u);
  EXPECT_EQ(run_command({.name = ups_cmd::kTestQuick}).status, UpsCommandStatus::kNoResponse);
}

TEST_F(MegatecCollectorTest, RegistryEntryParsesSettings) {
  core::YamlReader reader("agent.yaml");
  auto node = reader.load_string("device: " + device_.string() +
                                 "\npoll_interval: 100ms\n"
                                 "reply_timeout: 50ms\n");
  ups_ = std::make_unique<PtyUps>(loop_, device_);
  auto collector = make_megatec_collector(node, DriverContext{loop_, reader, true});
  EXPECT_EQ(collector->name(), "megatec");
  ASSERT_TRUE(run_until([&] { return collector->read().link == UpsLink::kOnline; }));
}

}  // namespace
}  // namespace netpower::collectors::megatec
