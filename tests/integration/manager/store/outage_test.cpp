// PostgreSQL outages: the server stopped (or killed) while samples keep coming; the memory buffer
// overflows into the disk spool; after the restart every sample arrives exactly once. Each test
// owns its server.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <thread>

#include "manager/store/soci_store.h"
#include "tests/integration/manager/store/outage_support.h"
#include "tests/integration/manager/store/store_test_db.h"
#include "tests/support/log_capture.h"
#include "tests/support/ports.h"
#include "tests/support/wait.h"

namespace netpower::manager::store {
namespace {

using testdb::expect_exactly;
using testdb::Producer;
using testdb::spool_files;
using ::testing::HasSubstr;
using testing::LogCapture;
using testing::wait_until;
using namespace std::chrono_literals;

class OutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    db_ = testdb::make_postgres(server_, "netpower", dir_);
    settings_ = db_->settings();
    settings_.batch_size = 50;
    settings_.flush_interval = 20ms;
    settings_.memory_buffer_rows = 300;  // 6 batches; the rest of the outage goes to disk
    settings_.reconnect_min = 50ms;
    settings_.reconnect_max = 200ms;
  }

  // Runs the producer across an outage made by `down`, then restarts the server.
  void run_outage(const std::function<void()>& down) {
    LogCapture log;
    std::int64_t produced = 0;
    {
      auto store = open_store(settings_);
      Producer producer(*store, 1ms);
      ASSERT_TRUE(wait_until([&] { return store->metrics().samples_written_total > 100; }, 10s));
      down();
      // Memory fills (300 rows), then batches go to files.
      ASSERT_TRUE(wait_until([&] { return store->metrics().spool_batches >= 10; }, 20s))
          << "spool_batches " << store->metrics().spool_batches;
      auto during = store->metrics();
      EXPECT_FALSE(during.connected);
      EXPECT_TRUE(during.down_since.has_value());
      EXPECT_GE(during.memory_rows, 250u);
      EXPECT_LE(during.memory_rows, 300u);
      EXPECT_GE(spool_files(settings_.spool_dir), 10u);
      server_.start();
      ASSERT_TRUE(wait_until([&] { return store->metrics().connected; }, 20s));
      std::this_thread::sleep_for(300ms);  // writing goes on after the replay
      produced = producer.stop();
      ASSERT_TRUE(store->flush(30s));
      auto after = store->metrics();
      EXPECT_EQ(after.queued_rows(), 0u);
      EXPECT_GT(after.rows_replayed_total, 0u);
      EXPECT_EQ(after.rows_dropped_total, 0u);
      EXPECT_EQ(after.duplicate_batches_total, 0u);
      EXPECT_EQ(after.samples_written_total, static_cast<std::uint64_t>(produced));
      EXPECT_GE(after.write_failures_total + after.connect_failures_total, 1u);
      EXPECT_EQ(spool_files(settings_.spool_dir), 0u);
    }
    expect_exactly(*db_, produced);
    const auto text = log.text();
    if (HasFailure() || std::getenv("NETPOWER_TEST_VERBOSE") != nullptr) std::cerr << text;
    EXPECT_THAT(text, HasSubstr("unreachable since"));
    EXPECT_THAT(text, HasSubstr("spooling batches to " + settings_.spool_dir));
    EXPECT_THAT(text, HasSubstr("reachable again after"));
    EXPECT_THAT(text, HasSubstr("caught up; replayed"));
  }

  testing::TempDir dir_{"np-outage"};
  testing::PostgresServer server_;
  testdb::TestDbPtr db_;
  config::StoreSettings settings_;
};

TEST_F(OutageTest, ServerStoppedAndRestartedEverySampleArrivesExactlyOnce) {
  run_outage([&] { server_.stop(); });
}

TEST_F(OutageTest, ServerKilledAndRestartedEverySampleArrivesExactlyOnce) {
  run_outage([&] { server_.kill(); });
}

// The store stops during the outage: what it held in memory goes to the spool, and the next store
// replays it once the database is back.
TEST_F(OutageTest, SpoolSurvivesARestartOfTheStore) {
  server_.stop();
  {
    LogCapture log;
    auto store = open_store(settings_, StoreOptions{std::chrono::milliseconds(300)});
    for (int i = 0; i < 1000; ++i) {
      store->add_samples(
          {{"pdu-1", ObjectKind::kPort, "A1", "outlet.current", wall_now(), double(i)}});
    }
    EXPECT_FALSE(store->flush(300ms));
    store.reset();
    EXPECT_THAT(log.text(), HasSubstr("will be replayed at the next start"));
  }
  EXPECT_EQ(spool_files(settings_.spool_dir), 20u);  // 1000 rows / 50 per batch
  server_.start();
  auto store = open_store(settings_);
  ASSERT_TRUE(store->flush(30s));
  EXPECT_EQ(store->metrics().rows_replayed_total, 1000u);
  EXPECT_EQ(spool_files(settings_.spool_dir), 0u);
  expect_exactly(*db_, 1000);
}

// A crash after a batch's commit but before its spool file was removed leaves a file whose batch
// is already in the database: the ledger recognises it and the replay skips it.
TEST_F(OutageTest, AlreadyCommittedSpoolFileIsNotWrittenTwice) {
  server_.stop();
  settings_.memory_buffer_rows = 0;
  const auto saved = dir_.file("saved.npspool");
  {
    auto store = open_store(settings_);
    std::vector<Sample> rows;
    for (int i = 0; i < 50; ++i)
      rows.push_back({"pdu-1", ObjectKind::kPort, "A1", "m", wall_now(), double(i)});
    store->add_samples(rows);
    ASSERT_TRUE(wait_until([&] { return store->metrics().spool_batches == 1; }, 10s));
    auto file = *std::filesystem::directory_iterator(settings_.spool_dir);
    std::filesystem::copy_file(file.path(), saved);
    server_.start();
    ASSERT_TRUE(store->flush(30s));
    std::filesystem::copy_file(saved, file.path());  // as if the removal never happened
  }
  LogCapture log;
  auto store = open_store(settings_);
  ASSERT_TRUE(store->flush(30s));
  EXPECT_EQ(store->metrics().duplicate_batches_total, 1u);
  EXPECT_EQ(store->metrics().samples_written_total, 0u);
  EXPECT_EQ(spool_files(settings_.spool_dir), 0u);
  EXPECT_THAT(log.text(), HasSubstr("was committed before (ledger); skipped"));
  expect_exactly(*db_, 50);
}

// With the spool bounded too, what does not fit is dropped, counted and logged: never silently.
TEST(OutageLimits, FullSpoolDropsAndCounts) {
  testing::TempDir dir("np-outage");
  auto settings = testdb::fast_settings(dir);
  settings.backend = config::StoreBackend::kPostgresql;
  settings.postgresql.host = "127.0.0.1";
  settings.postgresql.port = testing::free_tcp_port();  // nothing listens there
  settings.batch_size = 10;
  settings.memory_buffer_rows = 20;
  settings.spool_max_bytes = 1000;  // two batches of ten
  LogCapture log;
  auto store = open_store(settings, StoreOptions{std::chrono::milliseconds(0)});
  for (int i = 0; i < 100; ++i) {
    store->add_samples({{"a", ObjectKind::kPort, "A1", "m", wall_now(), double(i)}});
  }
  ASSERT_TRUE(wait_until(
      [&] {
        return store->metrics().queued_rows() + store->metrics().rows_dropped_total == 100 &&
               store->metrics().pending_rows == 0;
      },
      10s));
  auto m = store->metrics();
  EXPECT_EQ(m.memory_rows, 20u);
  EXPECT_EQ(m.spool_rows, 20u);
  EXPECT_EQ(m.rows_dropped_total, 60u);
  EXPECT_FALSE(m.connected);
  EXPECT_GE(m.connect_failures_total, 1u);
  EXPECT_THAT(log.text(), HasSubstr("spool full"));
}

// The password never appears in what the store logs, even when the connection fails.
TEST(OutageLimits, PasswordIsNeverLogged) {
  testing::TempDir dir("np-outage");
  testing::PostgresOptions options;
  options.password = "pg-Secret-4711";
  testing::PostgresServer server(options);
  server.start();
  auto db = testdb::make_postgres(server, "netpower", dir);
  LogCapture log;
  {
    auto store = open_store(db->settings());
    store->add_samples({{"a", ObjectKind::kPort, "A1", "m", wall_now(), 1}});
    ASSERT_TRUE(store->flush(10s));
  }
  auto wrong = db->settings();
  wrong.postgresql.password = config::Secret("wrong-Secret-0815", "test");
  {
    auto store = open_store(wrong, StoreOptions{std::chrono::milliseconds(0)});
    ASSERT_TRUE(wait_until([&] { return store->metrics().connect_failures_total > 0; }, 10s));
  }
  const auto text = log.text();
  EXPECT_THAT(text, HasSubstr("password authentication failed"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("Secret-4711")));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("Secret-0815")));
  EXPECT_EQ(db->count("samples"), 1);
}

}  // namespace
}  // namespace netpower::manager::store
