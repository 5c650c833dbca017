// netpower-manager as a process: a bad configuration stops start-up with file, line and reason;
// --check-config --check-db migrates (SQLite, and PostgreSQL with a password from a file that
// never shows up in the output); the process runs until SIGTERM.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "tests/support/manager/postgres_server.h"
#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace netpower::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

CommandResult manager(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {NETPOWER_MANAGER_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, 60s);
}

std::string sqlite_config(const TempDir& dir) {
  return "agents:\n"
         "  - name: rack1-pdu\n    address: 127.0.0.1\n    version: 2c\n    community: np-ro-test\n"
         "    labels: {site: lab}\n"
         "store:\n  sqlite: {path: " +
         dir.file("manager.db").string() +
         "}\n"
         "  spool_dir: " +
         dir.file("spool").string() + "\n" + "http:\n  port: " + std::to_string(free_tcp_port()) +
         "\n";
}

TEST(ManagerMain, BadConfigStopsStartUpWithFileLineAndReason) {
  TempDir dir("np-mgr");
  const auto path = dir.file("manager.yaml").string();
  std::ofstream(path) << "agents:\n  - name: rack1-pdu\n    address: 10.0.0.5\n    version: 2c\n"
                         "    community: c\n    poll_intervall: 10s\n";
  for (const auto& args : {std::vector<std::string>{"--config", path},
                           std::vector<std::string>{"--config", path, "--check-config"}}) {
    auto r = manager(args);
    EXPECT_EQ(r.exit_code(), 2) << r.describe(args);
    EXPECT_THAT(r.err, HasSubstr(path + ":6:5: unknown key 'poll_intervall' in an agent"));
    EXPECT_FALSE(std::filesystem::exists(dir.file("spool")));  // nothing started
  }
  auto missing = manager({"--config", dir.file("nope.yaml").string()});
  EXPECT_EQ(missing.exit_code(), 2);
  EXPECT_THAT(missing.err, HasSubstr("nope.yaml: cannot open the file"));
}

TEST(ManagerMain, CheckConfigAndDatabaseOnSqlite) {
  TempDir dir("np-mgr");
  const auto path = dir.file("manager.yaml").string();
  std::ofstream(path) << sqlite_config(dir);
  auto only = manager({"--config", path, "--check-config"});
  EXPECT_EQ(only.exit_code(), 0) << only.describe({});
  EXPECT_THAT(only.out, HasSubstr("configuration is valid (1 agents)"));
  EXPECT_FALSE(std::filesystem::exists(dir.file("manager.db")));  // no database without --check-db
  auto first = manager({"--config", path, "--check-config", "--check-db"});
  EXPECT_EQ(first.exit_code(), 0) << first.describe({});
  EXPECT_THAT(first.out, HasSubstr("applied migration 0001_initial.sql"));
  auto second = manager({"--config", path, "--check-config", "--check-db"});
  EXPECT_EQ(second.exit_code(), 0);
  EXPECT_THAT(second.out, Not(HasSubstr("applied migration")));
  EXPECT_THAT(second.out, HasSubstr("database schema is current"));
  EXPECT_THAT(first.out + first.err + second.out + second.err, Not(HasSubstr("np-ro-test")));
}

TEST(ManagerMain, CheckDatabaseOnPostgresqlWithPasswordFile) {
  TempDir dir("np-mgr");
  PostgresOptions options;
  options.password = "pw-Hidden-2718";
  PostgresServer server(options);
  server.start();
  server.create_database("netpower");
  std::ofstream(dir.file("pgpass")) << options.password << "\n";
  std::ofstream(dir.file("wrong")) << "pw-Wrong-3141\n";
  auto config = [&](const std::string& password_file) {
    return "store:\n  backend: postgresql\n  postgresql:\n    host: 127.0.0.1\n    port: " +
           std::to_string(server.port()) +
           "\n    dbname: netpower\n    user: " + server.superuser() +
           "\n    password_file: " + password_file +
           "\n  spool_dir: " + dir.file("spool").string() + "\n";
  };
  std::ofstream(dir.file("good.yaml")) << config("pgpass");
  std::ofstream(dir.file("bad.yaml")) << config("wrong");
  auto good = manager({"--config", dir.file("good.yaml").string(), "--check-config", "--check-db"});
  EXPECT_EQ(good.exit_code(), 0) << good.describe({});
  EXPECT_THAT(good.out, HasSubstr("applied migration 0001_initial.sql"));
  EXPECT_THAT(good.out, HasSubstr("applied migration 0002_series_history.sql"));
  EXPECT_EQ(server.scalar("netpower", "SELECT count(*) FROM schema_migrations"), "3");
  auto bad = manager({"--config", dir.file("bad.yaml").string(), "--check-config", "--check-db"});
  EXPECT_EQ(bad.exit_code(), 1);
  EXPECT_THAT(bad.err, HasSubstr("password authentication failed"));
  for (const auto* r : {&good, &bad}) {
    EXPECT_THAT(r->out + r->err, Not(HasSubstr("Hidden-2718")));
    EXPECT_THAT(r->out + r->err, Not(HasSubstr("Wrong-3141")));
  }
}

TEST(ManagerMain, RunsUntilSigtermAndRecordsItsAgents) {
  TempDir dir("np-mgr");
  const auto path = dir.file("manager.yaml").string();
  std::ofstream(path) << sqlite_config(dir);
  Process process({NETPOWER_MANAGER_BINARY, "--config", path}, dir.file("manager.log"));
  ASSERT_TRUE(wait_until(
      [&] { return process.log_text().find("connected to sqlite") != std::string::npos; }, 10s))
      << process.log_text();
  std::this_thread::sleep_for(200ms);
  ASSERT_TRUE(process.signal(SIGTERM));
  auto status = process.wait_exit(10s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->success()) << status->describe() << process.log_text();
  auto rows = run_command(
      {"sqlite3", dir.file("manager.db").string(), "SELECT name, address, labels FROM agents"},
      10s);
  EXPECT_EQ(rows.out, "rack1-pdu|127.0.0.1|{\"site\":\"lab\"}\n") << rows.err;
  EXPECT_THAT(process.log_text(), Not(HasSubstr("np-ro-test")));
}

TEST(ManagerMain, TrapsFromTheConfiguredSectionBecomeEvents) {
  TempDir dir("np-mgr");
  const auto path = dir.file("manager.yaml").string();
  auto port = free_udp_port();
  std::ofstream(path) << sqlite_config(dir) << "traps:\n  listen: 127.0.0.1\n  port: " << port
                      << "\n  communities:\n    - community: np-trap-test\n";
  Process process({NETPOWER_MANAGER_BINARY, "--config", path}, dir.file("manager.log"));
  ASSERT_TRUE(wait_until(
      [&] { return process.log_text().find("receiving traps on") != std::string::npos; }, 10s))
      << process.log_text();
  // upsTrapOnBattery from "the agent" at 127.0.0.1 (rack1-pdu in the configuration).
  auto sent = run_command({"snmptrap", "-v2c", "-c", "np-trap-test", "-M", "/nonexistent", "-m", "",
                           "127.0.0.1:" + std::to_string(port), "", ".1.3.6.1.2.1.33.2.1",
                           ".1.3.6.1.2.1.33.1.2.2.0", "i", "42"},
                          10s);
  ASSERT_EQ(sent.exit_code(), 0) << sent.err;
  CommandResult rows;
  EXPECT_TRUE(wait_until(
      [&] {
        rows = run_command(
            {"sqlite3", dir.file("manager.db").string(), "SELECT agent, kind, oid FROM events"},
            10s);
        return rows.out.find(".2.1") != std::string::npos;
      },
      10s))
      << rows.out << rows.err << process.log_text();
  EXPECT_THAT(rows.out, HasSubstr("rack1-pdu|trap|"));
  ASSERT_TRUE(process.signal(SIGTERM));
  auto status = process.wait_exit(10s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->success()) << process.log_text();
}

}  // namespace
}  // namespace netpower::testing
