// The store's read side against both backends: events paged by cursor (while rows are added),
// filters and time ranges; a series' history across days, across raw and compacted hours
// (PostgreSQL), in step buckets, limited; bad requests; and the 0002 migration of a database
// filled by the 0001 schema.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <set>
#include <thread>

#include "manager/store/detail/migrations.h"
#include "manager/store/soci_store.h"
#include "tests/integration/manager/store/store_test_db.h"
#include "tests/support/wait.h"

namespace netpower::manager::config {
void PrintTo(StoreBackend backend, std::ostream* os) {
  *os << (backend == StoreBackend::kSqlite ? "sqlite" : "postgresql");
}
}  // namespace netpower::manager::config

namespace netpower::manager::store {
namespace {

using ::testing::ElementsAre;
using testing::wait_until;
using namespace std::chrono_literals;
using std::chrono::microseconds;

testing::PostgresServer& shared_server() {
  static testing::PostgresServer* server = [] {
    auto* s = new testing::PostgresServer();
    s->start();
    return s;
  }();
  return *server;
}

class ServerEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { shared_server().stop(); }
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new ServerEnvironment);

std::string test_db_name() {
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::string out = "h";
  for (char c : name)
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  return out.substr(0, 60);
}

constexpr std::int64_t kUsPerHour = 3'600'000'000;

WallTime us(std::int64_t v) { return WallTime{microseconds(v)}; }
std::int64_t us_of(WallTime t) { return t.time_since_epoch().count(); }

// Expects a QueryError with bad_request() == `bad`.
template <typename F>
void expect_query_error(F&& f, bool bad, const char* what) {
  try {
    f();
    ADD_FAILURE() << what << ": no QueryError";
  } catch (const QueryError& e) {
    EXPECT_EQ(e.bad_request(), bad) << what << ": " << e.what();
  }
}

class HistoryTest : public ::testing::TestWithParam<config::StoreBackend> {
 protected:
  void SetUp() override {
    if (pg()) {
      db_ = testdb::make_postgres(shared_server(), test_db_name(), dir_);
    } else {
      db_ = testdb::make_sqlite(dir_);
    }
    // Compact every finished hour at once, and look often.
    options_.compaction_delay = 0ms;
    options_.compaction_interval = 100ms;
  }
  bool pg() const { return GetParam() == config::StoreBackend::kPostgresql; }

  // Raw rows left before `hour_start` (PostgreSQL compacts them).
  long raw_before(std::int64_t hour_start) const {
    return std::stol(
        db_->query("SELECT count(*) FROM samples_raw WHERE time < " + std::to_string(hour_start))
            .at(0)
            .at(0));
  }

  testing::TempDir dir_{"np-hist"};
  testdb::TestDbPtr db_;
  StoreOptions options_;
};

TEST_P(HistoryTest, EventsPageNewestFirstAndStayStableWhileRowsAreAdded) {
  auto settings = db_->settings();
  auto store = open_store(settings, options_);
  const auto t0 = us_of(wall_now()) - 3600 * 1'000'000LL;
  std::vector<Event> events;
  for (int i = 0; i < 250; ++i) {
    // Pairs share a time: the id orders them.
    events.push_back({"a" + std::to_string(i % 3), us(t0 + (i / 2) * 1'000'000LL),
                      i % 5 == 0 ? EventKind::kTrap : EventKind::kUp,
                      i % 5 == 0 ? "1.3.6.1.4.1" : "", "[]", "e" + std::to_string(i)});
  }
  store->add_events(events);
  ASSERT_TRUE(store->flush(10s));
  auto reader = open_store_reader(settings);

  std::vector<StoredEvent> seen;
  EventQuery q;
  q.limit = 40;
  int pages = 0;
  while (true) {
    auto page = reader->events(q);
    ++pages;
    ASSERT_LE(page.events.size(), 40u);
    seen.insert(seen.end(), page.events.begin(), page.events.end());
    // Newer rows keep arriving between the pages.
    store->add_events({{"a0", wall_now(), EventKind::kDown, "", "[]", "late"}});
    ASSERT_TRUE(store->flush(10s));
    if (page.next_cursor.empty()) break;
    q.cursor = page.next_cursor;
    ASSERT_LT(pages, 20);
  }
  ASSERT_EQ(seen.size(), 250u);
  EXPECT_EQ(pages, 7);
  std::set<std::int64_t> ids;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    ids.insert(seen[i].id);
    EXPECT_EQ(seen[i].event.text, "e" + std::to_string(249 - i)) << i;
    if (i > 0) {
      const auto& a = seen[i - 1];
      const auto& b = seen[i];
      EXPECT_TRUE(a.event.time > b.event.time || (a.event.time == b.event.time && a.id > b.id));
    }
  }
  EXPECT_EQ(ids.size(), 250u) << "no row twice";
  EXPECT_EQ(seen.front().event.time, events.back().time);
  EXPECT_EQ(seen.back().event, events.front());
}

TEST_P(HistoryTest, EventFiltersAndTimeRanges) {
  auto settings = db_->settings();
  auto store = open_store(settings, options_);
  const auto t0 = us_of(wall_now()) - 600 * 1'000'000LL;
  std::vector<Event> events;
  for (int i = 0; i < 60; ++i) {
    const auto kind = static_cast<EventKind>(i % 6);
    events.push_back(
        {"rack" + std::to_string(i % 2), us(t0 + i * 1'000'000LL), kind,
         kind == EventKind::kTrap ? "1.3.6.1.4.1.1718.3.2." + std::to_string(i % 4) : "", "[]",
         std::to_string(i)});
  }
  store->add_events(events);
  ASSERT_TRUE(store->flush(10s));
  auto reader = open_store_reader(settings);
  auto texts = [&](EventQuery q) {
    q.limit = 1000;
    std::vector<int> out;
    for (const auto& e : reader->events(q).events) out.push_back(std::stoi(e.event.text));
    return out;
  };
  EventQuery q;
  q.agent = "rack1";
  auto got = texts(q);
  ASSERT_EQ(got.size(), 30u);
  for (int i : got) EXPECT_EQ(i % 2, 1);
  q = {};
  q.kind = EventKind::kTrap;
  EXPECT_THAT(texts(q), ElementsAre(54, 48, 42, 36, 30, 24, 18, 12, 6, 0));
  q.oid = "1.3.6.1.4.1.1718.3.2.2";  // i % 4 == 2 among the traps: 54, 42, 30, 18, 6
  EXPECT_THAT(texts(q), ElementsAre(54, 42, 30, 18, 6));
  q = {};
  q.since = us(t0 + 10 * 1'000'000LL);  // inclusive
  q.until = us(t0 + 15 * 1'000'000LL);  // exclusive
  EXPECT_THAT(texts(q), ElementsAre(14, 13, 12, 11, 10));
  // Filters combine: in [10, 15) thresholds (i % 6 == 3) are none; downs (i % 6 == 2) of rack0
  // are 14 alone.
  q.kind = EventKind::kThreshold;
  EXPECT_TRUE(texts(q).empty());
  q.kind = EventKind::kDown;
  q.agent = "rack0";
  EXPECT_THAT(texts(q), ElementsAre(14));
  q.agent = "rack1";
  EXPECT_TRUE(texts(q).empty());
  q = {};
  q.since = us(t0 + 59 * 1'000'000LL);
  auto last = reader->events(q);
  ASSERT_EQ(last.events.size(), 1u);
  EXPECT_EQ(last.events[0].event, events.back());
  EXPECT_TRUE(last.next_cursor.empty());
}

TEST_P(HistoryTest, BadRequestsAreRefusedAsSuch) {
  auto settings = db_->settings();
  auto store = open_store(settings, options_);
  std::vector<Event> events;
  for (int i = 0; i < 5; ++i) events.push_back({"a", wall_now(), EventKind::kUp, "", "[]", "x"});
  store->add_events(events);
  ASSERT_TRUE(store->flush(10s));
  auto reader = open_store_reader(settings);
  EventQuery q;
  q.limit = 2;
  q.agent = "a";
  const auto cursor = reader->events(q).next_cursor;
  ASSERT_FALSE(cursor.empty());
  for (const char* bad : {"garbage", "e1.", "e1.1.2", "e1.zz.1.1", "e1.1.1.1.1", "e2.1.1.1",
                          "e1.1.1.12345678901234567"}) {
    EventQuery b;
    b.cursor = bad;
    expect_query_error([&] { reader->events(b); }, true, bad);
  }
  EventQuery other;  // the cursor was made for agent = "a"
  other.cursor = cursor;
  expect_query_error([&] { reader->events(other); }, true, "cursor of other filters");
  q.cursor = cursor;
  EXPECT_EQ(reader->events(q).events.size(), 2u);
  EventQuery zero;
  zero.limit = 0;
  expect_query_error([&] { reader->events(zero); }, true, "limit 0");
  EventQuery backwards;
  backwards.since = us(2000);
  backwards.until = us(1000);
  expect_query_error([&] { reader->events(backwards); }, true, "since after until");

  HistoryQuery h;
  h.series = {"a", ObjectKind::kPort, "A1", "outlet.current"};
  h.since = us(2000);
  h.until = us(2000);
  expect_query_error([&] { reader->history(h); }, true, "empty range");
  h.until = us(3000);
  h.limit = 0;
  expect_query_error([&] { reader->history(h); }, true, "history limit 0");
  h.limit = 10;
  h.step = std::chrono::seconds(-1);
  expect_query_error([&] { reader->history(h); }, true, "negative step");
  h.step = std::chrono::seconds(0);
  auto none = reader->history(h);  // an unknown series: no points, no error
  EXPECT_TRUE(none.points.empty());
  EXPECT_FALSE(none.truncated);
}

TEST_P(HistoryTest, UnreachableDatabaseIsAQueryErrorNotABadRequest) {
  auto settings = db_->settings();
  if (pg()) {
    settings.postgresql.port = 1;  // nothing listens there
  } else {
    settings.sqlite_path = dir_.file("absent/none.db").string();
  }
  auto reader = open_store_reader(settings);
  expect_query_error([&] { reader->events({}); }, false, "no database");
}

// Several threads share a reader with fewer connections than threads.
TEST_P(HistoryTest, ConcurrentQueriesShareThePool) {
  auto settings = db_->settings();
  auto store = open_store(settings, options_);
  std::vector<Sample> samples;
  const auto t0 = us_of(wall_now()) - 100 * 1'000'000LL;
  for (int i = 0; i < 100; ++i) {
    samples.push_back({"a", ObjectKind::kPort, "A1", "m", us(t0 + i * 1'000'000LL), i * 1.0});
  }
  store->add_samples(samples);
  ASSERT_TRUE(store->flush(10s));
  ReaderOptions options;
  options.max_connections = 2;
  auto reader = open_store_reader(settings, options);
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        HistoryQuery q;
        q.series = {"a", ObjectKind::kPort, "A1", "m"};
        q.since = us(t0);
        q.until = us(t0 + 100 * 1'000'000LL);
        if (reader->history(q).points.size() == 100) ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 120);
}

// A query that cannot finish within the statement timeout is a QueryError (not a bad request),
// and the connection serves the next query.
TEST(PostgresqlReader, StatementTimeoutEndsAQueryAndTheConnectionGoesOn) {
  testing::TempDir dir("np-hist");
  auto db = testdb::make_postgres(shared_server(), "timeout", dir);
  auto settings = db->settings();
  ASSERT_EQ(migrate_database(settings).size(), 2u);
  ReaderOptions options;
  options.statement_timeout = 300ms;
  options.max_connections = 1;
  auto reader = open_store_reader(settings, options);
  EXPECT_TRUE(reader->series("a").empty());
  PGconn* locker = PQconnectdb(shared_server().conninfo("timeout").c_str());
  ASSERT_EQ(PQstatus(locker), CONNECTION_OK);
  PQclear(PQexec(locker, "BEGIN"));
  PQclear(PQexec(locker, "LOCK TABLE series IN ACCESS EXCLUSIVE MODE"));
  const auto t0 = std::chrono::steady_clock::now();
  try {
    reader->series("a");
    ADD_FAILURE() << "no QueryError";
  } catch (const QueryError& e) {
    EXPECT_FALSE(e.bad_request());
    EXPECT_THAT(e.what(), ::testing::HasSubstr("statement timeout"));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  PQclear(PQexec(locker, "ROLLBACK"));
  PQfinish(locker);
  EXPECT_TRUE(reader->series("a").empty()) << "the same connection answers again";
}

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

  EXPECT_THAT(migrate_database(settings), ElementsAre("0002_series_history.sql"));
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
