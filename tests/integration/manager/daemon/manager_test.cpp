// The daemon assembled in-process (daemon::Manager): a real SQLite store, the hub, the trap
// receiver on a loopback port, the poller against an address nobody answers, the HTTP server. A
// trap from net-snmp's snmptrap and the poller's down event go through the hub into both the
// state and the database; stop() closes the gate, delivers the hub and flushes the store, in order.

#include "manager/daemon/manager.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <system_error>

#include "core/yaml_reader.h"
#include "manager/config/manager_config.h"
#include "manager/traps/trap_settings.h"
#include "tests/support/ports.h"
#include "tests/support/snmp_cli.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace netpower::manager::daemon {
namespace {

using namespace std::chrono_literals;
using testing::SnmpCli;
using testing::SnmpCliOptions;
using testing::SnmpCredentials;
using testing::wait_until;

constexpr const char* kCommunity = "np-inproc-traps";

class ManagerTest : public ::testing::Test {
 protected:
  ManagerOptions options(std::uint16_t http_port = testing::free_tcp_port()) {
    const auto path = dir_.file("manager.yaml");
    std::ofstream(path) << "agents:\n"
                           "  - name: silent\n    address: 127.0.0.1\n    port: "
                        << testing::free_udp_port()
                        << "\n    version: 2c\n    community: \"np-nobody-answers\"\n"
                           "    poll_interval: 100ms\n    timeout: 50ms\n    retries: 0\n"
                           "poller:\n  spread_start: false\n  max_backoff: 1s\n"
                           "traps:\n  listen: 127.0.0.1\n  port: 0\n  communities:\n"
                           "    - community: "
                        << kCommunity
                        << "\n  receive_buffer: 1MiB\n"
                           "http:\n  address: 127.0.0.1\n  port: "
                        << http_port
                        << "\nstore:\n  backend: sqlite\n  sqlite: {path: " << db_path()
                        << "}\n  spool_dir: " << dir_.file("spool").string()
                        << "\n  flush_interval: 50ms\n";
    ManagerOptions out;
    out.config = config::load_manager_config(path.string());
    core::YamlReader reader(out.config.file);
    out.traps = traps::read_trap_settings(reader, out.config.traps);
    return out;
  }
  std::string db_path() const { return dir_.file("manager.db").string(); }

  std::vector<std::pair<std::string, std::string>> stored_events() const {
    std::vector<std::pair<std::string, std::string>> out;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      return out;
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT agent, kind FROM events ORDER BY id", -1, &stmt, nullptr) ==
        SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
                         reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)));
      }
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }

  testing::TempDir dir_{"np-mgr-inproc"};
};

TEST_F(ManagerTest, EventsReachStateAndStoreThroughTheHubAndStopFlushesThem) {
  Manager manager(options());
  manager.start();
  ASSERT_NE(manager.trap_port(), 0);
  ASSERT_NE(manager.http_port(), 0);

  SnmpCliOptions cli_options;
  cli_options.timeout = 1000ms;
  SnmpCli cli("udp:127.0.0.1:" + std::to_string(manager.trap_port()),
              SnmpCredentials::v2c(kCommunity), cli_options);
  auto sent = cli.run("snmptrap", {"", ".1.3.6.1.4.1.1718.2.100.0.5",
                                   ".1.3.6.1.4.1.1718.2.1.4.1.4.65.49", "s", "Off"});
  ASSERT_EQ(sent.exit_code, 0) << sent.describe();

  // The state saw both events (the trap from 127.0.0.1 is the configured agent "silent").
  ASSERT_TRUE(wait_until(
      [&] {
        const auto events = manager.fleet().recent_events(10);
        bool trap = false, down = false;
        for (const auto& e : events) {
          trap = trap || e.kind == model::EventKind::kTrap;
          down = down || e.kind == model::EventKind::kDown;
        }
        return trap && down;
      },
      10s));
  // A third subscriber added now sees what is published from now on.
  std::atomic<int> later{0};
  manager.hub().subscribe(
      "test", [&](const std::vector<model::Event>& e) { later += static_cast<int>(e.size()); });
  manager.hub().publish(model::Event{"silent", model::wall_now(), model::EventKind::kNote, "", "{}",
                                     "checked the cabling"});
  ASSERT_TRUE(wait_until([&] { return later.load() == 1; }, 5s));

  manager.stop();
  EXPECT_TRUE(manager.gate().closed());
  EXPECT_FALSE(manager.gate().enter());
  const auto events = stored_events();
  auto has = [&](const char* kind) {
    for (const auto& [agent, k] : events) {
      if (agent == "silent" && k == kind) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("trap"));
  EXPECT_TRUE(has("down"));
  EXPECT_TRUE(has("note"));
}

TEST_F(ManagerTest, StopWaitsForWorkInFlightBeforeTheStoreFlushes) {
  Manager manager(options());
  manager.start();
  auto hold = manager.gate().enter();
  ASSERT_TRUE(hold);
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    manager.stop();
    stopped = true;
  });
  ASSERT_TRUE(wait_until([&] { return manager.gate().closed(); }, 5s));
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(stopped.load());  // still waiting for the work in flight
  // The work publishes its result before it lets go: that event must reach the database.
  manager.hub().publish(
      model::Event{"silent", model::wall_now(), model::EventKind::kAction, "", "{}", "done"});
  hold.reset();
  stopper.join();
  bool action = false;
  for (const auto& [agent, kind] : stored_events()) action = action || kind == "action";
  EXPECT_TRUE(action);
}

TEST_F(ManagerTest, ABusyHttpPortFailsTheStartAndStopsWhatHadStarted) {
  Manager first(options());
  first.start();
  Manager second(options(first.http_port()));
  EXPECT_THROW(second.start(), std::system_error);
  EXPECT_EQ(second.http_port(), 0);
  second.stop();  // idempotent after a failed start
  first.stop();
}

}  // namespace
}  // namespace netpower::manager::daemon
