// The nut collector against a scripted upsd on loopback, on a real SelectLoop: the session it
// opens, polling, stale/lost, reconnects, garbage, and instant commands with TRACKING.
#include "collectors/nut/nut_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/config_error.h"
#include "core/select_loop.h"
#include "scripted_upsd.h"

namespace netpower::collectors::nut {
namespace {

using namespace std::chrono_literals;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScriptedUpsd;

std::string quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Captures everything spdlog's default logger writes while it lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
    spdlog::set_level(spdlog::level::trace);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }
  int count(const std::string& needle) const {
    auto text = out_.str();
    int n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

class NutCollectorTest : public ::testing::Test {
 protected:
  NutCollectorTest() {
    upsd.set_handler([this](const std::string& line) { return answer(line); });
  }

  NutSettings settings() const {
    NutSettings s;
    s.port = upsd.port();
    s.ups = "ups";
    s.username = "admin";
    s.password = "pw \"quoted\"";
    s.poll_interval = 50ms;
    s.timeout = 300ms;
    s.comm_lost_after = 400ms;
    s.command_timeout = 600ms;
    s.reconnect_max = 100ms;
    return s;
  }

  std::unique_ptr<NutCollector> start(std::optional<NutSettings> s = std::nullopt) {
    return std::make_unique<NutCollector>(s ? *s : settings(), loop);
  }

  // What a sane upsd says, shaped by the members below.
  std::string answer(const std::string& line) {
    if (line.rfind("USERNAME ", 0) == 0 || line.rfind("PASSWORD ", 0) == 0) return "OK\n";
    if (line == "SET TRACKING ON") return tracking_on_reply;
    if (line == "LIST CMD ups") {
      std::string out = "BEGIN LIST CMD ups\n";
      for (const auto& c : cmds) out += "CMD ups " + c + "\n";
      return out + "END LIST CMD ups\n";
    }
    if (line == "LIST VAR ups") {
      if (!list_var_reply.empty()) return list_var_reply;
      std::string out = "BEGIN LIST VAR ups\n";
      for (const auto& [name, value] : vars) out += "VAR ups " + name + " " + quoted(value) + "\n";
      return out + "END LIST VAR ups\n";
    }
    if (line.rfind("INSTCMD ups ", 0) == 0) {
      auto cmd = line.substr(12);
      auto it = instcmd_replies.find(cmd);
      return it != instcmd_replies.end() ? it->second : "OK TRACKING id-" + cmd + "\n";
    }
    if (line.rfind("GET TRACKING ", 0) == 0) {
      if (tracking_replies.empty()) return "SUCCESS\n";
      auto reply = tracking_replies.front();
      if (tracking_replies.size() > 1) tracking_replies.erase(tracking_replies.begin());
      return reply;
    }
    return "ERR UNKNOWN-COMMAND\n";
  }

  template <typename Predicate>
  bool run_until(Predicate predicate, core::Duration timeout = 3s) {
    auto deadline = clock.now() + timeout;
    while (!predicate()) {
      if (clock.now() >= deadline) return false;
      loop.run_once(5ms);
    }
    return true;
  }
  void run_for(core::Duration d) {
    auto end = clock.now() + d;
    while (clock.now() < end) loop.run_once(5ms);
  }

  // Runs `command` and the loop until its `done` ran; checks it ran once and not inside run().
  UpsCommandResult run_command(NutCollector& nut, UpsCommand command) {
    int calls = 0;
    UpsCommandResult result;
    nut.run(command, [&](const UpsCommandResult& r) {
      ++calls;
      result = r;
    });
    EXPECT_EQ(calls, 0) << "done ran inside run()";
    EXPECT_TRUE(run_until([&] { return calls > 0; }, 5s));
    run_for(100ms);
    EXPECT_EQ(calls, 1);
    return result;
  }

  bool online(NutCollector& nut) { return nut.read().link == UpsLink::kOnline; }

  core::SteadyClock clock;
  core::SelectLoop loop{clock};
  ScriptedUpsd upsd{loop};
  std::map<std::string, std::string> vars = {{"ups.status", "OL CHRG"},
                                             {"battery.charge", "87"},
                                             {"ups.model", "Smart \"1500\" \\ X"},
                                             {"ups.id", ""}};
  std::vector<std::string> cmds = {"test.battery.start.quick", "load.off", "beeper.toggle"};
  std::string tracking_on_reply = "OK\n";
  std::string list_var_reply;  // empty: the list from `vars`
  std::map<std::string, std::string> instcmd_replies;
  std::vector<std::string> tracking_replies;  // consumed in order, the last one repeats
};

TEST_F(NutCollectorTest, ReadsTheVariablesAndCommands) {
  auto nut = start();
  EXPECT_EQ(nut->read().link, UpsLink::kLost);  // nothing yet
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  auto r = nut->read();
  EXPECT_EQ(r.vars.get("ups.status"), "OL CHRG");
  EXPECT_EQ(r.vars.number("battery.charge"), 87.0);
  EXPECT_EQ(r.vars.get("ups.model"), "Smart \"1500\" \\ X");
  EXPECT_EQ(r.vars.get("ups.id"), "");
  EXPECT_TRUE(r.vars.has_status("CHRG"));
  EXPECT_LE(r.updated, clock.now());
  EXPECT_THAT(nut->commands(),
              ElementsAre("beeper.toggle", "load.off", "test.battery.start.quick"));
  EXPECT_EQ(nut->max_command_delay(), 0s);
  EXPECT_EQ(nut->name(), "nut");
}

TEST_F(NutCollectorTest, OpensTheSessionInOneWriteWithoutLogin) {
  auto nut = start();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  ASSERT_GE(upsd.requests().size(), 5u);
  EXPECT_THAT(std::vector<std::string>(upsd.requests().begin(), upsd.requests().begin() + 5),
              ElementsAre("USERNAME admin", "PASSWORD \"pw \\\"quoted\\\"\"", "SET TRACKING ON",
                          "LIST CMD ups", "LIST VAR ups"));
  // Pipelined: the whole set-up arrives in the first chunk.
  ASSERT_FALSE(upsd.chunks().empty());
  EXPECT_EQ(upsd.chunks()[0],
            "USERNAME admin\nPASSWORD \"pw \\\"quoted\\\"\"\nSET TRACKING ON\nLIST CMD ups\n"
            "LIST VAR ups\n");
  EXPECT_THAT(upsd.requests(), Not(Contains(HasSubstr("LOGIN"))));
}

TEST_F(NutCollectorTest, WithoutUsernameItOnlyReads) {
  auto s = settings();
  s.username.clear();
  s.password.clear();
  auto nut = start(s);
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  EXPECT_EQ(upsd.requests().front(), "LIST CMD ups");
  EXPECT_THAT(upsd.requests(), Not(Contains(HasSubstr("USERNAME"))));
}

TEST_F(NutCollectorTest, PollsAgainAndSeesChanges) {
  auto nut = start();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  vars["ups.status"] = "OB DISCHRG";
  vars.erase("ups.id");
  ASSERT_TRUE(run_until([&] { return nut->read().vars.has_status("OB"); }));
  EXPECT_EQ(nut->read().vars.get("ups.id"), std::nullopt);
  EXPECT_GE(nut->stats().polls, 2u);
}

TEST_F(NutCollectorTest, DataStaleKeepsTheLastValuesThenLoses) {
  auto nut = start();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  auto good_at = nut->read().updated;
  list_var_reply = "ERR DATA-STALE\n";
  ASSERT_TRUE(run_until([&] { return nut->read().link == UpsLink::kStale; }));
  auto stale = nut->read();
  EXPECT_THAT(stale.detail, HasSubstr("DATA-STALE"));
  EXPECT_EQ(stale.vars.get("battery.charge"), "87");  // the last good poll, not invented
  EXPECT_GE(stale.updated, good_at);
  ASSERT_TRUE(run_until([&] { return nut->read().link == UpsLink::kLost; }));
  auto lost = nut->read();
  EXPECT_TRUE(lost.vars.empty());
  EXPECT_THAT(lost.detail, HasSubstr("DATA-STALE"));
  EXPECT_GE(clock.now() - stale.updated, 400ms);
  EXPECT_EQ(nut->stats().protocol_errors, 0u);  // an ERR is an answer, not a violation
  EXPECT_TRUE(nut->connected());
  list_var_reply.clear();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
}

TEST_F(NutCollectorTest, DriverNotConnectedIsStaleToo) {
  auto nut = start();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  list_var_reply = "ERR DRIVER-NOT-CONNECTED\n";
  ASSERT_TRUE(run_until([&] { return nut->read().link == UpsLink::kStale; }));
  EXPECT_THAT(nut->read().detail, HasSubstr("driver is not running"));
}

TEST_F(NutCollectorTest, ReconnectsWhenUpsdClosesTheConnection) {
  auto nut = start();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  upsd.close_clients();
  ASSERT_TRUE(run_until([&] { return nut->read().link == UpsLink::kStale; }));
  EXPECT_THAT(nut->read().detail, HasSubstr("closed the connection"));
  ASSERT_TRUE(run_until([&] { return online(*nut) && upsd.accepted() == 2; }));
  EXPECT_EQ(nut->stats().connects, 2u);
}

TEST_F(NutCollectorTest, RefusedConnectionsBackOffAndRecover) {
  upsd.stop_listening();
  auto s = settings();
  s.reconnect_max = 400ms;
  auto nut = start(s);
  run_for(1500ms);
  auto r = nut->read();
  EXPECT_EQ(r.link, UpsLink::kLost);
  EXPECT_THAT(r.detail, HasSubstr("Connection refused"));
  // 0.5s-capped backoff: 100+200+400+400 ms... never a tight loop.
  EXPECT_GE(nut->stats().connect_failures, 2u);
  EXPECT_LE(nut->stats().connect_failures, 6u);
  upsd.resume_listening();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
}

TEST_F(NutCollectorTest, AnUnansweredPollTimesOut) {
  auto nut = start();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  list_var_reply = "BEGIN LIST VAR ups\n";  // and then nothing
  ASSERT_TRUE(run_until([&] { return nut->stats().timeouts > 0; }));
  EXPECT_THAT(nut->read().detail, HasSubstr("no reply from upsd within 300ms"));
  EXPECT_NE(nut->read().link, UpsLink::kOnline);
}

TEST_F(NutCollectorTest, GarbageIsCountedAndDropsTheConnection) {
  for (std::string garbage :
       {std::string("HELLO\n"), std::string("BEGIN LIST VAR ups\nVAR ups x \"unterminated\n"),
        std::string("BEGIN LIST VAR other\n"), std::string("\x00\xff\xfe\n", 4),
        std::string(kMaxLineLength + 10, 'A') + "\n"}) {
    auto nut = start();
    ASSERT_TRUE(run_until([&] { return online(*nut); }));
    list_var_reply = garbage;
    ASSERT_TRUE(run_until([&] { return nut->stats().protocol_errors > 0; })) << printable(garbage);
    EXPECT_THAT(nut->read().detail, HasSubstr("protocol error"));
    EXPECT_EQ(nut->read().vars.get("battery.charge"), "87");  // stale, not wiped
    list_var_reply.clear();
    ASSERT_TRUE(run_until([&] { return online(*nut); }));
    EXPECT_GE(nut->stats().connects, 2u);
  }
}

TEST_F(NutCollectorTest, UnsolicitedLinesAreProtocolErrors) {
  auto s = settings();
  s.poll_interval = 10s;  // nothing in flight after the first poll
  auto nut = start(s);
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  upsd.push("VAR ups ups.status \"OB\"\n");
  ASSERT_TRUE(run_until([&] { return nut->stats().protocol_errors == 1; }));
  EXPECT_THAT(nut->read().detail, HasSubstr("nobody asked for"));
}

TEST_F(NutCollectorTest, ATrackedCommandSucceeds) {
  auto nut = start();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  tracking_replies = {"PENDING\n", "PENDING\n", "SUCCESS\n"};
  auto result = run_command(*nut, {.name = "test.battery.start.quick"});
  EXPECT_EQ(result.status, UpsCommandStatus::kSuccess) << result.detail;
  EXPECT_THAT(result.detail, HasSubstr("id-test.battery.start.quick"));
  EXPECT_THAT(upsd.requests(), Contains("INSTCMD ups test.battery.start.quick"));
  EXPECT_EQ(std::count(upsd.requests().begin(), upsd.requests().end(),
                       "GET TRACKING id-test.battery.start.quick"),
            3);
}

TEST_F(NutCollectorTest, TrackedFailuresMapToStatuses) {
  auto nut = start();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  struct Case {
    std::string tracking;
    UpsCommandStatus status;
    const char* detail;
  };
  for (const auto& c : {Case{"ERR FAILED\n", UpsCommandStatus::kFailed, "ERR FAILED"},
                        Case{"ERR UNKNOWN\n", UpsCommandStatus::kFailed, "ERR UNKNOWN"},
                        Case{"ERR INVALID-ARGUMENT\n", UpsCommandStatus::kInvalid, "argument"}}) {
    tracking_replies = {c.tracking};
    auto result = run_command(*nut, {.name = "load.off"});
    EXPECT_EQ(result.status, c.status) << c.tracking;
    EXPECT_THAT(result.detail, HasSubstr(c.detail));
  }
}

TEST_F(NutCollectorTest, RefusedCommandsMapToStatuses) {
  auto nut = start();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  struct Case {
    std::string reply;
    UpsCommandStatus status;
    const char* detail;
  };
  for (const auto& c :
       {Case{"ERR CMD-NOT-SUPPORTED\n", UpsCommandStatus::kUnsupported, "has no instant command"},
        Case{"ERR ACCESS-DENIED\n", UpsCommandStatus::kFailed, "user 'admin' lacks"},
        Case{"ERR USERNAME-REQUIRED\n", UpsCommandStatus::kFailed, "needs a username"},
        Case{"ERR DRIVER-NOT-CONNECTED\n", UpsCommandStatus::kNoResponse, "cannot reach"},
        Case{"ERR INSTCMD-FAILED\n", UpsCommandStatus::kFailed, "could not pass"},
        Case{"ERR INVALID-ARGUMENT\n", UpsCommandStatus::kInvalid, "invalid argument"}}) {
    instcmd_replies["shutdown.return"] = c.reply;
    auto result = run_command(*nut, {.name = "shutdown.return"});
    EXPECT_EQ(result.status, c.status) << c.reply;
    EXPECT_THAT(result.detail, HasSubstr(c.detail)) << c.reply;
  }
  EXPECT_TRUE(online(*nut));  // refusals are answers: the session stays
}

TEST_F(NutCollectorTest, WithoutTrackingAnAcceptedCommandIsSuccessWithUnknownResult) {
  tracking_on_reply = "ERR USERNAME-REQUIRED\n";
  instcmd_replies["load.off"] = "OK\n";
  auto nut = start();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  auto result = run_command(*nut, {.name = "load.off"});
  EXPECT_EQ(result.status, UpsCommandStatus::kSuccess);
  EXPECT_THAT(result.detail, HasSubstr("result is unknown"));
  EXPECT_THAT(result.detail, HasSubstr("SET TRACKING"));
}

TEST_F(NutCollectorTest, AResultThatNeverComesIsNoResponse) {
  auto nut = start();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  tracking_replies = {"PENDING\n"};
  auto started = clock.now();
  auto result = run_command(*nut, {.name = "load.off"});
  EXPECT_EQ(result.status, UpsCommandStatus::kNoResponse);
  EXPECT_THAT(result.detail, HasSubstr("no result within 600ms"));
  EXPECT_THAT(result.detail, HasSubstr("still PENDING"));
  EXPECT_GE(clock.now() - started, 600ms);
  EXPECT_TRUE(online(*nut));
}

TEST_F(NutCollectorTest, ALostConnectionEndsPendingCommands) {
  auto nut = start();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  tracking_replies = {"PENDING\n"};
  int calls = 0;
  UpsCommandResult result;
  nut->run({.name = "load.off"}, [&](const UpsCommandResult& r) {
    ++calls;
    result = r;
  });
  ASSERT_TRUE(run_until([&] {
    return std::count(upsd.requests().begin(), upsd.requests().end(), "GET TRACKING id-load.off") >
           0;
  }));
  upsd.close_clients();
  ASSERT_TRUE(run_until([&] { return calls > 0; }));
  run_for(200ms);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(result.status, UpsCommandStatus::kNoResponse);
  EXPECT_THAT(result.detail, HasSubstr("connection to upsd lost"));
  EXPECT_THAT(result.detail, HasSubstr("may still run"));
}

TEST_F(NutCollectorTest, CommandsWhileDisconnectedAreNoResponse) {
  upsd.stop_listening();
  auto nut = start();
  run_for(50ms);
  auto result = run_command(*nut, {.name = "load.off"});
  EXPECT_EQ(result.status, UpsCommandStatus::kNoResponse);
  EXPECT_THAT(result.detail, HasSubstr("not connected"));
}

TEST_F(NutCollectorTest, ArgumentsNutCannotCarryAreInvalid) {
  auto nut = start();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  EXPECT_EQ(run_command(*nut, {.name = "shutdown.return", .delay = 30s}).status,
            UpsCommandStatus::kInvalid);
  EXPECT_EQ(run_command(*nut, {.name = "shutdown.return", .restart_after = 60s}).status,
            UpsCommandStatus::kInvalid);
  EXPECT_EQ(run_command(*nut, {.name = "test.battery.start", .duration = 60s}).status,
            UpsCommandStatus::kInvalid);
  EXPECT_EQ(run_command(*nut, {.name = "load.off\nLIST VAR ups"}).status,
            UpsCommandStatus::kInvalid);
  EXPECT_EQ(run_command(*nut, {.name = ""}).status, UpsCommandStatus::kInvalid);
  EXPECT_THAT(upsd.requests(), Not(Contains(HasSubstr("INSTCMD"))));
  // A zero delay is no delay.
  EXPECT_EQ(run_command(*nut, {.name = "shutdown.return", .delay = 0s}).status,
            UpsCommandStatus::kSuccess);
}

TEST_F(NutCollectorTest, DestroyingWithAPendingCommandStillAnswersIt) {
  auto nut = start();
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  tracking_replies = {"PENDING\n"};
  int calls = 0;
  UpsCommandResult result;
  nut->run({.name = "load.off"}, [&](const UpsCommandResult& r) {
    ++calls;
    result = r;
  });
  run_for(100ms);
  nut.reset();
  EXPECT_EQ(calls, 0);
  run_for(50ms);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(result.status, UpsCommandStatus::kNoResponse);
}

TEST_F(NutCollectorTest, NotOpenedTouchesNothing) {
  auto nut = std::make_unique<NutCollector>(settings(), loop, /*open=*/false);
  run_for(200ms);
  EXPECT_EQ(upsd.accepted(), 0);
  EXPECT_EQ(nut->read().link, UpsLink::kLost);
  EXPECT_EQ(run_command(*nut, {.name = "load.off"}).status, UpsCommandStatus::kNoResponse);
}

TEST_F(NutCollectorTest, FactoryValidatesThroughTheYamlReader) {
  core::YamlReader reader("agent.yaml");
  auto node = reader.load_string("ups: ups\nport: " + std::to_string(upsd.port()) +
                                 "\npoll_interval: 50ms\n");
  auto collector = make_nut_collector(node, {loop, reader, true});
  auto* nut = dynamic_cast<NutCollector*>(collector.get());
  ASSERT_NE(nut, nullptr);
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  EXPECT_THROW(make_nut_collector(reader.load_string("ups: u\nbogus: 1\n"), {loop, reader, false}),
               core::ConfigError);
}

TEST_F(NutCollectorTest, ThePasswordNeverReachesTheLog) {
  LogCapture log;
  {
    auto s = settings();
    s.password = "SuperSecretPw";
    auto nut = start(s);
    ASSERT_TRUE(run_until([&] { return online(*nut); }));
    // Everything that logs: refusals, commands, garbage, a dropped connection.
    instcmd_replies["load.off"] = "ERR ACCESS-DENIED\n";
    run_command(*nut, {.name = "load.off"});
    list_var_reply = "garbage SuperSecret\n";
    ASSERT_TRUE(run_until([&] { return nut->stats().protocol_errors > 0; }));
    list_var_reply.clear();
    ASSERT_TRUE(run_until([&] { return online(*nut) && nut->stats().connects == 2; }));
    upsd.close_clients();
    ASSERT_TRUE(run_until([&] { return online(*nut) && nut->stats().connects == 3; }));
  }
  EXPECT_THAT(log.text(), HasSubstr("denied"));
  EXPECT_THAT(log.text(), Not(HasSubstr("SuperSecretPw")));
  EXPECT_THAT(upsd.requests(), Contains("PASSWORD SuperSecretPw"));
}

TEST_F(NutCollectorTest, RepeatedFailuresAreLoggedOncePerMinute) {
  LogCapture log;
  auto s = settings();
  s.reconnect_max = 10ms;
  auto nut = start(s);
  ASSERT_TRUE(run_until([&] { return online(*nut); }));
  list_var_reply = "BEGIN LIST VAR other\n";  // every poll breaks the protocol
  ASSERT_TRUE(run_until([&] { return nut->stats().protocol_errors >= 5; }));
  EXPECT_EQ(log.count("connection dropped"), 1) << log.text();
  upsd.stop_listening();
  upsd.close_clients();
  ASSERT_TRUE(run_until([&] { return nut->stats().connect_failures >= 5; }));
  EXPECT_EQ(log.count("cannot connect"), 1) << log.text();
}

}  // namespace
}  // namespace netpower::collectors::nut
