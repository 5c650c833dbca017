#include "collectors/nut/nut_settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/config_error.h"

namespace netpower::collectors::nut {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

NutSettings settings_from(const std::string& yaml) {
  core::YamlReader reader("ups.yaml");
  return parse_nut_settings(reader.load_string(yaml), reader);
}

core::ConfigError error_for(const std::string& yaml) {
  try {
    settings_from(yaml);
  } catch (const core::ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted: " << yaml;
  return core::ConfigError("", 0, 0, "");
}

class PasswordFile {
 public:
  explicit PasswordFile(const std::string& content) {
    char name[] = "/tmp/np-nut-pw-XXXXXX";
    int fd = ::mkstemp(name);
    path_ = name;
    [[maybe_unused]] auto n = ::write(fd, content.data(), content.size());
    ::close(fd);
  }
  ~PasswordFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(NutSettings, DefaultsWithOnlyTheUps) {
  auto s = settings_from("ups: dummy");
  EXPECT_EQ(s.host, "127.0.0.1");
  EXPECT_EQ(s.port, 3493);
  EXPECT_EQ(s.ups, "dummy");
  EXPECT_EQ(s.username, "");
  EXPECT_EQ(s.password, "");
  EXPECT_EQ(s.poll_interval, 2s);
  EXPECT_EQ(s.timeout, 3s);
  EXPECT_EQ(s.comm_lost_after, 30s);
  EXPECT_EQ(s.command_timeout, 30s);
  EXPECT_EQ(s.reconnect_max, 30s);
  EXPECT_TRUE(s.low_latency);
}

TEST(NutSettings, ReadsEveryKey) {
  auto s = settings_from(R"(
host: "::1"
port: 3494
ups: ups-1.rack_A
username: monitor
password: "s3cret with spaces"
poll_interval: 500ms
timeout: 1s
comm_lost_after: 1m
command_timeout: 45s
reconnect_max: 5s
)");
  EXPECT_EQ(s.host, "::1");
  EXPECT_EQ(s.port, 3494);
  EXPECT_EQ(s.ups, "ups-1.rack_A");
  EXPECT_EQ(s.username, "monitor");
  EXPECT_EQ(s.password, "s3cret with spaces");
  EXPECT_EQ(s.poll_interval, 500ms);
  EXPECT_EQ(s.timeout, 1s);
  EXPECT_EQ(s.comm_lost_after, 60s);
  EXPECT_EQ(s.command_timeout, 45s);
  EXPECT_EQ(s.reconnect_max, 5s);
}

TEST(NutSettings, StaleAfter) {
  EXPECT_FALSE(settings_from("{ups: u}").stale_after);  // derived from poll_interval and timeout
  EXPECT_EQ(settings_from("{ups: u, stale_after: 7s}").stale_after, 7s);
  EXPECT_THAT(error_for("{ups: u, stale_after: 1ms}").problem(), HasSubstr("at least"));
  EXPECT_THAT(error_for("{ups: u, stale_after: 1s}").problem(),
              HasSubstr("'stale_after' must be at least 'poll_interval'"));
  EXPECT_THAT(error_for("{ups: u, stale_after: 31s}").problem(),
              HasSubstr("'stale_after' must not be longer than 'comm_lost_after'"));
}

TEST(NutSettings, LocalhostIsLoopback) {
  EXPECT_EQ(settings_from("{ups: u, host: localhost}").host, "127.0.0.1");
}

TEST(NutSettings, UpsIsRequired) {
  for (const char* yaml : {"", "~", "{}", "host: 127.0.0.1"}) {
    EXPECT_THAT(error_for(yaml).problem(), HasSubstr("need 'ups'")) << yaml;
  }
}

TEST(NutSettings, UnknownKeyNamesFileAndLine) {
  auto e = error_for("ups: u\npasword: x\n");
  EXPECT_EQ(e.file(), "ups.yaml");
  EXPECT_EQ(e.line(), 2);
  EXPECT_THAT(e.problem(), HasSubstr("unknown key 'pasword'"));
}

TEST(NutSettings, HostMustBeNumeric) {
  auto e = error_for("ups: u\nhost: ups.example.com\n");
  EXPECT_EQ(e.line(), 2);
  EXPECT_THAT(e.problem(), HasSubstr("numeric"));
  EXPECT_THAT(e.problem(), HasSubstr("block"));
  EXPECT_THAT(error_for("{ups: u, host: '300.1.1.1'}").problem(), HasSubstr("numeric"));
}

TEST(NutSettings, PortRange) {
  EXPECT_THAT(error_for("{ups: u, port: 0}").problem(), HasSubstr("out of range"));
  EXPECT_THAT(error_for("{ups: u, port: 65536}").problem(), HasSubstr("out of range"));
  EXPECT_THAT(error_for("{ups: u, port: http}").problem(), HasSubstr("whole number"));
}

TEST(NutSettings, NamesMustBeSafeWords) {
  EXPECT_THAT(error_for("{ups: 'my ups'}").problem(), HasSubstr("letters, digits"));
  EXPECT_THAT(error_for("{ups: 'u#1'}").problem(), HasSubstr("letters, digits"));
  EXPECT_THAT(error_for("{ups: 'ups@host'}").problem(), HasSubstr("letters, digits"));
  EXPECT_THAT(error_for("{ups: u, username: 'a\"b', password: p}").problem(),
              HasSubstr("letters, digits"));
}

TEST(NutSettings, UsernameAndPasswordGoTogether) {
  auto no_password = error_for("ups: u\nusername: admin\n");
  EXPECT_EQ(no_password.line(), 2);
  EXPECT_THAT(no_password.problem(), HasSubstr("needs a password"));
  auto no_user = error_for("ups: u\npassword: secret\n");
  EXPECT_EQ(no_user.line(), 2);
  EXPECT_THAT(no_user.problem(), HasSubstr("needs 'username'"));
}

TEST(NutSettings, AtMostOnePasswordSource) {
  auto e = error_for("ups: u\nusername: a\npassword: x\npassword_env: HOME\n");
  EXPECT_EQ(e.line(), 4);
  EXPECT_THAT(e.problem(), HasSubstr("one way only"));
}

TEST(NutSettings, PasswordFileTrimsOneTrailingNewline) {
  PasswordFile file("top secret\r\n");
  auto s = settings_from("{ups: u, username: a, password_file: " + file.path() + "}");
  EXPECT_EQ(s.password, "top secret");
}

TEST(NutSettings, PasswordFileProblems) {
  EXPECT_THAT(error_for("{ups: u, username: a, password_file: /nonexistent/pw}").problem(),
              HasSubstr("cannot read password_file '/nonexistent/pw'"));
  PasswordFile empty("\n");
  EXPECT_THAT(error_for("{ups: u, username: a, password_file: " + empty.path() + "}").problem(),
              HasSubstr("empty password"));
  PasswordFile two_lines("line1\nline2\n");
  auto e = error_for("{ups: u, username: a, password_file: " + two_lines.path() + "}");
  EXPECT_THAT(e.problem(), HasSubstr("single line"));
  EXPECT_THAT(e.what(), Not(HasSubstr("line1")));
}

TEST(NutSettings, PasswordFromTheEnvironment) {
  ::setenv("NP_NUT_TEST_PW", "from env", 1);
  EXPECT_EQ(settings_from("{ups: u, username: a, password_env: NP_NUT_TEST_PW}").password,
            "from env");
  ::unsetenv("NP_NUT_TEST_PW");
  EXPECT_THAT(error_for("{ups: u, username: a, password_env: NP_NUT_TEST_PW}").problem(),
              HasSubstr("'NP_NUT_TEST_PW' is not set"));
}

TEST(NutSettings, PasswordsUpsdCannotTakeAreRefusedWithoutShowingThem) {
  auto hash = error_for("{ups: u, username: a, password: 'abc#secretpart'}");
  EXPECT_THAT(hash.problem(), HasSubstr("'#'"));
  EXPECT_THAT(hash.what(), Not(HasSubstr("secretpart")));
  ::setenv("NP_NUT_TEST_PW", "bad\nsecretpart", 1);
  auto control = error_for("{ups: u, username: a, password_env: NP_NUT_TEST_PW}");
  EXPECT_THAT(control.problem(), HasSubstr("control character"));
  EXPECT_THAT(control.what(), Not(HasSubstr("secretpart")));
  ::unsetenv("NP_NUT_TEST_PW");
}

TEST(NutSettings, DurationsMustBeSensible) {
  EXPECT_THAT(error_for("{ups: u, poll_interval: 1ms}").problem(), HasSubstr("at least 10ms"));
  EXPECT_THAT(error_for("{ups: u, timeout: 0}").problem(), HasSubstr("at least"));
  EXPECT_THAT(error_for("{ups: u, comm_lost_after: soon}").problem(), HasSubstr("not a duration"));
  EXPECT_THAT(error_for("{ups: u, command_timeout: 0}").problem(), HasSubstr("at least"));
}

}  // namespace
}  // namespace netpower::collectors::nut
