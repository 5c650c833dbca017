// The store's pieces without a database: the events cursor and the health families.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "manager/store/detail/sql_reader.h"
#include "manager/store/store_health.h"

namespace netpower::manager::store {
namespace {

using detail::decode_event_cursor;
using detail::encode_event_cursor;
using detail::EventCursor;

TEST(EventCursor, RoundTripsAndRejectsAnythingElse) {
  for (const EventCursor c : {EventCursor{0, 0, 0}, EventCursor{1'700'000'000'123'456, 42, 7},
                              EventCursor{-5, INT64_MAX, UINT64_MAX}}) {
    const auto text = encode_event_cursor(c);
    EXPECT_LE(text.size(), 64u);
    EXPECT_EQ(decode_event_cursor(text), c) << text;
  }
  const auto good = encode_event_cursor({123, 45, 678});
  // Every cut before the last field's digits (a shorter last field is another valid cursor).
  for (std::size_t n = 0; n <= good.rfind('.'); ++n) {
    EXPECT_FALSE(decode_event_cursor(good.substr(0, n))) << good.substr(0, n);
  }
  for (const char* bad : {"", "e1..1.1", "e1.1..1", "e1.1.1.", "e1.-1.1.1", "e1.1.1.1.", "E1.1.1.1",
                          "e1.1.1.1 ", "e1.g.1.1", "e1.11111111111111111.1.1"}) {
    EXPECT_FALSE(decode_event_cursor(bad)) << bad;
  }
}

TEST(EventCursor, FilterHashTellsQueriesApart) {
  EventQuery a;
  EventQuery b;
  EXPECT_EQ(detail::event_filter_hash(a), detail::event_filter_hash(b));
  b.limit = 5;  // the page size is no filter
  b.cursor = "x";
  EXPECT_EQ(detail::event_filter_hash(a), detail::event_filter_hash(b));
  b.agent = "";
  EXPECT_NE(detail::event_filter_hash(a), detail::event_filter_hash(b)) << "set but empty";
  a.agent = "ab";
  b.agent = "a";
  b.oid = "b";
  EXPECT_NE(detail::event_filter_hash(a), detail::event_filter_hash(b));
  a = {};
  a.kind = EventKind::kTrap;
  b = {};
  b.kind = EventKind::kUp;
  EXPECT_NE(detail::event_filter_hash(a), detail::event_filter_hash(b));
}

class Recorder final : public model::HealthWriter {
 public:
  void counter(std::string_view name, std::string_view help, double value,
               const model::HealthLabels&) override {
    add(name, help, value, "counter");
  }
  void gauge(std::string_view name, std::string_view help, double value,
             const model::HealthLabels&) override {
    add(name, help, value, "gauge");
  }
  std::map<std::string, std::pair<std::string, double>> seen;  // name -> (type, value)

 private:
  void add(std::string_view name, std::string_view help, double value, const char* type) {
    EXPECT_FALSE(help.empty()) << name;
    EXPECT_TRUE(seen.emplace(std::string(name), std::make_pair(type, value)).second)
        << name << " twice";
  }
};

TEST(StoreHealth, WritesEveryFamilyUnderTodaysNames) {
  StoreMetrics m;
  m.connected = true;
  m.pending_rows = 3;
  m.memory_rows = 4;
  m.spool_rows = 5;
  m.samples_written_total = 1234;
  m.rows_dropped_total = 7;
  StoreHealth health([&] { return m; });
  Recorder r;
  health.write_health(r);
  EXPECT_EQ(r.seen.size(), 19u);
  EXPECT_EQ(r.seen.count("netpower_store_down_since_timestamp_seconds"), 0u) << "connected";
  EXPECT_EQ(r.seen.at("netpower_store_connected"), std::make_pair(std::string("gauge"), 1.0));
  EXPECT_EQ(r.seen.at("netpower_store_queued_rows").second, 12);
  EXPECT_EQ(r.seen.at("netpower_store_samples_written_total"),
            std::make_pair(std::string("counter"), 1234.0));
  EXPECT_EQ(r.seen.at("netpower_store_rows_dropped_total").second, 7);
  for (const auto& [name, v] : r.seen) {
    EXPECT_EQ(name.ends_with("_total"), v.first == "counter") << name;
  }

  m.connected = false;
  m.down_since = WallTime{std::chrono::seconds(1'700'000'000) + std::chrono::milliseconds(500)};
  Recorder down;
  health.write_health(down);
  EXPECT_EQ(down.seen.size(), 20u);
  EXPECT_EQ(down.seen.at("netpower_store_connected").second, 0);
  EXPECT_EQ(down.seen.at("netpower_store_down_since_timestamp_seconds").second, 1'700'000'000.5);
}

}  // namespace
}  // namespace netpower::manager::store
