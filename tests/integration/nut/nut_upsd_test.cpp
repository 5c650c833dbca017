// The nut collector against a real upsd (NUT 2.8.0) serving NUT's dummy-ups and clone drivers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "collectors/nut/nut_collector.h"
#include "collectors/nut/nut_protocol.h"
#include "core/duration.h"
#include "core/select_loop.h"
#include "tests/integration/nut/upsd_server.h"

namespace netpower::collectors::nut {
namespace {

using namespace std::chrono_literals;
using ::testing::Contains;
using ::testing::HasSubstr;
using testing::UpsdServer;

// Each test gets its own upsd (about 3-4 s to start: dummy-ups needs two poll rounds before upsd
// has its data); tests that leave the server as they found it share one (NutUpsdSharedTest).
class NutUpsdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    own_ = std::make_unique<UpsdServer>();
    own_->start();
    upsd = own_.get();
  }

  NutSettings settings(const std::string& ups = "") const {
    NutSettings s;
    s.port = upsd->port();
    s.ups = ups.empty() ? upsd->ups() : ups;
    s.username = upsd->user();
    s.password = upsd->password();
    s.poll_interval = 200ms;
    s.timeout = 1s;
    s.comm_lost_after = 2s;
    s.command_timeout = 5s;
    s.reconnect_max = 300ms;
    return s;
  }

  std::unique_ptr<NutCollector> start(NutSettings s) {
    return std::make_unique<NutCollector>(std::move(s), loop);
  }

  template <typename Predicate>
  bool run_until(Predicate predicate, core::Duration timeout = 10s) {
    auto deadline = clock.now() + timeout;
    while (!predicate()) {
      if (clock.now() >= deadline) return false;
      loop.run_once(10ms);
    }
    return true;
  }

  UpsLink link(NutCollector& nut) { return nut.read().link; }

  UpsCommandResult run_command(NutCollector& nut, const std::string& name) {
    int calls = 0;
    UpsCommandResult result;
    nut.run({.name = name}, [&](const UpsCommandResult& r) {
      ++calls;
      result = r;
    });
    EXPECT_TRUE(run_until([&] { return calls > 0; }, 10s)) << name;
    EXPECT_EQ(calls, 1);
    return result;
  }

  core::SteadyClock clock;
  core::SelectLoop loop{clock};
  UpsdServer* upsd = nullptr;

 private:
  std::unique_ptr<UpsdServer> own_;
};

class NutUpsdSharedTest : public NutUpsdTest {
 protected:
  static void SetUpTestSuite() {
    try {
      shared_ = std::make_unique<UpsdServer>();
      shared_->start();
    } catch (const std::exception& e) {
      start_error_ = e.what();
      shared_.reset();
    }
  }
  static void TearDownTestSuite() { shared_.reset(); }
  void SetUp() override {
    ASSERT_NE(shared_, nullptr) << start_error_;
    upsd = shared_.get();
  }

 private:
  static inline std::unique_ptr<UpsdServer> shared_;
  static inline std::string start_error_;
};

TEST_F(NutUpsdSharedTest, ReadsTheDummysVariables) {
  auto nut = start(settings());
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kOnline; })) << nut->read().detail;
  auto vars = nut->read().vars;
  EXPECT_EQ(vars.get("ups.mfr"), "netpower");
  EXPECT_EQ(vars.get("ups.model"), "Dummy 1500");
  EXPECT_EQ(vars.get("ups.status"), "OL");
  EXPECT_EQ(vars.number("battery.charge"), 100.0);
  EXPECT_EQ(vars.number("input.voltage"), 230.0);
  EXPECT_EQ(vars.get("input.frequency"), "50.0");
  EXPECT_EQ(vars.get("driver.name"), "dummy-ups");  // upsd adds the driver's own variables
  EXPECT_THAT(nut->commands(), Contains("load.off"));
  EXPECT_EQ(nut->stats().protocol_errors, 0u);
}

TEST_F(NutUpsdTest, SeesAChangedDevFile) {
  auto nut = start(settings());
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kOnline; }));
  auto changed = clock.now();
  upsd->update_vars({{"input.voltage", "207.5"}, {"ups.status", "OB DISCHRG"}});
  ASSERT_TRUE(run_until([&] { return nut->read().vars.get("input.voltage") == "207.5"; }))
      << upsd->log_text();
  std::printf(
      "dummy-ups .dev change seen by the collector after %lld ms\n",
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - changed).count()));
  EXPECT_TRUE(nut->read().vars.has_status("OB"));
  EXPECT_TRUE(nut->read().vars.has_status("DISCHRG"));
}

TEST_F(NutUpsdTest, SeesAValueSetThroughUpsd) {
  auto nut = start(settings());
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kOnline; }));
  upsd->set_var("battery.charge", "42");
  ASSERT_TRUE(run_until([&] { return nut->read().vars.number("battery.charge") == 42.0; }));
}

TEST_F(NutUpsdTest, UpsdKilledIsStaleThenLostAndBackWhenRestarted) {
  auto nut = start(settings());
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kOnline; }));
  upsd->kill_upsd();
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kStale; }));
  auto stale = nut->read();
  EXPECT_EQ(stale.vars.get("ups.mfr"), "netpower");  // the last good poll
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kLost; }));
  auto lost = nut->read();
  EXPECT_TRUE(lost.vars.empty());
  EXPECT_THAT(lost.detail, HasSubstr("Connection refused"));
  EXPECT_GE(clock.now() - stale.updated, 2s);
  upsd->start_upsd();
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kOnline; })) << nut->read().detail;
  EXPECT_EQ(nut->read().vars.get("ups.mfr"), "netpower");
  EXPECT_GE(nut->stats().connects, 2u);
}

TEST_F(NutUpsdTest, StoppedDriverIsStaleAndRecovers) {
  auto nut = start(settings());
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kOnline; }));
  upsd->stop_driver();
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kStale; }));
  EXPECT_THAT(nut->read().detail, HasSubstr("DRIVER-NOT-CONNECTED"));
  EXPECT_TRUE(nut->connected());  // upsd itself is fine
  upsd->start_driver();
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kOnline; })) << nut->read().detail;
}

TEST_F(NutUpsdTest, AHungDriverBecomesDataStale) {
  auto s = settings();
  s.comm_lost_after = 30s;
  auto nut = start(s);
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kOnline; }));
  upsd->pause_driver();
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kStale; }, 20s)) << upsd->log_text();
  EXPECT_THAT(nut->read().detail, HasSubstr("DATA-STALE"));
  upsd->resume_driver();
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kOnline; }, 20s));
}

TEST_F(NutUpsdTest, ATrackedCommandSucceeds) {
  auto nut = start(settings(upsd->clone_ups()));
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kOnline; }));
  EXPECT_THAT(nut->commands(), Contains("shutdown.return"));
  EXPECT_THAT(nut->commands(), Contains("shutdown.stayoff"));
  auto result = run_command(*nut, "shutdown.return");
  EXPECT_EQ(result.status, UpsCommandStatus::kSuccess) << result.detail;
  EXPECT_THAT(result.detail, HasSubstr("SUCCESS"));
  // The clone driver really acted: it raised FSD for its one-hour shutdown timer.
  ASSERT_TRUE(run_until([&] { return nut->read().vars.has_status("FSD"); }));
}

TEST_F(NutUpsdSharedTest, ATrackedCommandFails) {
  auto nut = start(settings());
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kOnline; }));
  // dummy-ups 2.8.0 lists load.off but its handler refuses every command.
  auto result = run_command(*nut, "load.off");
  EXPECT_EQ(result.status, UpsCommandStatus::kFailed) << result.detail;
  EXPECT_THAT(result.detail, HasSubstr("TRACKING: ERR UNKNOWN"));
}

TEST_F(NutUpsdSharedTest, AnUnlistedCommandIsUnsupported) {
  auto nut = start(settings());
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kOnline; }));
  auto result = run_command(*nut, "test.battery.start.quick");
  EXPECT_EQ(result.status, UpsCommandStatus::kUnsupported) << result.detail;
  EXPECT_THAT(result.detail, HasSubstr("CMD-NOT-SUPPORTED"));
}

TEST_F(NutUpsdSharedTest, AWrongPasswordIsAClearError) {
  auto s = settings(upsd->clone_ups());
  s.password = "not-the-password";
  auto nut = start(s);
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kOnline; }));  // reading needs none
  auto result = run_command(*nut, "shutdown.return");
  EXPECT_EQ(result.status, UpsCommandStatus::kFailed);
  EXPECT_THAT(result.detail, HasSubstr("ACCESS-DENIED"));
  EXPECT_THAT(result.detail, HasSubstr("wrong password"));
  EXPECT_THAT(result.detail, HasSubstr("np-admin"));
  EXPECT_FALSE(nut->read().vars.has_status("FSD"));
}

TEST_F(NutUpsdSharedTest, NoCredentialsIsAClearError) {
  auto s = settings(upsd->clone_ups());
  s.username.clear();
  s.password.clear();
  auto nut = start(s);
  ASSERT_TRUE(run_until([&] { return link(*nut) == UpsLink::kOnline; }));
  auto result = run_command(*nut, "shutdown.return");
  EXPECT_EQ(result.status, UpsCommandStatus::kFailed);
  EXPECT_THAT(result.detail, HasSubstr("USERNAME-REQUIRED"));
  EXPECT_THAT(result.detail, HasSubstr("set username"));
}

TEST_F(NutUpsdSharedTest, AnUnknownUpsIsLostWithTheReason) {
  auto nut = start(settings("nosuchups"));
  ASSERT_TRUE(run_until([&] { return nut->stats().poll_errors > 0; }));
  EXPECT_EQ(link(*nut), UpsLink::kLost);
  EXPECT_THAT(nut->read().detail, HasSubstr("UNKNOWN-UPS"));
}

// upsd's real replies through the parsers; with NETPOWER_NUT_CORPUS_DIR set they are also written
// there as fuzz corpus files (fuzz/nut: first byte = what the request expects).
TEST_F(NutUpsdSharedTest, RealRepliesParse) {
  struct Capture {
    const char* file;
    char expect_tag;
    Expect expect;
    std::string ups;
    std::vector<std::string> requests;  // all but the last are set-up; the last one is captured
  };
  const std::string user = "USERNAME " + upsd->user(), pass = "PASSWORD " + upsd->password();
  const std::string on = "SET TRACKING ON", unknown_id = "GET TRACKING 00000000-0000-0000-0000-0";
  const auto t = Expect::kOkOrTracking;
  std::vector<Capture> captures = {
      {"real-list-var", 'l', Expect::kVarList, "dummy", {"LIST VAR dummy"}},
      {"real-list-cmd", 'c', Expect::kCmdList, "dummy", {"LIST CMD dummy"}},
      {"real-get-var", 'v', Expect::kVar, "dummy", {"GET VAR dummy ups.status"}},
      {"real-err-unknown-ups", 'l', Expect::kVarList, "nosuch", {"LIST VAR nosuch"}},
      {"real-ok-username", 'o', Expect::kOk, "", {user}},
      {"real-tracking-needs-user", 'o', Expect::kOk, "", {on}},
      {"real-ok-tracking", 't', t, "", {user, pass, on, "INSTCMD dummy load.off"}},
      {"real-cmd-not-supported", 't', t, "", {user, pass, "INSTCMD dummy test.battery.start"}},
      {"real-access-denied", 't', t, "", {user, "PASSWORD x", "INSTCMD clone shutdown.return"}},
      {"real-tracking-unknown-id", 's', Expect::kTrackingStatus, "", {user, pass, on, unknown_id}},
  };
  const char* corpus = std::getenv("NETPOWER_NUT_CORPUS_DIR");
  for (const auto& c : captures) {
    auto raw = upsd->session(c.requests);
    // Drop the set-up replies (one line each) to keep the reply to the last request.
    for (std::size_t i = 1; i < c.requests.size(); ++i) raw.erase(0, raw.find('\n') + 1);
    LineSplitter splitter;
    std::vector<std::string> lines;
    ASSERT_TRUE(splitter.feed(raw, lines));
    ReplyReader reader(c.expect, c.ups);
    auto step = ReplyReader::Step::kNeedMore;
    for (const auto& line : lines) step = reader.feed(line);
    EXPECT_EQ(step, ReplyReader::Step::kDone) << c.file << ": " << raw << reader.error();
    if (corpus) std::ofstream(std::filesystem::path(corpus) / c.file) << c.expect_tag << raw;
  }
  // And the tracked result of a real command, after it completed.
  auto raw = upsd->session({user, pass, "SET TRACKING ON", "INSTCMD dummy load.off"});
  auto id = raw.substr(raw.rfind("OK TRACKING ") + 12);
  id = id.substr(0, id.find('\n'));
  std::string status;
  ASSERT_TRUE(run_until([&] {
    status = upsd->tracking_status(id);
    return status != "PENDING\n";
  }));
  EXPECT_EQ(status, "ERR UNKNOWN\n");
  // Without SET TRACKING ON on the asking connection, upsd will not tell.
  auto untracked = upsd->session({"GET TRACKING " + id});
  EXPECT_EQ(untracked, "ERR FEATURE-NOT-CONFIGURED\n");
  if (corpus) {
    std::ofstream(std::filesystem::path(corpus) / "real-tracking-err") << 's' << status;
    std::ofstream(std::filesystem::path(corpus) / "real-tracking-not-configured")
        << 's' << untracked;
  }
}

}  // namespace
}  // namespace netpower::collectors::nut
