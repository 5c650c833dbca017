// Tests of the integration-test support itself: processes, ports, the snmpd fixture, the SNMP
// client.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/snmp_cli.h"
#include "tests/support/snmpd_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr const char* kSystem = "1.3.6.1.2.1.1";
constexpr const char* kSysDescr = "1.3.6.1.2.1.1.1.0";
constexpr const char* kSysObjectId = "1.3.6.1.2.1.1.2.0";
constexpr const char* kSysUpTime = "1.3.6.1.2.1.1.3.0";
constexpr const char* kSysContact = "1.3.6.1.2.1.1.4.0";
constexpr const char* kSysLocation = "1.3.6.1.2.1.1.6.0";

std::vector<std::string> oids_of(const SnmpResult& result) {
  std::vector<std::string> oids;
  for (const Varbind& varbind : result.varbinds) {
    oids.push_back(varbind.oid);
  }
  return oids;
}

// True while `pid` exists and is not a zombie (an orphan may wait for a reaper that never comes).
bool alive(pid_t pid) {
  if (::kill(pid, 0) != 0) {
    return false;
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

// Clients that expect no answer should not wait for the default retries.
SnmpCliOptions fast_options() {
  SnmpCliOptions options;
  options.retries = 0;
  options.timeout = 500ms;
  return options;
}

// ---------------------------------------------------------------------------------------------------
// TempDir, wait_until, ports

TEST(TempDirTest, CreatesAPrivateShortDirectoryAndRemovesIt) {
  if (const char* keep = std::getenv("NETPOWER_KEEP_TEST_DIRS"); keep != nullptr) {
    GTEST_SKIP() << "NETPOWER_KEEP_TEST_DIRS is set";
  }
  fs::path kept;
  {
    TempDir a("np-t");
    TempDir b("np-t");
    kept = a.path();
    EXPECT_NE(a.path(), b.path());
    ASSERT_TRUE(fs::is_directory(a.path()));
    EXPECT_EQ(fs::status(a.path()).permissions() & fs::perms::all, fs::perms::owner_all);
    EXPECT_LT(a.file("agentx.sock").string().size(), 64u) << a.path();
    fs::create_directories(a.file("sub/dir"));
    std::ofstream(a.file("sub/dir/file")) << "x";
  }
  EXPECT_FALSE(fs::exists(kept));
}

TEST(WaitUntilTest, ReturnsAsSoonAsThePredicateHolds) {
  int calls = 0;
  EXPECT_TRUE(wait_until([&] { return ++calls == 3; }, 10s, 1ms));
  EXPECT_EQ(calls, 3);
}

TEST(WaitUntilTest, GivesUpAtTheTimeout) {
  const auto start = Clock::now();
  EXPECT_FALSE(wait_until([] { return false; }, 100ms, 10ms));
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 100ms);
  EXPECT_LT(elapsed, 5s);
}

TEST(PortsTest, ReturnsPortsThatCanBeBound) {
  for (int type : {SOCK_DGRAM, SOCK_STREAM}) {
    const std::uint16_t port = type == SOCK_DGRAM ? free_udp_port() : free_tcp_port();
    ASSERT_NE(port, 0);
    const int fd = ::socket(AF_INET, type, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0) << port;
    ::close(fd);
  }
}

// ---------------------------------------------------------------------------------------------------
// Process

TEST(ProcessTest, LogsStdoutAndStderrAndReportsTheExitCode) {
  TempDir dir;
  Process process({"sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"}, dir.file("p.log"));
  const auto status = process.wait_exit(30s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->exited());
  EXPECT_EQ(status->code, 3);
  EXPECT_FALSE(process.running());
  EXPECT_THAT(process.log_text(), HasSubstr("to-stdout\n"));
  EXPECT_THAT(process.log_text(), HasSubstr("to-stderr\n"));
}

TEST(ProcessTest, AppliesEnvironmentChanges) {
  ::setenv("NP_SUPPORT_TEST_REMOVED", "still here", 1);
  TempDir dir;
  Process process({"sh", "-c", "echo \"A=$NP_SUPPORT_TEST_A B=${NP_SUPPORT_TEST_REMOVED-unset}\""},
                  dir.file("p.log"), {"NP_SUPPORT_TEST_A=1", "NP_SUPPORT_TEST_REMOVED"});
  ASSERT_TRUE(process.wait_exit(30s).has_value());
  ::unsetenv("NP_SUPPORT_TEST_REMOVED");
  EXPECT_EQ(process.log_text(), "A=1 B=unset\n");
}

TEST(ProcessTest, TerminateIsGracefulWhenTheChildHonoursSigterm) {
  TempDir dir;
  Process process({"sleep", "60"}, dir.file("p.log"));
  EXPECT_TRUE(process.running());
  const auto start = Clock::now();
  const ExitStatus status = process.terminate(30s);
  EXPECT_EQ(status.signal, SIGTERM) << status.describe();
  EXPECT_LT(Clock::now() - start, 10s);
}

TEST(ProcessTest, TerminateEscalatesToSigkillForTheWholeGroup) {
  TempDir dir;
  const fs::path child_pid_file = dir.file("child.pid");
  // The shell and its background child ignore SIGTERM (an ignored signal survives exec).
  Process process(
      {"sh", "-c", "trap '' TERM; sleep 60 & echo $! > " + child_pid_file.string() + "; wait"},
      dir.file("p.log"));
  ASSERT_TRUE(wait_until([&] { return !read_file(child_pid_file).empty(); }, 30s));
  const pid_t child = std::stoi(read_file(child_pid_file));

  const auto start = Clock::now();
  const ExitStatus status = process.terminate(300ms);
  EXPECT_EQ(status.signal, SIGKILL) << status.describe();
  EXPECT_LT(Clock::now() - start, 10s);
  EXPECT_TRUE(wait_until([&] { return !alive(child); }, 10s)) << "background child survived";
}

TEST(ProcessTest, Kill9EndsTheChildAndLaterSignalsAreRefused) {
  TempDir dir;
  Process process({"sleep", "60"}, dir.file("p.log"));
  EXPECT_TRUE(process.signal(0));
  EXPECT_EQ(process.kill9().signal, SIGKILL);
  EXPECT_FALSE(process.running());
  EXPECT_FALSE(process.signal(SIGTERM));
  ASSERT_TRUE(process.exit_status().has_value());
}

TEST(ProcessTest, DestructorStopsTheChild) {
  TempDir dir;
  pid_t pid = -1;
  {
    Process process({"sleep", "60"}, dir.file("p.log"));
    pid = process.pid();
    ASSERT_TRUE(alive(pid));
  }
  EXPECT_FALSE(alive(pid));
}

TEST(ProcessTest, ThrowsWhenTheProgramCannotStart) {
  TempDir dir;
  EXPECT_THROW(Process({"/nonexistent/program"}, dir.file("p.log")), std::system_error);
  EXPECT_THROW(Process({"sleep", "1"}, dir.file("no/such/dir/p.log")), std::system_error);
}

// ---------------------------------------------------------------------------------------------------
// run_command

TEST(RunCommandTest, CapturesStdoutAndStderrSeparately) {
  const CommandResult result = run_command({"sh", "-c", "printf out; printf err >&2; exit 7"}, 30s);
  EXPECT_EQ(result.out, "out");
  EXPECT_EQ(result.err, "err");
  EXPECT_EQ(result.exit_code(), 7);
  EXPECT_FALSE(result.timed_out);
}

TEST(RunCommandTest, DrainsLargeOutputOnBothStreamsAtOnce) {
  // Both streams write far more than a pipe buffer at the same time: reading only one would
  // deadlock.
  const CommandResult result = run_command(
      {"sh", "-c",
       "(head -c 2000000 /dev/zero | tr '\\0' o) & head -c 2000000 /dev/zero | tr '\\0' e >&2; "
       "wait"},
      60s);
  ASSERT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code(), 0);
  EXPECT_EQ(result.out.size(), 2000000u);
  EXPECT_EQ(result.err.size(), 2000000u);
  EXPECT_EQ(result.out.find_first_not_of('o'), std::string::npos);
  EXPECT_EQ(result.err.find_first_not_of('e'), std::string::npos);
}

TEST(RunCommandTest, KillsTheCommandAtTheHardTimeout) {
  const auto start = Clock::now();
  const CommandResult result = run_command({"sh", "-c", "echo started; sleep 60"}, 300ms);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.status.signal, SIGKILL);
  EXPECT_EQ(result.out, "started\n");
  EXPECT_LT(Clock::now() - start, 10s);
}

TEST(RunCommandTest, ReturnsWhenABackgroundChildHoldsThePipes) {
  const auto start = Clock::now();
  const CommandResult result = run_command({"sh", "-c", "sleep 60 & echo done"}, 30s);
  EXPECT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code(), 0);
  EXPECT_EQ(result.out, "done\n");
  EXPECT_LT(Clock::now() - start, 10s);
}

TEST(RunCommandTest, ThrowsWhenTheProgramCannotStart) {
  EXPECT_THROW(run_command({"/nonexistent/program"}, 1s), std::system_error);
}

// ---------------------------------------------------------------------------------------------------
// The SnmpCli parser on canned tool output

TEST(SnmpOutputParserTest, ParsesEveryValueKind) {
  const std::string out =
      ".1.3.6.1.2.1.1.1.0 = STRING: \"two\n"
      ".1.3 = lines, \\\"quoted\\\" \\\\ done\"\n"
      ".1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.8072.3.2.10\n"
      ".1.3.6.1.2.1.1.3.0 = Timeticks: (4417) 0:00:44.17\n"
      ".1.3.6.1.2.1.1.4.0 = \"\"\n"
      ".1.3.6.1.2.1.1.5.0 = Hex-STRING: 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F \n"
      "41 FF \n"
      ".1.3.6.1.2.1.1.7.0 = INTEGER: -72\n"
      ".1.3.6.1.2.1.2.2.1.5.1 = Gauge32: 10000000\n"
      ".1.3.6.1.2.1.31.1.1.1.6.1 = Counter64: 18446744073709551615\n"
      ".1.3.6.1.2.1.4.20.1.1.127.0.0.1 = IpAddress: 127.0.0.1\n"
      ".1.3.6.1.4.1.1 = NULL\n"
      ".1.3.6.1.4.1.2 = No Such Object available on this agent at this OID\n"
      ".1.3.6.1.4.1.3 = No Such Instance currently exists at this OID\n"
      ".1.3.6.1.4.1.4 = No more variables left in this MIB View (It is past the end of the MIB "
      "tree)\n";
  const SnmpResult result = parse_snmp_output(out, "", 0);
  ASSERT_EQ(result.varbinds.size(), 13u) << result.describe();
  const auto& v = result.varbinds;
  EXPECT_EQ(v[0].oid, "1.3.6.1.2.1.1.1.0");
  EXPECT_EQ(v[0].type, "STRING");
  EXPECT_EQ(v[0].value, "two\n.1.3 = lines, \"quoted\" \\ done");
  EXPECT_EQ(v[1].type, "OID");
  EXPECT_EQ(v[1].value, "1.3.6.1.4.1.8072.3.2.10");
  EXPECT_EQ(v[2].type, "Timeticks");
  EXPECT_EQ(v[2].value, "4417");
  EXPECT_EQ(v[3].type, "STRING");
  EXPECT_EQ(v[3].value, "");
  EXPECT_EQ(v[4].type, "STRING");
  EXPECT_EQ(v[4].value,
            std::string("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
                        "A\xff",
                        18));
  EXPECT_EQ(v[5].type, "INTEGER");
  EXPECT_EQ(v[5].value, "-72");
  EXPECT_EQ(v[6].type, "Gauge32");
  EXPECT_EQ(v[7].value, "18446744073709551615");
  EXPECT_EQ(v[8].oid, "1.3.6.1.2.1.4.20.1.1.127.0.0.1");
  EXPECT_EQ(v[8].value, "127.0.0.1");
  EXPECT_EQ(v[9].type, "NULL");
  EXPECT_EQ(v[10].type, "noSuchObject");
  EXPECT_EQ(v[11].type, "noSuchInstance");
  EXPECT_EQ(v[12].type, "endOfMibView");
  EXPECT_EQ(result.error, "noSuchObject");
  EXPECT_EQ(result.find(".1.3.6.1.2.1.1.7.0"), &v[5]);
  EXPECT_EQ(result.find("1.3.6.1.2.1.1.7"), nullptr);
}

TEST(SnmpOutputParserTest, NamesErrorReports) {
  SnmpResult set = parse_snmp_output(
      "",
      "Error in packet.\nReason: wrongType (The set datatype does not match the data type the "
      "agent expects)\nFailed object: .1.3.6.1.2.1.1.4.0\n\n",
      2);
  EXPECT_EQ(set.error, "wrongType");
  EXPECT_EQ(set.failed_oid, "1.3.6.1.2.1.1.4.0");

  SnmpResult v1 = parse_snmp_output(
      "",
      "Error in packet\nReason: (noSuchName) There is no such variable name in this MIB.\n"
      "Failed object: .1.3.6.1.2.1.1.4.7\n\n",
      2);
  EXPECT_EQ(v1.error, "noSuchName");
  EXPECT_EQ(v1.failed_oid, "1.3.6.1.2.1.1.4.7");

  EXPECT_EQ(parse_snmp_output("", "Reason: noAccess\n", 2).error, "noAccess");
  // net-snmp spells genErr "(genError)".
  EXPECT_EQ(
      parse_snmp_output("", "Error in packet.\nReason: (genError) A general failure occured\n", 2)
          .error,
      "genErr");
  EXPECT_EQ(parse_snmp_output("", "Timeout: No Response from udp:127.0.0.1:1.\n", 1).error,
            "timeout");
  EXPECT_EQ(parse_snmp_output("", "snmpget: Timeout\n", 1).error, "timeout");
  EXPECT_EQ(parse_snmp_output(
                "", "snmpget: Authentication failure (incorrect password, community or key)\n", 1)
                .error,
            "authenticationFailure");
  EXPECT_EQ(parse_snmp_output("", "snmpget: Unknown user name\n", 1).error, "unknownUserName");
  EXPECT_EQ(parse_snmp_output("", "foo: Unknown Object Identifier\n", 1).error, "toolError");
  EXPECT_TRUE(parse_snmp_output(".1.3 = INTEGER: 1\n", "", 0).ok());
}

// ---------------------------------------------------------------------------------------------------
// SnmpdServer with SnmpCli against it

class SnmpdServerTest : public ::testing::Test {
 protected:
  void SetUp() override { server_.start(); }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << server_.log_text();
    }
  }

  SnmpdServer server_;
};

TEST_F(SnmpdServerTest, AnswersSysUpTimeOverV3) {
  const SnmpResult result = server_.cli_v3().get({kSysUpTime});
  ASSERT_TRUE(result.ok()) << result.describe();
  ASSERT_EQ(result.varbinds.size(), 1u) << result.describe();
  EXPECT_EQ(result.varbinds[0].oid, kSysUpTime);
  EXPECT_EQ(result.varbinds[0].type, "Timeticks");
  EXPECT_EQ(result.varbinds[0].value.find_first_not_of("0123456789"), std::string::npos);
  EXPECT_TRUE(result.err.empty()) << result.describe();
}

TEST_F(SnmpdServerTest, ReportsItsOwnEngineId) {
  const SnmpResult result = server_.cli_read().get({"1.3.6.1.6.3.10.2.1.1.0"});
  ASSERT_TRUE(result.ok()) << result.describe();
  EXPECT_EQ(result.varbinds.at(0).value, server_.engine_id());
  EXPECT_TRUE(server_.engine_id().starts_with(std::string("\x80\x00\x1f\x88\x04np-", 8)));
}

TEST_F(SnmpdServerTest, WalksTheSystemGroupOverV3AndTheReadCommunity) {
  const SnmpResult v3 = server_.cli_v3().walk(kSystem);
  const SnmpResult v2c = server_.cli_read().walk(kSystem);
  const SnmpResult bulk = server_.cli_v3().bulk_walk(kSystem, 5);
  ASSERT_TRUE(v3.ok()) << v3.describe();
  ASSERT_TRUE(v2c.ok()) << v2c.describe();
  ASSERT_TRUE(bulk.ok()) << bulk.describe();
  ASSERT_GE(v3.varbinds.size(), 7u) << v3.describe();
  EXPECT_EQ(oids_of(v3), oids_of(v2c));
  EXPECT_EQ(oids_of(v3), oids_of(bulk));
  for (const Varbind& varbind : v3.varbinds) {
    EXPECT_TRUE(varbind.oid.starts_with(std::string(kSystem) + ".")) << varbind.oid;
  }
  const Varbind* descr = v2c.find(kSysDescr);
  ASSERT_NE(descr, nullptr) << v2c.describe();
  EXPECT_EQ(descr->type, "STRING");
  EXPECT_FALSE(descr->value.empty());
  const Varbind* object_id = v3.find(kSysObjectId);
  ASSERT_NE(object_id, nullptr) << v3.describe();
  EXPECT_EQ(object_id->type, "OID");
  EXPECT_EQ(object_id->value, "1.3.6.1.4.1.8072.3.2.10");  // net-snmp on Linux
}

TEST_F(SnmpdServerTest, BulkGetReturnsNonRepeatersThenRepetitions) {
  const SnmpResult result = server_.cli_v3().bulk_get(1, 3, {"1.3.6.1.2.1.1.1", kSystem});
  ASSERT_TRUE(result.ok()) << result.describe();
  EXPECT_THAT(oids_of(result), ElementsAre(kSysDescr, kSysDescr, kSysObjectId, kSysUpTime));
}

TEST_F(SnmpdServerTest, GivesNoAnswerToDefaultCommunities) {
  for (const char* community : {"public", "private"}) {
    const SnmpResult result =
        server_.cli(SnmpCredentials::v2c(community), fast_options()).get({kSysUpTime});
    EXPECT_EQ(result.error, "timeout") << result.describe();
    EXPECT_TRUE(result.varbinds.empty());
  }
  EXPECT_THAT(server_.config_text(), ::testing::Not(HasSubstr("public")));
  EXPECT_THAT(server_.config_text(), ::testing::Not(HasSubstr("private")));
}

TEST_F(SnmpdServerTest, ReadCommunityCannotSet) {
  const SnmpResult set = server_.cli_read().set(kSysLocation, 's', "nowhere");
  EXPECT_EQ(set.error, "noAccess") << set.describe();
  EXPECT_NE(set.exit_code, 0);
  const SnmpResult get = server_.cli_v3().get({kSysLocation});
  ASSERT_TRUE(get.ok()) << get.describe();
  EXPECT_NE(get.varbinds.at(0).value, "nowhere");
}

TEST_F(SnmpdServerTest, WriteCommunityAndV3UserCanSet) {
  const std::string location = "rack 7, \"row\" 3 \\ east";
  const SnmpResult set = server_.cli_write().set(kSysLocation, 's', location);
  ASSERT_TRUE(set.ok()) << set.describe();
  ASSERT_EQ(set.varbinds.size(), 1u);
  EXPECT_EQ(set.varbinds[0].value, location);
  const SnmpResult get = server_.cli_read().get({kSysLocation});
  ASSERT_TRUE(get.ok()) << get.describe();
  EXPECT_EQ(get.varbinds.at(0).value, location);

  const SnmpResult v3 = server_.cli_v3().set(
      {{kSysContact, 's', "ops@example.net"}, {kSysLocation, 'x', "01 02 41"}});
  ASSERT_TRUE(v3.ok()) << v3.describe();
  const SnmpResult both = server_.cli_v3().get({kSysContact, kSysLocation});
  ASSERT_TRUE(both.ok()) << both.describe();
  EXPECT_EQ(both.varbinds.at(0).value, "ops@example.net");
  EXPECT_EQ(both.varbinds.at(1).type, "STRING");
  EXPECT_EQ(both.varbinds.at(1).value, std::string("\x01\x02"
                                                   "A"));
}

TEST_F(SnmpdServerTest, V3RequiresPrivacyAndTheRightKeys) {
  SnmpCredentials wrong_key = server_.v3_credentials();
  wrong_key.auth_password = "not-the-password";
  EXPECT_EQ(server_.cli(wrong_key, fast_options()).get({kSysUpTime}).error,
            "authenticationFailure");

  SnmpCredentials no_priv = server_.v3_credentials();
  no_priv.security_level = "authNoPriv";
  EXPECT_EQ(server_.cli(no_priv, fast_options()).get({kSysUpTime}).error, "authorizationError");

  SnmpCredentials stranger = server_.v3_credentials();
  stranger.user = "stranger";
  EXPECT_EQ(server_.cli(stranger, fast_options()).get({kSysUpTime}).error, "unknownUserName");
}

TEST_F(SnmpdServerTest, ReportsWrongTypeOnASet) {
  const SnmpResult result = server_.cli_v3().set(kSysContact, 'i', "5");
  EXPECT_EQ(result.error, "wrongType") << result.describe();
  EXPECT_EQ(result.failed_oid, kSysContact);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_TRUE(result.varbinds.empty());
}

TEST_F(SnmpdServerTest, ReportsMissingObjectsInstancesAndTheEndOfTheMib) {
  const SnmpResult get = server_.cli_v3().get({"1.3.6.1.4.1.99999.1.0", "1.3.6.1.2.1.1.4.5"});
  EXPECT_EQ(get.error, "noSuchObject") << get.describe();
  ASSERT_EQ(get.varbinds.size(), 2u) << get.describe();
  EXPECT_EQ(get.varbinds[0].type, "noSuchObject");
  EXPECT_EQ(get.varbinds[1].type, "noSuchInstance");

  const SnmpResult next = server_.cli_v3().get_next({"1.3.6.1.99"});
  EXPECT_EQ(next.error, "endOfMibView") << next.describe();

  const SnmpResult set = server_.cli_v3().set("1.3.6.1.4.1.99999.1.0", 'i', "1");
  EXPECT_EQ(set.error, "notWritable") << set.describe();
}

TEST_F(SnmpdServerTest, ServesAPrivateAgentXSocket) {
  const fs::path socket = server_.agentx_socket();
  EXPECT_EQ(socket.parent_path(), server_.dir());
  const fs::file_status status = fs::symlink_status(socket);
  EXPECT_TRUE(fs::is_socket(status)) << socket;
  EXPECT_EQ(status.permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(SnmpdServerTest, ComesBackOnTheSamePortAfterBeingKilled) {
  const std::uint16_t port = server_.port();
  server_.kill();
  EXPECT_FALSE(server_.running());
  ASSERT_TRUE(server_.exit_status().has_value());
  EXPECT_EQ(server_.exit_status()->signal, SIGKILL);
  EXPECT_TRUE(fs::is_socket(fs::symlink_status(server_.agentx_socket())))
      << "a killed master leaves its socket file behind";
  EXPECT_EQ(server_.cli_v3(fast_options()).get({kSysUpTime}).error, "timeout");

  server_.restart();
  EXPECT_EQ(server_.port(), port);
  const SnmpResult result = server_.cli_v3().get({kSysUpTime});
  EXPECT_TRUE(result.ok()) << result.describe();
  EXPECT_TRUE(fs::is_socket(fs::symlink_status(server_.agentx_socket())));
  EXPECT_THAT(server_.log_text(), HasSubstr("start #2"));
}

TEST_F(SnmpdServerTest, StopsCleanlyOnSigtermAndStartsAgain) {
  server_.stop();
  ASSERT_TRUE(server_.exit_status().has_value());
  EXPECT_TRUE(server_.exit_status()->success()) << server_.exit_status()->describe();
  EXPECT_FALSE(fs::exists(fs::symlink_status(server_.agentx_socket())));
  server_.start();
  const SnmpResult result = server_.cli_read().get({kSysUpTime});
  EXPECT_TRUE(result.ok()) << result.describe();
}

TEST(SnmpdServerStartTest, ExplainsWhySnmpdDidNotComeUp) {
  SnmpdServer first;
  first.start();
  SnmpdOptions options;
  options.port = first.port();  // taken: the second snmpd cannot bind
  SnmpdServer second(options);
  try {
    second.start();
    FAIL() << "start() on a taken port succeeded";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("exited during start-up"));
    EXPECT_THAT(error.what(), HasSubstr("Error opening specified endpoint"));
    EXPECT_THAT(error.what(), HasSubstr("agentaddress udp:127.0.0.1:"));
  }
}

TEST(SnmpdServerStartTest, RunsIndependentServersSideBySide) {
  SnmpdServer a;
  SnmpdServer b;
  a.start();
  b.start();
  EXPECT_NE(a.port(), b.port());
  EXPECT_NE(a.agentx_socket(), b.agentx_socket());
  EXPECT_NE(a.read_community(), b.read_community());
  EXPECT_TRUE(a.cli_v3().get({kSysUpTime}).ok());
  // b's communities mean nothing to a.
  EXPECT_EQ(a.cli(b.read_credentials(), fast_options()).get({kSysUpTime}).error, "timeout");
}

TEST(SnmpdServerOptionsTest, RejectsUnusableOptions) {
  SnmpdOptions short_password;
  short_password.v3_auth_password = "short";
  EXPECT_THROW(SnmpdServer{short_password}, std::invalid_argument);
  SnmpdOptions long_socket;
  long_socket.agentx_socket = "/tmp/" + std::string(120, 'x');
  EXPECT_THROW(SnmpdServer{long_socket}, std::invalid_argument);
}

}  // namespace
}  // namespace netpower::testing
