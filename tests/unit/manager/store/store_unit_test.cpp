// The store's pieces without a database: the events cursor and the health families.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "manager/store/detail/batch.h"
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

TEST(CutBatches, FullBatchesEventsFirstAndTheRestStaysPending) {
  std::vector<Event> events(3);
  std::vector<Sample> samples;
  for (int i = 0; i < 10; ++i) samples.push_back({"a", ObjectKind::kPort, "A1", "m", {}, 1.0 * i});
  for (int i = 0; i < 3; ++i) events[i].text = std::to_string(i);
  std::uint64_t seq = 7;
  auto cut = detail::cut_batches(events, samples, 4, false, "w", seq);
  ASSERT_EQ(cut.size(), 3u);  // 13 rows: 3 full batches, 1 row left
  EXPECT_EQ(cut[0].id, "w-7");
  EXPECT_EQ(cut[2].seq, 9u);
  EXPECT_EQ(seq, 10u);
  EXPECT_EQ(cut[0].events.size(), 3u);
  EXPECT_EQ(cut[0].samples.size(), 1u);
  EXPECT_EQ(cut[0].samples[0].value, 0);
  EXPECT_EQ(cut[1].samples.front().value, 1);
  EXPECT_EQ(cut[2].samples.back().value, 8);
  EXPECT_TRUE(events.empty());
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].value, 9);
  EXPECT_TRUE(detail::cut_batches(events, samples, 4, false, "w", seq).empty());
  auto rest = detail::cut_batches(events, samples, 4, true, "w", seq);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].rows(), 1u);
  EXPECT_TRUE(samples.empty());
  EXPECT_TRUE(detail::cut_batches(events, samples, 4, true, "w", seq).empty());

  // Exactly a batch of samples, then exactly two: the vectors are handed over whole.
  samples.assign(4, Sample{});
  auto one = detail::cut_batches(events, samples, 4, false, "w", seq);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].samples.size(), 4u);
  EXPECT_TRUE(samples.empty());
  samples.assign(8, Sample{});
  events.assign(1, Event{});
  auto two = detail::cut_batches(events, samples, 9, false, "w", seq);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].rows(), 9u);
  EXPECT_TRUE(samples.empty());
  EXPECT_TRUE(events.empty());
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
  Recorder r;
  write_store_health(m, r);
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
  write_store_health(m, down);
  EXPECT_EQ(down.seen.size(), 20u);
  EXPECT_EQ(down.seen.at("netpower_store_connected").second, 0);
  EXPECT_EQ(down.seen.at("netpower_store_down_since_timestamp_seconds").second, 1'700'000'000.5);
}

}  // namespace
}  // namespace netpower::manager::store
