// The store's read side against both backends: events paged by cursor (while rows are added),
// filters and time ranges; bad requests and an unreachable database; a pool shared by threads;
// the statement timeout (PostgreSQL). Histories and the migration are in history_test.cpp.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <set>
#include <thread>

#include "manager/store/soci_store.h"
#include "tests/integration/manager/store/history_fixture.h"
#include "tests/integration/manager/store/store_test_db.h"

namespace netpower::manager::store {
namespace {

using namespace history_fixture;
using ::testing::ElementsAre;
using namespace std::chrono_literals;
using std::chrono::microseconds;

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
  ASSERT_FALSE(migrate_database(settings).empty());
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

}  // namespace
}  // namespace netpower::manager::store
