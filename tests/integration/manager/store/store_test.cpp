// The store against both backends: migrations, round trips, batching, retention, refused data.
// PostgreSQL is a real server started for this binary (one cluster, a database per test).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "manager/store/soci_store.h"
#include "tests/integration/manager/store/store_test_db.h"
#include "tests/support/wait.h"

namespace netpower::manager::config {
// Names the parameter in test names ("... # GetParam() = postgresql") instead of its bytes.
void PrintTo(StoreBackend backend, std::ostream* os) {
  *os << (backend == StoreBackend::kSqlite ? "sqlite" : "postgresql");
}
}  // namespace netpower::manager::config

namespace netpower::manager::store {
namespace {

using ::testing::ElementsAre;
using testing::wait_until;
using namespace std::chrono_literals;

using testdb::shared_server;
std::string test_db_name() { return testdb::test_db_name("t"); }

class StoreTest : public ::testing::TestWithParam<config::StoreBackend> {
 protected:
  void SetUp() override {
    if (GetParam() == config::StoreBackend::kPostgresql) {
      db_ = testdb::make_postgres(shared_server(), test_db_name(), dir_);
    } else {
      db_ = testdb::make_sqlite(dir_);
    }
  }
  testing::TempDir dir_{"np-store"};
  testdb::TestDbPtr db_;
};

WallTime at(std::int64_t seconds, std::int64_t micros = 0) {
  return WallTime{std::chrono::seconds(seconds) + std::chrono::microseconds(micros)};
}

TEST_P(StoreTest, MigrationsAppliedOnceAndReappliedHarmlessly) {
  auto settings = db_->settings();
  EXPECT_THAT(migrate_database(settings), ElementsAre("0001_initial.sql", "0002_series_history.sql",
                                                      "0003_action_journal.sql"));
  EXPECT_TRUE(migrate_database(settings).empty());
  {
    auto store = open_store(settings);  // migrates again on connect: nothing to do
    store->add_samples({{"a", ObjectKind::kPort, "A1", "outlet.current", wall_now(), 1}});
    ASSERT_TRUE(store->flush(10s));
  }
  EXPECT_TRUE(migrate_database(settings).empty());
  auto rows = db_->query("SELECT version, name FROM schema_migrations ORDER BY version");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "1");
  EXPECT_EQ(rows[0][1], "0001_initial.sql");
  EXPECT_EQ(rows[1][0], "2");
  EXPECT_EQ(rows[1][1], "0002_series_history.sql");
  EXPECT_EQ(rows[2][1], "0003_action_journal.sql");
  for (const char* table : {"agents", "samples", "series", "samples_raw", "events", "store_batches",
                            "actions", "action_outlets", "bindings"}) {
    EXPECT_NO_THROW(db_->count(table)) << table;
  }
  EXPECT_EQ(db_->count("samples"), 1);
}

TEST_P(StoreTest, SamplesAndEventsRoundTrip) {
  const auto t = at(1'700'000'000, 123'456);
  std::vector<Sample> samples = {
      {"rack1-pdu", ObjectKind::kPort, "A1", "outlet.current", t, 1.25},
      {"rack1-pdu", ObjectKind::kPort, "A2", "outlet.current", t, 0.1 + 0.2},  // 17 digits
      {"rack1-pdu", ObjectKind::kBoard, "C", "ambient.temperature", at(1'700'000'001), -12.5},
      {"rack1-pdu", ObjectKind::kChain, "", "input.current", at(1'700'000'002), 1e-300},
      {"ups-a", ObjectKind::kUps, "", "battery.charge", at(1'700'000'003), 1e300},
      {"ups-a", ObjectKind::kAgent, "", "poll.duration", at(1'700'000'004, 1), 0},
      {"we\\ird\tname", ObjectKind::kPort, "Z4", "line\nbreak \"quoted\" é°C", at(1'700'000'005),
       7},
  };
  std::vector<Event> events = {
      {"rack1-pdu", t, EventKind::kTrap, "1.3.6.1.4.1.1718.2.100.0.5",
       R"([{"oid":"1.3.6.1.4.1.1718.2.1.1.0","type":"STRING","value":"lab\t\"rack\" 1"}])",
       "port A1: control status changed to Off"},
      {"ups-a", at(1'700'000'010), EventKind::kDown, "", "{}", "no answer after 2 retries\n\\ok"},
      {"ups-a", at(1'700'000'020), EventKind::kUp, "", "[]", "answering again"},
      {"rack1-pdu", at(1'700'000'030), EventKind::kThreshold, "", R"({"limit":16,"value":16.5})",
       "A1 load above 16 A"},
  };
  {
    auto store = open_store(db_->settings());
    store->set_agents({{"rack1-pdu", "10.0.0.5", 161, "3", {{"site", "par1"}, {"rack", "r1"}}},
                       {"ups-a", "10.0.0.9", 1161, "2c", {}}});
    store->add_samples(samples);
    store->add_events(events);
    ASSERT_TRUE(store->flush(10s));
    auto m = store->metrics();
    EXPECT_EQ(m.samples_written_total, samples.size());
    EXPECT_EQ(m.events_written_total, events.size());
    EXPECT_TRUE(m.connected);
    EXPECT_EQ(m.queued_rows(), 0u);
  }
  auto stored = db_->samples();
  ASSERT_EQ(stored.size(), samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) EXPECT_EQ(stored[i], samples[i]) << i;
  auto stored_events = db_->events();
  ASSERT_EQ(stored_events.size(), events.size());
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return std::tie(a.time, a.agent, a.text) < std::tie(b.time, b.agent, b.text);
  });
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto e = stored_events[i];
    EXPECT_EQ(nlohmann::json::parse(e.varbinds_json),
              nlohmann::json::parse(events[i].varbinds_json));
    e.varbinds_json = events[i].varbinds_json;  // PostgreSQL's jsonb normalises the spacing
    EXPECT_EQ(e, events[i]) << i;
  }
  auto agents = db_->query("SELECT name, address, port, version FROM agents ORDER BY name");
  ASSERT_EQ(agents.size(), 2u);
  EXPECT_THAT(agents[0], ElementsAre("rack1-pdu", "10.0.0.5", "161", "3"));
  EXPECT_THAT(agents[1], ElementsAre("ups-a", "10.0.0.9", "1161", "2c"));
  auto labels = db_->query("SELECT labels FROM agents WHERE name = 'rack1-pdu'");
  EXPECT_EQ(nlohmann::json::parse(labels.at(0).at(0)),
            nlohmann::json({{"site", "par1"}, {"rack", "r1"}}));
}

TEST_P(StoreTest, BadBytesAreCleanedNotRefused) {
  {
    auto store = open_store(db_->settings());
    store->add_samples(
        {{std::string("a\0b", 3), ObjectKind::kPort, "A1", "m\xff", at(1'700'000'000), 1},
         {"a", ObjectKind::kPort, "A1", "nan", at(1'700'000'000), std::nan("")}});
    store->add_events({{"a", at(1'700'000'000), EventKind::kTrap, "1.2", "{not json", "t\xc3"}});
    ASSERT_TRUE(store->flush(10s));
    EXPECT_EQ(store->metrics().rows_dropped_total, 1u);  // the NaN sample
  }
  auto samples = db_->samples();
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].agent, "ab");
  EXPECT_EQ(samples[0].metric, "m\xEF\xBF\xBD");
  auto events = db_->events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(events[0].varbinds_json),
            nlohmann::json({{"invalid_json", "{not json"}}));
  EXPECT_EQ(events[0].text, "t\xEF\xBF\xBD");
}

TEST_P(StoreTest, RowsAreBatched) {
  auto settings = db_->settings();
  settings.batch_size = 100;
  settings.flush_interval = std::chrono::seconds(30);  // only full batches, unless flushed
  auto store = open_store(settings);
  std::vector<Sample> many;
  for (int i = 0; i < 1000; ++i) {
    many.push_back(
        {"a", ObjectKind::kPort, "A1", "outlet.current", at(1'700'000'000, i), double(i)});
  }
  store->add_samples(many);
  for (int i = 0; i < 500; ++i) {  // one row per call: batched all the same
    store->add_samples(
        {{"b", ObjectKind::kPort, "B1", "outlet.current", at(1'700'000'000, i), double(i)}});
  }
  ASSERT_TRUE(wait_until([&] { return store->metrics().samples_written_total == 1500; }, 20s));
  EXPECT_EQ(store->metrics().batches_written_total, 15u);
  EXPECT_EQ(db_->count("store_batches"), 15);
  EXPECT_EQ(db_->count("samples"), 1500);
  store->add_samples({{"c", ObjectKind::kPort, "C1", "outlet.current", at(1'700'000'000), 1}});
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(store->metrics().pending_rows, 1u);  // a partial batch waits for the interval...
  ASSERT_TRUE(store->flush(10s));                // ...or a flush
  EXPECT_EQ(store->metrics().batches_written_total, 16u);
}

TEST_P(StoreTest, FlushIntervalWritesAPartialBatch) {
  auto settings = db_->settings();
  settings.batch_size = 1000;
  settings.flush_interval = 100ms;
  auto store = open_store(settings);
  store->add_samples({{"a", ObjectKind::kPort, "A1", "outlet.current", wall_now(), 1},
                      {"a", ObjectKind::kPort, "A2", "outlet.current", wall_now(), 2}});
  store->add_events({{"a", wall_now(), EventKind::kUp, "", "[]", "up"}});
  EXPECT_TRUE(wait_until([&] { return store->metrics().batches_written_total == 1; }, 5s));
  EXPECT_EQ(db_->count("samples"), 2);
  EXPECT_EQ(db_->count("events"), 1);
}

TEST_P(StoreTest, RetentionDeletesOldRows) {
  auto settings = db_->settings();
  settings.retention.samples = std::chrono::hours(24 * 30);
  settings.retention.events = std::chrono::hours(24 * 7);
  settings.retention.check_interval = 200ms;
  const auto now = wall_now();
  const auto days = [](int n) {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::hours(24 * n));
  };
  auto store = open_store(settings);
  store->add_samples({{"a", ObjectKind::kPort, "A1", "m", now - days(45), 1},
                      {"a", ObjectKind::kPort, "A1", "m", now - days(31), 2},
                      {"a", ObjectKind::kPort, "A1", "m", now - days(5), 3},
                      {"a", ObjectKind::kPort, "A1", "m", now, 4}});
  store->add_events({{"a", now - days(8), EventKind::kUp, "", "[]", "old"},
                     {"a", now - days(1), EventKind::kUp, "", "[]", "new"}});
  ASSERT_TRUE(store->flush(10s));
  ASSERT_TRUE(
      wait_until([&] { return db_->count("samples") == 2 && db_->count("events") == 1; }, 10s))
      << db_->count("samples") << " samples, " << db_->count("events") << " events";
  auto values = db_->query("SELECT value FROM samples ORDER BY value");
  EXPECT_EQ(values[0][0], "3");
  EXPECT_EQ(values[1][0], "4");
  if (GetParam() == config::StoreBackend::kPostgresql) {
    // Whole partitions (of the compacted history, by day) went; today's and the next ones exist.
    auto parts = db_->query(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'samples_hourly'::regclass ORDER BY 1");
    std::vector<std::string> names;
    for (auto& r : parts) names.push_back(r[0]);
    const auto day = [](WallTime t) {
      std::time_t secs =
          std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
      std::tm tm{};
      gmtime_r(&secs, &tm);
      char buf[32];
      std::strftime(buf, sizeof buf, "samples_p%Y%m%d", &tm);
      return std::string(buf);
    };
    EXPECT_THAT(names, ::testing::Contains(day(now)));
    EXPECT_THAT(names, ::testing::Contains(day(now + days(2))));
    EXPECT_THAT(names, ::testing::Contains(day(now - days(5))));
    EXPECT_THAT(names, ::testing::Not(::testing::Contains(day(now - days(45)))));
    EXPECT_THAT(names, ::testing::Not(::testing::Contains(day(now - days(31)))));
  }
  EXPECT_GE(store->metrics().retention_runs_total, 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(config::StoreBackend::kSqlite,
                                           config::StoreBackend::kPostgresql),
                         [](const auto& param_info) {
                           return param_info.param == config::StoreBackend::kSqlite
                                      ? std::string("Sqlite")
                                      : std::string("Postgresql");
                         });

// Data the database refuses (not an outage) is set aside in spool/rejected and counted; the
// batches after it are written.
TEST(PostgresqlStore, RefusedBatchIsSetAsideAndWritingGoesOn) {
  testing::TempDir dir("np-store");
  auto db = testdb::make_postgres(shared_server(), "refused", dir);
  auto settings = db->settings();
  settings.batch_size = 1;
  auto store = open_store(settings);
  // Before 4713 BC: outside PostgreSQL's timestamp range.
  store->add_samples({{"a", ObjectKind::kPort, "A1", "m",
                       WallTime{std::chrono::microseconds(-9'000'000'000'000'000'000)}, 1}});
  store->add_samples({{"a", ObjectKind::kPort, "A1", "m", wall_now(), 2}});
  ASSERT_TRUE(store->flush(10s));
  auto m = store->metrics();
  EXPECT_EQ(m.rows_dropped_total, 1u);
  EXPECT_EQ(m.samples_written_total, 1u);
  EXPECT_TRUE(m.connected);
  EXPECT_EQ(db->count("samples"), 1);
  ASSERT_TRUE(std::filesystem::exists(dir.file("spool/rejected")));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.file("spool/rejected")), {}), 1);
}

// The history is private: the database file (and SQLite's -wal/-shm beside it) is created 0600,
// whatever the umask allows.
TEST(SqliteStore, DatabaseFilesAreCreatedPrivate) {
  testing::TempDir dir("np-store");
  auto db = testdb::make_sqlite(dir);
  const auto settings = db->settings();
  std::filesystem::remove(settings.sqlite_path);
  const auto old_mask = ::umask(022);
  {
    auto store = open_store(settings);
    store->add_samples({{"a", ObjectKind::kPort, "A1", "m", wall_now(), 1.0}});
    ASSERT_TRUE(store->flush(10s));
    for (const auto* suffix : {"", "-wal", "-shm"}) {
      const auto path = settings.sqlite_path + suffix;
      ASSERT_TRUE(std::filesystem::exists(path)) << path;
      const auto mode = std::filesystem::status(path).permissions();
      EXPECT_EQ(mode & std::filesystem::perms::all,
                std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
          << path;
    }
  }
  ::umask(old_mask);
}

}  // namespace
}  // namespace netpower::manager::store
