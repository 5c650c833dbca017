// scripts/demo.sh as a user runs it (without its setup step): the whole stack starts, the agent's
// sentry2ChainStart reaches the demo's snmptrapd (logged by name, since snmptrapd loads our MIBs),
// and Ctrl-C stops every process in order, each one finishing cleanly (no SIGPIPE from a log pipe,
// no SQLite WAL left behind), and the script says so.

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(DemoScript, ChainStartReachesSnmptrapdAndCtrlCStopsEachProcessCleanly) {
  TempDir dir("np-demo-run");
  // Three consecutive UDP ports: snmpd, snmptrapd (+1), the manager's trap receiver (+2).
  auto port = free_udp_port();
  Process demo({"bash", std::string(NETPOWER_SOURCE_DIR) + "/scripts/demo.sh"},
               dir.file("demo.log"),
               {"DEMO_SKIP_SETUP=1", "DEMO_PORT=" + std::to_string(port),
                "DEMO_HTTP_PORT=" + std::to_string(free_tcp_port())});
  std::smatch match;
  std::string log;
  bool running = wait_until(
      [&]() {
        log = demo.log_text();
        return std::regex_search(log, match, std::regex(R"(demo is running \(logs in ([^)]+)\))"));
      },
      30s, 100ms);
  ASSERT_TRUE(running) << log;
  std::filesystem::path run_dir = match[1].str();

  bool chain_start = wait_until(
      [&]() {
        return read_file(run_dir / "traps.log").find("sentry2ChainStart") != std::string::npos;
      },
      15s, 100ms);
  EXPECT_TRUE(chain_start) << "traps.log:\n"
                           << read_file(run_dir / "traps.log") << "\ndemo:\n"
                           << demo.log_text();

  demo.signal(SIGINT);  // what Ctrl-C does: the whole foreground group
  auto status = demo.wait_exit(40s);
  ASSERT_TRUE(status) << demo.log_text();
  log = demo.log_text();
  for (const char* name : {"netpower-agent", "netpower-manager", "snmptrapd", "snmpd"}) {
    EXPECT_NE(log.find(std::string("  ") + name + ": stopped cleanly"), std::string::npos)
        << name << "\n"
        << log;
  }
  auto agent_at = log.find("netpower-agent: stopped");
  auto snmpd_at = log.find("  snmpd: stopped");
  EXPECT_LT(agent_at, snmpd_at) << "the agent stops before its master";
  EXPECT_EQ(log.find("signal 13"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(run_dir / "manager.db-wal")) << "the store was not closed";
  std::filesystem::remove_all(run_dir);
}

}  // namespace
}  // namespace netpower::testing
