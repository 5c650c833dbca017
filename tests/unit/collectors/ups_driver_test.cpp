// The UPS driver framework (collectors/ups_driver.h) around a scripted driver, on a manual clock.

#include "collectors/ups_driver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "framework/manual_loop.h"

namespace netpower::collectors {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::ManualLoop;
using ::testing::Not;

// Captures what spdlog's default logger writes while it lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }
  int count(const std::string& what) const {
    int n = 0;
    auto s = out_.str();
    for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

// A driver that records what the framework asks and answers as the test says.
class ScriptedDriver final : public UpsDriver {
 public:
  explicit ScriptedDriver(UpsDriverHost& host) : host_(host) {}
  std::string name() const override { return "scripted"; }
  std::string where() const override { return "/dev/test"; }
  void open() override {
    open_at.push_back(host_.loop().clock().now());
    if (open_fails) return host_.device_failed("cannot open /dev/test");
    if (open_sync) host_.opened();
  }
  void update() override {
    update_at.push_back(host_.loop().clock().now());
    if (!answer) return;
    if (*answer) {
      UpsVars v;
      v.set("battery.charge", charge);
      host_.data_ok(v);
    } else {
      host_.data_failed("no answer within 1s");
    }
  }
  std::vector<std::string> commands() const override { return {"load.off"}; }
  std::chrono::seconds max_command_delay() const override { return 0s; }
  void run(const UpsCommand& command, UpsCommandDone done) override {
    ran.push_back(command.name);
    host_.loop().call_after(0s, [done] { done({UpsCommandStatus::kSuccess, "ok"}); });
  }
  UpsDriverHost& host() { return host_; }

  bool open_fails = false;
  bool open_sync = true;
  std::optional<bool> answer = true;  // nullopt: say nothing
  std::string charge = "90";
  std::vector<core::TimePoint> open_at, update_at;
  std::vector<std::string> ran;

 private:
  UpsDriverHost& host_;
};

class UpsDriverRunnerTest : public ::testing::Test {
 protected:
  UpsDriverRunnerTest() {
    timing.poll_interval = 100ms;
    timing.stale_after = 250ms;
    timing.lost_after = 1s;
    timing.reopen_first = 100ms;
    timing.reopen_max = 800ms;
  }
  void start(bool open = true) {
    runner = std::make_unique<UpsDriverRunner>(
        loop, timing,
        [this](UpsDriverHost& host) {
          auto d = std::make_unique<ScriptedDriver>(host);
          driver = d.get();
          driver->open_fails = open_fails;
          return d;
        },
        open);
  }
  // Advances in steps of 1 ms so that every timer runs at its own time.
  void run_for(core::Duration d) {
    for (auto end = loop.now() + d; loop.now() < end;) loop.advance(1ms);
  }
  UpsLink link() { return runner->read().link; }

  LogCapture log;
  ManualLoop loop;
  UpsDriverPolicy timing;  // the policy under test
  bool open_fails = false;
  ScriptedDriver* driver = nullptr;
  std::unique_ptr<UpsDriverRunner> runner;
};

TEST_F(UpsDriverRunnerTest, OpensAtOnceUpdatesAfterTheOpenThenEveryPollInterval) {
  auto t0 = loop.now();
  start();
  EXPECT_TRUE(driver->open_at.empty());  // nothing inside the constructor
  EXPECT_EQ(link(), UpsLink::kLost);
  loop.advance(0ms);
  ASSERT_EQ(driver->open_at.size(), 1u);
  ASSERT_EQ(driver->update_at.size(), 1u);  // right after the open
  EXPECT_EQ(link(), UpsLink::kOnline);
  EXPECT_TRUE(runner->device_open());
  run_for(300ms);
  EXPECT_EQ(driver->update_at,
            (std::vector<core::TimePoint>{t0, t0 + 100ms, t0 + 200ms, t0 + 300ms}));
  EXPECT_EQ(runner->read().vars.get("battery.charge"), "90");
  EXPECT_EQ(runner->name(), "scripted");
  EXPECT_EQ(runner->commands(), std::vector<std::string>{"load.off"});
}

TEST_F(UpsDriverRunnerTest, AnOpenThatCompletesLaterUpdatesThen) {
  start();
  driver->open_sync = false;
  loop.advance(0ms);
  EXPECT_TRUE(driver->update_at.empty());
  EXPECT_FALSE(runner->device_open());
  run_for(150ms);
  EXPECT_TRUE(driver->update_at.empty());  // no update while opening
  driver->host().opened();
  EXPECT_EQ(driver->update_at.size(), 1u);
  EXPECT_EQ(link(), UpsLink::kOnline);
}

TEST_F(UpsDriverRunnerTest, StaleOnAFailedReadThenLostThenBack) {
  start();
  loop.advance(0ms);
  auto good = loop.now();
  driver->answer = false;
  run_for(100ms);
  auto stale = runner->read();
  EXPECT_EQ(stale.link, UpsLink::kStale);  // NUT's dstate_datastale(): at once
  EXPECT_EQ(stale.detail, "no answer within 1s");
  EXPECT_EQ(stale.vars.get("battery.charge"), "90");
  EXPECT_EQ(stale.updated, good);
  run_for(899ms);
  EXPECT_EQ(link(), UpsLink::kStale);
  run_for(1ms);  // exactly lost_after since the good read
  auto lost = runner->read();
  EXPECT_EQ(lost.link, UpsLink::kLost);
  EXPECT_TRUE(lost.vars.empty());
  EXPECT_EQ(runner->staleness().last_values().get("battery.charge"), "90");  // never wiped
  EXPECT_EQ(log.count("no longer shown"), 1);
  driver->answer = true;
  driver->charge = "85";
  run_for(100ms);
  auto back = runner->read();
  EXPECT_EQ(back.link, UpsLink::kOnline);
  EXPECT_EQ(back.vars.get("battery.charge"), "85");
  EXPECT_EQ(log.count("recovered after 10 failure(s)"), 1) << log.text();
}

TEST_F(UpsDriverRunnerTest, ADriverThatSaysNothingGoesStaleByTheClock) {
  start();
  loop.advance(0ms);
  driver->answer.reset();
  run_for(250ms);
  EXPECT_EQ(link(), UpsLink::kOnline);  // exactly stale_after: still on time
  run_for(1ms);
  auto r = runner->read();
  EXPECT_EQ(r.link, UpsLink::kStale);
  EXPECT_THAT(r.detail, HasSubstr("no good read for more than 250ms"));
  driver->answer = true;
  run_for(100ms);
  EXPECT_EQ(link(), UpsLink::kOnline);
}

TEST_F(UpsDriverRunnerTest, ReopenBackoffDoublesToItsCapAndResetsOnAGoodRead) {
  open_fails = true;
  start();
  auto t0 = loop.now();
  run_for(4s);
  // 0, then +100, +200, +400, +800 (cap), +800, ...
  std::vector<core::TimePoint> expected = {t0,          t0 + 100ms,  t0 + 300ms,  t0 + 700ms,
                                           t0 + 1500ms, t0 + 2300ms, t0 + 3100ms, t0 + 3900ms};
  EXPECT_EQ(driver->open_at, expected);
  EXPECT_TRUE(driver->update_at.empty());
  auto r = runner->read();
  EXPECT_EQ(r.link, UpsLink::kLost);
  EXPECT_EQ(r.detail, "cannot open /dev/test");
  // The port comes back: one good read resets the backoff.
  driver->open_fails = false;
  run_for(800ms);
  ASSERT_EQ(driver->open_at.size(), 9u);
  EXPECT_EQ(link(), UpsLink::kOnline);
  EXPECT_EQ(runner->next_reopen_delay(), 100ms);
  driver->host().device_failed("hang-up");
  EXPECT_FALSE(runner->device_open());
  EXPECT_EQ(link(), UpsLink::kStale);
  auto failed_at = loop.now();
  run_for(100ms);
  ASSERT_EQ(driver->open_at.size(), 10u);
  EXPECT_EQ(driver->open_at.back(), failed_at + 100ms);
}

TEST_F(UpsDriverRunnerTest, ConnectingWithoutAGoodReadDoesNotResetTheBackoff) {
  start();
  loop.advance(0ms);
  driver->answer.reset();  // opens, then never a good read
  for (int i = 0; i < 3; ++i) {
    driver->host().device_failed("closed");
    run_for(runner->next_reopen_delay() / 2 * 2);
  }
  EXPECT_EQ(runner->next_reopen_delay(), 800ms);
}

TEST_F(UpsDriverRunnerTest, FailuresAreLoggedFirstThreeThenOneInThirty) {
  start();
  loop.advance(0ms);
  driver->answer = false;
  run_for(6300ms);                                               // 63 failed reads
  EXPECT_EQ(log.count("no answer within 1s"), 5) << log.text();  // 1, 2, 3, 33, 63
  EXPECT_EQ(log.count("(29 similar not logged)"), 2);
  driver->answer = true;
  run_for(100ms);
  EXPECT_EQ(log.count("recovered after 63 failure(s)"), 1);
}

TEST_F(UpsDriverRunnerTest, EachKindOfProblemIsLimitedApart) {
  timing.log_first = 1;
  timing.reopen_max = 100ms;
  start();
  loop.advance(0ms);
  driver->answer = false;
  run_for(500ms);  // five failed reads
  for (int i = 0; i < 5; ++i) {
    driver->host().device_failed("connection dropped: closed");  // five lost devices
    run_for(100ms);
  }
  driver->open_fails = true;
  driver->host().device_failed("connection dropped: closed");
  run_for(500ms);  // five failed opens
  EXPECT_EQ(log.count("no answer within 1s"), 1) << log.text();
  EXPECT_EQ(log.count("connection dropped"), 1) << log.text();
  EXPECT_EQ(log.count("cannot open /dev/test"), 1) << log.text();
  // A good read ends every run: each kind is logged again from its first problem.
  driver->open_fails = false;
  driver->answer = true;
  run_for(200ms);
  ASSERT_EQ(link(), UpsLink::kOnline);
  EXPECT_EQ(log.count("recovered after"), 1);
  driver->answer = false;
  run_for(100ms);
  EXPECT_EQ(log.count("no answer within 1s"), 2);
}

TEST_F(UpsDriverRunnerTest, NotOpenedTouchesNothing) {
  start(/*open=*/false);
  run_for(500ms);
  EXPECT_TRUE(driver->open_at.empty());
  auto r = runner->read();
  EXPECT_EQ(r.link, UpsLink::kLost);
  EXPECT_EQ(r.detail, "not opened");
  std::optional<UpsCommandResult> result;
  runner->run({.name = "load.off"}, [&](const UpsCommandResult& done) { result = done; });
  EXPECT_FALSE(result);  // never inside run()
  loop.advance(0ms);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, UpsCommandStatus::kNoResponse);
  EXPECT_TRUE(driver->ran.empty());
}

TEST_F(UpsDriverRunnerTest, CommandsGoToTheDriver) {
  start();
  loop.advance(0ms);
  std::optional<UpsCommandResult> result;
  runner->run({.name = "load.off"}, [&](const UpsCommandResult& done) { result = done; });
  loop.advance(0ms);
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->ok());
  EXPECT_EQ(driver->ran, std::vector<std::string>{"load.off"});
}

TEST_F(UpsDriverRunnerTest, DestroyedWithTimersPendingRunsNothingLater) {
  open_fails = true;
  start();
  loop.advance(0ms);
  runner.reset();
  run_for(2s);  // a timer that outlived the runner would crash here
  EXPECT_THAT(log.text(), Not(HasSubstr("reopening in 0s")));
}

}  // namespace
}  // namespace netpower::collectors
