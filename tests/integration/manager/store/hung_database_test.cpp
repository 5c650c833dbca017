// A PostgreSQL server that hangs (SIGSTOP: the kernel keeps the connection and accepts data,
// nothing answers): the writer's operation is cut at write_timeout, the store counts the database
// as down (connected 0, a warning) and spools within its memory bound; a stop during the hang
// returns within the stop timeout with everything queued spooled; after SIGCONT every sample is
// written exactly once.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "manager/store/soci_store.h"
#include "tests/integration/manager/store/outage_support.h"
#include "tests/integration/manager/store/store_test_db.h"
#include "tests/support/log_capture.h"
#include "tests/support/wait.h"

namespace netpower::manager::store {
namespace {

using ::testing::HasSubstr;
using testing::wait_until;
using namespace std::chrono_literals;

class HungDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    db_ = testdb::make_postgres(server_, "netpower", dir_);
    settings_ = db_->settings();
    settings_.batch_size = 50;
    settings_.flush_interval = 20ms;
    settings_.memory_buffer_rows = 300;
    settings_.reconnect_min = 50ms;
    settings_.reconnect_max = 200ms;
    settings_.connect_timeout = 1s;
    settings_.write_timeout = 500ms;
  }
  void TearDown() override { server_.resume(); }

  testing::TempDir dir_{"np-hung"};
  testing::PostgresServer server_;
  testdb::TestDbPtr db_;
  config::StoreSettings settings_;
};

TEST_F(HungDatabaseTest, AHungServerIsAnOutageAndAStopDuringItSpoolsInTime) {
  testing::LogCapture log;
  constexpr auto kStopTimeout = 1000ms;
  std::int64_t produced = 0;
  {
    auto store = open_store(settings_, StoreOptions{kStopTimeout});
    testdb::Producer producer(*store, 1ms);
    ASSERT_TRUE(wait_until([&] { return store->metrics().samples_written_total > 100; }, 10s));

    // First hang: noticed, spooled, and written once the server runs again.
    server_.pause();
    ASSERT_TRUE(wait_until(
        [&] {
          const auto m = store->metrics();
          return !m.connected && m.spool_batches >= 5;
        },
        20s))
        << "connected " << store->metrics().connected << ", spool_batches "
        << store->metrics().spool_batches << ", written " << store->metrics().samples_written_total
        << "\n"
        << log.text();
    auto during = store->metrics();
    EXPECT_TRUE(during.down_since.has_value());
    EXPECT_LE(during.memory_rows, settings_.memory_buffer_rows);
    EXPECT_GE(during.write_failures_total + during.connect_failures_total, 1u);
    server_.resume();
    ASSERT_TRUE(wait_until([&] { return store->metrics().connected; }, 20s));
    ASSERT_TRUE(wait_until([&] { return store->metrics().spool_batches == 0; }, 20s));

    // Second hang, and the store stops during it.
    server_.pause();
    ASSERT_TRUE(wait_until([&] { return !store->metrics().connected; }, 20s));
    produced = producer.stop();
    const auto stopping = std::chrono::steady_clock::now();
    store.reset();
    const auto took = std::chrono::steady_clock::now() - stopping;
    EXPECT_LT(took, kStopTimeout + 500ms)
        << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  }
  EXPECT_GT(testdb::spool_files(settings_.spool_dir), 0u);
  const auto text = log.text();
  if (HasFailure() || std::getenv("NETPOWER_TEST_VERBOSE") != nullptr) std::cerr << text;
  EXPECT_THAT(text, HasSubstr("no answer from the database within 500 ms (store.write_timeout)"));
  EXPECT_THAT(text, HasSubstr("unreachable since"));
  EXPECT_THAT(text, HasSubstr("will be replayed at the next start"));

  server_.resume();
  {
    auto store = open_store(settings_);
    ASSERT_TRUE(store->flush(30s));
    EXPECT_EQ(store->metrics().rows_dropped_total, 0u);
  }
  EXPECT_EQ(testdb::spool_files(settings_.spool_dir), 0u);
  testdb::expect_exactly(*db_, produced);
}

// A statement the server cancels at statement_timeout is no bad data: the batch waits and is
// written once the database keeps up again (here: a lock held by another session).
TEST_F(HungDatabaseTest, AStatementTimeoutIsAnOutageNotARefusal) {
  settings_.postgresql.statement_timeout = 200ms;
  settings_.write_timeout = 5s;
  auto store = open_store(settings_);
  store->add_samples({{"pdu-1", ObjectKind::kPort, "A1", "m", wall_now(), 0.0}});
  ASSERT_TRUE(store->flush(10s));
  // Another session locks the ledger: the next batch's INSERT waits for the lock and is cancelled.
  PGconn* locker = PQconnectdb(server_.conninfo("netpower").c_str());
  ASSERT_EQ(PQstatus(locker), CONNECTION_OK) << PQerrorMessage(locker);
  PQclear(PQexec(locker, "BEGIN"));
  PGresult* r = PQexec(locker, "LOCK TABLE store_batches IN ACCESS EXCLUSIVE MODE");
  ASSERT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(locker);
  PQclear(r);
  store->add_samples({{"pdu-1", ObjectKind::kPort, "A1", "m", wall_now(), 1.0}});
  ASSERT_TRUE(wait_until([&] { return store->metrics().write_failures_total >= 1; }, 10s));
  EXPECT_EQ(store->metrics().rows_dropped_total, 0u);
  PQclear(PQexec(locker, "ROLLBACK"));
  PQfinish(locker);
  ASSERT_TRUE(store->flush(20s));
  EXPECT_EQ(store->metrics().rows_dropped_total, 0u);
  EXPECT_EQ(db_->count("samples"), 2);
}

}  // namespace
}  // namespace netpower::manager::store
