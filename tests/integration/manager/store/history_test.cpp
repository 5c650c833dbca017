// The store's read side against both backends: a series' history across days, across raw and
// compacted hours (PostgreSQL), in step buckets, limited; compaction of a backlog and its
// exactness; and the 0002 migration of a database filled by the 0001 schema. Events and query
// errors are in events_test.cpp (same executable, same PostgreSQL server and fixture).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "manager/store/detail/migrations.h"
#include "manager/store/soci_store.h"
#include "tests/integration/manager/store/history_fixture.h"
#include "tests/integration/manager/store/store_test_db.h"
#include "tests/support/wait.h"

namespace netpower::manager::store {
namespace {

using namespace history_fixture;
using ::testing::ElementsAre;
using testing::wait_until;
using namespace std::chrono_literals;
using std::chrono::microseconds;

// Every 5 minutes for 26 hours (so across a midnight and, on PostgreSQL, across compacted hours
// and the raw current hour), then a late value for a compacted hour.
TEST_P(HistoryTest, SeriesAcrossDaysAndTheCompactedBoundary) {
  auto settings = db_->settings();
  settings.batch_size = 500;
  auto store = open_store(settings, options_);
  const auto now = us_of(wall_now());
  const auto this_hour = now - now % kUsPerHour;
  const std::int64_t step = 300'000'000;
  const auto start = this_hour - 26 * kUsPerHour;
  const SeriesKey port{"rack1", ObjectKind::kPort, "A1", "outlet.current"};
  std::vector<Sample> samples;
  std::vector<HistoryPoint> expected;
  for (std::int64_t t = start + 1000; t < now; t += step) {  // ms-aligned: compaction keeps ms
    const double v = 0.1 * static_cast<double>(expected.size()) + 0.2;
    samples.push_back({port.agent, port.kind, port.key, port.metric, us(t), v});
    // Another series of the same agent, interleaved: never mixed in.
    samples.push_back({port.agent, port.kind, "A2", port.metric, us(t), -v});
    expected.push_back({us(t), v, v, v});
  }
  store->add_samples(samples);
  ASSERT_TRUE(store->flush(10s));
  if (pg()) {
    ASSERT_TRUE(wait_until([&] { return raw_before(this_hour) == 0; }, 20s))
        << raw_before(this_hour) << " raw rows left in finished hours";
    EXPECT_GE(db_->count("samples_hourly"), 2 * 26);
  }
  auto reader = open_store_reader(settings);
  HistoryQuery q;
  q.series = port;
  q.since = us(start);
  q.until = us(now + 1);
  auto h = reader->history(q);
  EXPECT_FALSE(h.truncated);
  EXPECT_EQ(h.series, port);
  ASSERT_EQ(h.points.size(), expected.size());
  EXPECT_EQ(h.points, expected);

  // A sub-range that starts inside an hour and ends inside another: [since, until).
  q.since = expected[3].time;
  q.until = expected[40].time;
  h = reader->history(q);
  EXPECT_EQ(h.points, std::vector<HistoryPoint>(expected.begin() + 3, expected.begin() + 40));

  // A late value for a compacted hour (a spool replayed after an outage) is merged in order.
  const HistoryPoint late{us(start + 2 * step + 7000), 42.5, 42.5, 42.5};
  store->add_samples({{port.agent, port.kind, port.key, port.metric, late.time, late.value}});
  ASSERT_TRUE(store->flush(10s));
  if (pg()) {
    ASSERT_TRUE(wait_until([&] { return raw_before(this_hour) == 0; }, 20s));
  }
  q.since = us(start);
  q.until = us(start + kUsPerHour);
  h = reader->history(q);
  ASSERT_EQ(h.points.size(), 13u);
  EXPECT_EQ(h.points[2], expected[2]);
  EXPECT_EQ(h.points[3], late);
  EXPECT_EQ(h.points[4], expected[3]);

  auto listed = reader->series("rack1");
  EXPECT_THAT(listed, ElementsAre(port, SeriesKey{"rack1", ObjectKind::kPort, "A2", port.metric}));
  EXPECT_TRUE(reader->series("nobody").empty());
}

TEST_P(HistoryTest, StepBucketsAndLimits) {
  auto settings = db_->settings();
  auto store = open_store(settings, options_);
  const auto now = us_of(wall_now());
  const auto this_hour = now - now % kUsPerHour;
  const auto start = this_hour - 3 * kUsPerHour;  // three finished hours, compacted on PostgreSQL
  const SeriesKey s{"ups-a", ObjectKind::kUps, "", "battery.charge"};
  std::vector<Sample> samples;
  for (int i = 0; i < 180; ++i) {  // every minute
    samples.push_back({s.agent, s.kind, s.key, s.metric, us(start + i * 60'000'000LL), i * 1.0});
  }
  store->add_samples(samples);
  ASSERT_TRUE(store->flush(10s));
  if (pg()) ASSERT_TRUE(wait_until([&] { return raw_before(this_hour) == 0; }, 20s));
  auto reader = open_store_reader(settings);
  HistoryQuery q;
  q.series = s;
  q.since = us(start);
  q.until = us(this_hour);
  q.step = std::chrono::minutes(20);
  auto h = reader->history(q);
  ASSERT_EQ(h.points.size(), 9u);
  for (std::size_t b = 0; b < 9; ++b) {
    EXPECT_EQ(h.points[b].time, us(start + static_cast<std::int64_t>(b) * 1'200'000'000LL));
    EXPECT_DOUBLE_EQ(h.points[b].value, 20.0 * b + 9.5);  // the mean of 20b .. 20b + 19
    EXPECT_EQ(h.points[b].min, 20.0 * b);
    EXPECT_EQ(h.points[b].max, 20.0 * b + 19);
  }
  EXPECT_FALSE(h.truncated);
  q.limit = 4;
  h = reader->history(q);
  EXPECT_EQ(h.points.size(), 4u);
  EXPECT_TRUE(h.truncated);
  q.step = std::chrono::seconds(0);
  q.limit = 180;
  h = reader->history(q);
  EXPECT_EQ(h.points.size(), 180u);
  EXPECT_FALSE(h.truncated);
  q.limit = 179;
  h = reader->history(q);
  EXPECT_EQ(h.points.size(), 179u);
  EXPECT_TRUE(h.truncated);
  EXPECT_EQ(h.points.back().value, 178);
}

// A backlog of finished hours (a manager that was stopped, a long outage) is compacted one hour
// per pass, passes back to back, from the start of the store: not one hour per interval.
TEST(PostgresqlCompaction, BacklogIsCompactedHourAfterHourAtStart) {
  testing::TempDir dir("np-hist");
  auto db = testdb::make_postgres(shared_server(), "backlog", dir);
  auto settings = db->settings();
  StoreOptions idle;  // never compacts on its own while it writes
  idle.compaction_interval = std::chrono::hours(1);
  idle.compaction_delay = 0ms;
  const auto now = us_of(wall_now());
  const auto this_hour = now - now % kUsPerHour;
  std::vector<Sample> samples;
  for (int h = 1; h <= 12; ++h) {
    for (int i = 0; i < 10; ++i) {
      samples.push_back({"a", ObjectKind::kPort, "A1", "m",
                         us(this_hour - h * kUsPerHour + i * 60'000'000LL), 1.0 * i});
    }
  }
  {
    auto store = open_store(settings, idle);
    ASSERT_TRUE(store->flush(10s));  // connected (and compacted nothing)
    store->add_samples(samples);
    ASSERT_TRUE(store->flush(10s));
  }
  EXPECT_EQ(db->count("samples_raw"), 120) << "written raw, not compacted yet";
  auto store = open_store(settings, idle);
  EXPECT_TRUE(wait_until([&] { return db->count("samples_raw") == 0; }, 20s))
      << db->count("samples_raw") << " raw rows left";
  EXPECT_EQ(db->count("samples_hourly"), 12);
  EXPECT_EQ(db->count("samples"), 120);
}

// Compacted hours give back every value exactly: float4 where each value reads back from it,
// float8 for the rest (one value that does not fit keeps its whole hour in float8).
TEST_P(HistoryTest, CompactionKeepsEveryValueExactly) {
  auto settings = db_->settings();
  auto store = open_store(settings, options_);
  const auto now = us_of(wall_now());
  const auto hour = now - now % kUsPerHour - 5 * kUsPerHour;
  const std::vector<double> fits = {1.25, 12.34, 230, -12.5, 0, -0.0, 98, 123456.78, 3e38};
  const std::vector<double> odd = {
      0.1 + 0.2, 1e-300,   1e300,   16777217.0,
      3.5e38,    -1.5e-39, 1.0 / 3, std::numeric_limits<double>::infinity()};
  std::vector<Sample> samples;
  auto add = [&](const std::string& key, const std::vector<double>& values, std::int64_t start) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      samples.push_back({"x", ObjectKind::kPort, key, "m",
                         us(start + static_cast<std::int64_t>(i) * 60'000'000), values[i]});
    }
  };
  add("F", fits, hour);
  add("D", odd, hour);
  auto mixed = fits;
  mixed.push_back(0.1 + 0.2);
  add("M", mixed, hour + kUsPerHour);
  store->add_samples(samples);
  ASSERT_TRUE(store->flush(10s));
  if (pg()) {
    ASSERT_TRUE(wait_until([&] { return raw_before(hour + 2 * kUsPerHour) == 0; }, 20s));
    EXPECT_EQ(db_->query("SELECT count(*) FROM samples_hourly WHERE vals4 IS NOT NULL").at(0).at(0),
              "1")
        << "F alone is float4";
  }
  auto reader = open_store_reader(settings);
  auto values = [&](const std::string& key) {
    HistoryQuery q;
    q.series = {"x", ObjectKind::kPort, key, "m"};
    q.since = us(hour);
    q.until = us(hour + 2 * kUsPerHour);
    std::vector<double> out;
    for (const auto& p : reader->history(q).points) out.push_back(p.value);
    return out;
  };
  EXPECT_EQ(values("F"), fits);
  EXPECT_EQ(values("D"), odd);
  EXPECT_EQ(values("M"), mixed);
  // SQLite stores an integral REAL as an integer, so -0.0 comes back as 0 (as with the 0001
  // schema); PostgreSQL keeps the sign, compacted or not.
  if (pg()) EXPECT_TRUE(std::signbit(values("F")[5])) << "-0 stays negative";
}

// A database made by the 0001 schema, filled with rows in its format (as the old writer wrote
// them), migrated to 0002 by the store: history answers the same values.
TEST_P(HistoryTest, MigrationKeepsTheOldSamples) {
  auto settings = db_->settings();
  const auto first = detail::migrations_for(settings.backend).at(0);
  ASSERT_EQ(first.name, "0001_initial.sql");
  const auto day0 = (us_of(wall_now()) / (24 * kUsPerHour) - 2) * 24 * kUsPerHour;
  struct Old {
    std::int64_t time;
    std::string agent, kind, key, metric;
    double value;
  };
  std::vector<Old> rows;
  for (int i = 0; i < 40; ++i) {
    // 20 hours before and after the midnight between day0 and day0 + 1; µs in the times.
    const std::int64_t t = day0 + 4 * kUsPerHour + i * kUsPerHour + 123'456 + i;
    rows.push_back({t, "rack1", "port", "A1", "outlet.current", 0.1 * i + 0.2});
    rows.push_back({t, "rack1", "board", "C", "ambient.temperature", -12.5 + i});
    rows.push_back({t + 10, "ups-a", "ups", "", "battery.charge", 1e300 / (i + 1)});
  }
  auto sql_double = [](double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return std::string(buf);
  };
  std::string fill;
  if (pg()) {
    fill =
        "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
        "applied_at timestamptz NOT NULL DEFAULT now());" +
        first.sql + ";INSERT INTO schema_migrations (version, name) VALUES (1, '" + first.name +
        "');";
    for (int d = 0; d < 2; ++d) {
      const auto from = day0 + d * 24 * kUsPerHour;
      fill += "CREATE TABLE samples_d" + std::to_string(d) +
              " PARTITION OF samples FOR VALUES FROM (timestamptz 'epoch' + " +
              std::to_string(from) + " * interval '1 microsecond') TO (timestamptz 'epoch' + " +
              std::to_string(from + 24 * kUsPerHour) + " * interval '1 microsecond');";
    }
    for (const auto& r : rows) {
      fill += "INSERT INTO samples VALUES (timestamptz 'epoch' + " + std::to_string(r.time) +
              " * interval '1 microsecond', '" + r.agent + "', '" + r.kind + "', '" + r.key +
              "', '" + r.metric + "', " + sql_double(r.value) + ");";
    }
    db_->query(fill);
  } else {
    fill =
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at INTEGER NOT NULL);" +
        first.sql + ";INSERT INTO schema_migrations VALUES (1, '" + first.name + "', 0);";
    for (const auto& r : rows) {
      fill += "INSERT INTO samples VALUES (" + std::to_string(r.time) + ", '" + r.agent + "', '" +
              r.kind + "', '" + r.key + "', '" + r.metric + "', " + sql_double(r.value) + ");";
    }
    std::filesystem::create_directories(std::filesystem::path(settings.sqlite_path).parent_path());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(settings.sqlite_path.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, fill.c_str(), nullptr, nullptr, &error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << (error ? error : "");
  }
  ASSERT_EQ(db_->count("samples"), 120);

  EXPECT_THAT(migrate_database(settings),
              ElementsAre("0002_series_history.sql", "0003_action_journal.sql"));
  EXPECT_EQ(db_->count("series"), 3);
  EXPECT_EQ(db_->count("samples"), 120) << "the old columns, as a view";

  auto reader = open_store_reader(settings);
  auto check = [&](const SeriesKey& key) {
    std::vector<HistoryPoint> expected;
    for (const auto& r : rows) {
      if (r.agent != key.agent || r.metric != key.metric) continue;
      // PostgreSQL converts old rows straight into compacted hours: times to the millisecond.
      const auto t = pg() ? r.time - r.time % 1000 : r.time;
      expected.push_back({us(t), r.value, r.value, r.value});
    }
    HistoryQuery q;
    q.series = key;
    q.since = us(day0);
    q.until = us(day0 + 2 * 24 * kUsPerHour);
    auto h = reader->history(q);
    EXPECT_EQ(h.points, expected) << key.agent << " " << key.metric;
  };
  check({"rack1", ObjectKind::kPort, "A1", "outlet.current"});
  check({"rack1", ObjectKind::kBoard, "C", "ambient.temperature"});
  check({"ups-a", ObjectKind::kUps, "", "battery.charge"});

  // The store writes on into the migrated tables, into the same series.
  auto store = open_store(settings, options_);
  const auto t = us(day0 + 30 * kUsPerHour + 5000);
  store->add_samples({{"rack1", ObjectKind::kPort, "A1", "outlet.current", t, 99}});
  ASSERT_TRUE(store->flush(10s));
  EXPECT_EQ(db_->count("series"), 3);
  HistoryQuery q;
  q.series = {"rack1", ObjectKind::kPort, "A1", "outlet.current"};
  q.since = us(day0 + 29 * kUsPerHour);
  q.until = us(day0 + 31 * kUsPerHour);
  auto h = reader->history(q);
  ASSERT_EQ(h.points.size(), 3u);
  EXPECT_EQ(h.points[1].time, t);
  EXPECT_EQ(h.points[1].value, 99);
}

INSTANTIATE_TEST_SUITE_P(Backends, HistoryTest,
                         ::testing::Values(config::StoreBackend::kSqlite,
                                           config::StoreBackend::kPostgresql),
                         [](const auto& param_info) {
                           return param_info.param == config::StoreBackend::kSqlite
                                      ? std::string("Sqlite")
                                      : std::string("Postgresql");
                         });

}  // namespace
}  // namespace netpower::manager::store
