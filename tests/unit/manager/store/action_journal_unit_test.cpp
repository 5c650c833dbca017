// The action journal's pieces without a database: times and steps as stored, the bounds, the queue
// of waiting writes, the queries' validation, the health families.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <map>

#include "manager/store/audit_health.h"
#include "manager/store/detail/journal_codec.h"
#include "manager/store/detail/journal_queue.h"
#include "manager/store/detail/journal_sql.h"
#include "manager/store/history.h"

namespace netpower::manager::store {
namespace {

using detail::JournalQueue;
using detail::JournalWrite;
using model::ActionRecord;
using model::ActionStep;
using model::Binding;
using model::StepOutcome;
using model::WallTime;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::string_literals;

WallTime us(std::int64_t v) { return WallTime{std::chrono::microseconds(v)}; }

TEST(IsoMicros, RoundTripsEveryTime) {
  EXPECT_EQ(detail::iso_micros(us(0)), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(detail::iso_micros(us(1'764'783'615'123'456)), "2025-12-03T17:40:15.123456Z");
  EXPECT_EQ(detail::iso_micros(us(-1)), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(detail::iso_micros(us(951'782'400'000'000)), "2000-02-29T00:00:00.000000Z");
  EXPECT_EQ(detail::iso_micros(us(253'402'300'800'000'000)), "+10000-01-01T00:00:00.000000Z");
  EXPECT_EQ(detail::iso_micros(us(-62'167'219'200'000'001)), "-0001-12-31T23:59:59.999999Z");
  for (std::int64_t v :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{1'764'783'615'123'456},
        std::int64_t{-86'400'000'000}, std::int64_t{253'402'300'799'999'999},
        std::int64_t{-62'167'219'200'000'000}, std::numeric_limits<std::int64_t>::max(),
        std::numeric_limits<std::int64_t>::min()}) {
    const auto text = detail::iso_micros(us(v));
    EXPECT_EQ(detail::parse_iso_micros(text), us(v)) << text;
  }
}

TEST(IsoMicros, ReadsOnlyTheCanonicalForm) {
  for (const char* bad :
       {"", "2025-12-03T17:40:15Z", "2025-12-03T17:40:15.123456", "2025-12-03T17:40:15.1234567Z",
        "2025-12-03 17:40:15.123456Z", "+2025-12-03T17:40:15.123456Z",
        "02025-12-03T17:40:15.123456Z", "2025-02-29T00:00:00.000000Z",
        "2025-13-01T00:00:00.000000Z", "2025-00-01T00:00:00.000000Z", "2025-12-32T00:00:00.000000Z",
        "2025-12-03T24:00:00.000000Z", "2025-12-03T17:60:15.123456Z", "2025-12-03T17:40:60.123456Z",
        "2025-12-03T17:40:15.12345aZ", "2025-12-03t17:40:15.123456Z",
        "+9999999999999-01-01T00:00:00.000000Z", "+300000-01-01T00:00:00.000000Z",
        "-2025-12-03T17:40:15.123456Z "}) {
    EXPECT_FALSE(detail::parse_iso_micros(bad)) << bad;
  }
}

std::vector<ActionStep> odd_steps() {
  return {
      {"resolve", us(1'000'000), us(1'000'100), StepOutcome::kOk, "web1 -> rack12-pdu.A1"},
      {"tickle A1", us(1'000'100), us(2'020'000), StepOutcome::kOk,
       "answered by \"web1\"\n(id 4c4c\\..., boot 9f2e) \xF0\x9F\x94\x8C in 1.02 s\t\x01"},
      {"switch", us(2'020'000), std::nullopt, StepOutcome::kRunning, ""},
      {"verify-off", us(-5), us(-4), StepOutcome::kSkipped, "{\"json\": [1, 2]}"},
  };
}

TEST(StepsJson, RoundTripsOddStrings) {
  const auto steps = odd_steps();
  const auto json = detail::steps_to_json(steps);
  EXPECT_THAT(json, HasSubstr("\"started\":\"1970-01-01T00:00:01.000000Z\""));
  EXPECT_THAT(json, HasSubstr("\xF0\x9F\x94\x8C")) << "UTF-8 kept as it is";
  EXPECT_EQ(detail::steps_from_json(json), steps);
  EXPECT_EQ(detail::steps_from_json("[]"), std::vector<ActionStep>{});
  EXPECT_EQ(detail::steps_to_json({}), "[]");
}

TEST(StepsJson, RefusesWhatItDidNotWrite) {
  const std::string ok =
      R"({"name":"a","started":"1970-01-01T00:00:01.000000Z","outcome":"ok","detail":""})";
  ASSERT_TRUE(detail::steps_from_json("[" + ok + "]"));
  for (
      const std::string& bad : std::vector<std::string>{
          std::string(""),
          std::string("{}"),
          std::string("[1]"),
          std::string("[" + ok),
          std::string(R"([{"started":"1970-01-01T00:00:01.000000Z","outcome":"ok","detail":""}])"),
          std::string(R"([{"name":"a","outcome":"ok","detail":""}])"),
          std::string(
              R"([{"name":"a","started":"1970-01-01T00:00:01Z","outcome":"ok","detail":""}])"),
          std::string(
              R"([{"name":"a","started":"1970-01-01T00:00:01.000000Z","outcome":"done","detail":""}])"),
          std::string(R"([{"name":"a","started":"1970-01-01T00:00:01.000000Z","outcome":"ok"}])"),
          std::string(
              R"([{"name":1,"started":"1970-01-01T00:00:01.000000Z","outcome":"ok","detail":""}])"),
          std::string(R"([{"name":"a","started":"1970-01-01T00:00:01.000000Z","outcome":"ok",)"
                      R"("detail":"","ended":null}])"),
      }) {
    EXPECT_FALSE(detail::steps_from_json(bad)) << bad;
  }
}

TEST(JournalBounds, TruncatesAtACharacterBoundary) {
  std::string s = "ab\xF0\x9F\x94\x8C";  // a, b, a 4-byte emoji
  EXPECT_FALSE(detail::truncate_utf8(s, 6));
  EXPECT_TRUE(detail::truncate_utf8(s, 5));
  EXPECT_EQ(s, "ab");
  s = "abc";
  EXPECT_TRUE(detail::truncate_utf8(s, 0));
  EXPECT_EQ(s, "");
}

TEST(JournalBounds, CleanRecordKeepsValidTextAndBoundsTheRest) {
  ActionRecord r;
  r.id = 1;
  r.reason = std::string(detail::kMaxJournalText, 'r');  // exactly at the bound: kept
  r.principal = "al\0ice"s;
  r.target = "bad \xFF byte";
  r.failure_text = std::string(detail::kMaxJournalText - 1, 'x') + "\xC3\xA9";  // é across it
  r.steps = odd_steps();
  const auto kept = r.steps;
  EXPECT_EQ(detail::clean_record(r), 1u);
  EXPECT_EQ(r.reason.size(), detail::kMaxJournalText);
  EXPECT_EQ(r.principal, "alice");
  EXPECT_EQ(r.target, "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(r.failure_text, std::string(detail::kMaxJournalText - 1, 'x'));
  EXPECT_EQ(r.steps, kept) << "valid UTF-8 with quotes, newlines, emoji is kept byte for byte";

  ActionRecord many;
  many.id = 2;
  for (std::size_t i = 0; i < detail::kMaxJournalSteps + 10; ++i) {
    many.steps.push_back({"step " + std::to_string(i), us(0), us(1), StepOutcome::kOk, ""});
  }
  for (std::size_t i = 0; i < detail::kMaxJournalOutlets + 1; ++i) {
    many.outlets.push_back({"pdu", "A" + std::to_string(i)});
  }
  EXPECT_EQ(detail::clean_record(many), 11u);
  ASSERT_EQ(many.steps.size(), detail::kMaxJournalSteps);
  EXPECT_EQ(many.steps[detail::kMaxJournalSteps - 2].name,
            "step " + std::to_string(detail::kMaxJournalSteps - 2));
  EXPECT_EQ(many.steps.back().name, "step " + std::to_string(detail::kMaxJournalSteps + 9))
      << "the last step (how it ended) is kept";
  EXPECT_EQ(many.outlets.size(), detail::kMaxJournalOutlets);

  Binding b;
  b.outlet = {"pdu", "A1"};
  b.hostname = std::string(detail::kMaxJournalText + 5, 'h');
  b.boot_id = "\x80";
  EXPECT_EQ(detail::clean_binding(b), 1u);
  EXPECT_EQ(b.hostname.size(), detail::kMaxJournalText);
  EXPECT_EQ(b.boot_id, "\xEF\xBF\xBD");
}

ActionRecord record(std::uint64_t id, const std::string& reason = "") {
  ActionRecord r;
  r.id = id;
  r.reason = reason;
  return r;
}

const ActionRecord& as_record(const JournalWrite& w) { return std::get<ActionRecord>(w); }

TEST(JournalQueue, KeepsCallOrderAndReplacesWaitingWritesOfTheSameKey) {
  JournalQueue q(10, 1'000'000);
  EXPECT_EQ(q.add(record(1, "a"), 10), JournalQueue::Added::kQueued);
  EXPECT_EQ(q.add(record(2, "b"), 10), JournalQueue::Added::kQueued);
  Binding b;
  b.outlet = {"pdu", "A1"};
  EXPECT_EQ(q.add(b, 10), JournalQueue::Added::kQueued);
  EXPECT_EQ(q.add(record(1, "a2"), 30), JournalQueue::Added::kReplaced);
  b.host_id = "h2";
  EXPECT_EQ(q.add(b, 10), JournalQueue::Added::kReplaced);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.bytes(), 50u);
  EXPECT_EQ(q.last_seq(), 3u);

  auto taken = q.take(10);
  ASSERT_EQ(taken.size(), 3u);
  EXPECT_EQ(taken[0].seq, 1u);
  EXPECT_EQ(as_record(taken[0].write).reason, "a2") << "replaced in place: still first";
  EXPECT_EQ(as_record(taken[1].write).reason, "b");
  EXPECT_EQ(std::get<Binding>(taken[2].write).host_id, "h2");
  EXPECT_TRUE(q.take(10).empty()) << "all taken";

  // A write for a taken key is not merged into it: it comes after, so it is applied later.
  EXPECT_EQ(q.add(record(1, "a3"), 10), JournalQueue::Added::kQueued);
  EXPECT_EQ(q.last_seq(), 4u);
  q.done(1);
  EXPECT_TRUE(q.settled(1));
  EXPECT_FALSE(q.settled(2)) << "2 and 3 are still taken, not written";
  q.done(2);
  q.done(3);
  EXPECT_TRUE(q.settled(3));
  EXPECT_FALSE(q.settled(4));
  // The newest entry of key 1 is still 4: a further write replaces it.
  EXPECT_EQ(q.add(record(1, "a4"), 10), JournalQueue::Added::kReplaced);
  taken = q.take(10);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(as_record(taken[0].write).reason, "a4");
  q.done(4);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_TRUE(q.settled(q.last_seq()));
}

TEST(JournalQueue, ReleasedWritesAreRetriedFirstAndInOrder) {
  JournalQueue q(10, 1'000'000);
  q.add(record(1, "old"), 1);
  q.add(record(2), 1);
  auto taken = q.take(1);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(q.add(record(1, "new"), 5), JournalQueue::Added::kQueued);  // 1 is taken: after 2
  EXPECT_EQ(q.size(), 3u);
  q.release();  // the write failed: the newer write of 1 takes its place
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.bytes(), 6u);
  EXPECT_FALSE(q.settled(1)) << "a flush of the old write waits for the newer one";
  EXPECT_EQ(q.add(record(1, "newest"), 5), JournalQueue::Added::kReplaced);
  taken = q.take(10);
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].seq, 1u);
  EXPECT_EQ(as_record(taken[0].write).reason, "newest");
  EXPECT_EQ(as_record(taken[1].write).id, 2u);
  q.release();  // nothing newer: unchanged
  taken = q.take(10);
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(as_record(taken[0].write).reason, "newest");
  q.done(1);
  q.done(2);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(JournalQueue, RefusesWhatDoesNotFit) {
  JournalQueue q(2, 100);
  EXPECT_EQ(q.add(record(1), 40), JournalQueue::Added::kQueued);
  EXPECT_EQ(q.add(record(2), 70), JournalQueue::Added::kFull) << "bytes";
  EXPECT_EQ(q.add(record(2), 50), JournalQueue::Added::kQueued);
  EXPECT_EQ(q.add(record(3), 1), JournalQueue::Added::kFull) << "count";
  EXPECT_EQ(q.add(record(1, "bigger"), 60), JournalQueue::Added::kFull)
      << "a replacement that grows past the bound";
  EXPECT_EQ(q.add(record(1, "same"), 40), JournalQueue::Added::kReplaced);
  EXPECT_EQ(q.snapshot().size(), 2u);
  EXPECT_EQ(as_record(q.snapshot()[0]).reason, "same");
  EXPECT_EQ(q.last_seq(), 2u) << "refused writes take no number";
}

template <typename F>
void expect_bad_request(F&& f, const char* what) {
  try {
    f();
    ADD_FAILURE() << what << ": no QueryError";
  } catch (const QueryError& e) {
    EXPECT_TRUE(e.bad_request()) << what << ": " << e.what();
  }
}

TEST(JournalSql, RefusesBadQueries) {
  for (auto dialect : {detail::Dialect::kPostgresql, detail::Dialect::kSqlite}) {
    model::ActionQuery q;
    q.limit = 0;
    expect_bad_request([&] { detail::actions_query(dialect, q); }, "limit 0");
    q = {};
    q.since = us(10);
    q.until = us(10);
    expect_bad_request([&] { detail::actions_query(dialect, q); }, "since == until");
    q = {};
    q.port = "A1";
    expect_bad_request([&] { detail::actions_query(dialect, q); }, "a port without its agent");
  }
}

TEST(JournalSql, BindsEveryFilterAsAParameter) {
  model::ActionQuery q;
  q.request_id = 7;
  q.agent = "pdu'; DROP TABLE actions; --";
  q.port = "A1";
  q.host = "web1";
  q.result = model::ActionResult::kFailed;
  q.since = us(1);
  q.until = us(2);
  q.before_id = 99;
  q.limit = 1'000'000;
  const auto pg = detail::actions_query(detail::Dialect::kPostgresql, q);
  EXPECT_EQ(pg.params.size(), 8u);
  EXPECT_THAT(pg.sql, Not(HasSubstr("DROP")));
  EXPECT_THAT(pg.sql, HasSubstr("$8"));
  EXPECT_THAT(pg.sql, HasSubstr("ORDER BY id DESC LIMIT " + std::to_string(kMaxQueryRows)));
  const auto lite = detail::actions_query(detail::Dialect::kSqlite, q);
  EXPECT_EQ(lite.params, pg.params);
  EXPECT_THAT(lite.sql, HasSubstr("?8"));
  EXPECT_THAT(lite.sql, Not(HasSubstr("$")));
  EXPECT_EQ(detail::actions_query(detail::Dialect::kSqlite, {}).params.size(), 0u);
}

TEST(JournalSql, ReadsBackWhatItWrites) {
  // The row a database returns for a record: the statement's parameters, as text.
  ActionRecord r;
  r.id = 42;
  r.request_id = 7;
  r.kind = model::ActionKind::kReboot;
  r.source = model::ActionSource::kAutomation;
  r.principal = "rule:pdu-reboot";
  r.reason = "it's \"stuck\"\n";
  r.target = "group:web";
  r.host = "web1";
  r.dry_run = true;
  r.requested = us(1'764'783'615'123'456);
  r.finished = us(1'764'783'620'000'001);
  r.result = model::ActionResult::kRefused;
  r.failure = "no-answer";
  r.failure_text = "web1 did not answer";
  r.steps = odd_steps();
  const auto statements = detail::record_statements(detail::Dialect::kSqlite, r, us(5));
  ASSERT_EQ(statements.size(), 2u) << "no outlets: no insert";
  const auto& p = statements[0].params;
  ASSERT_EQ(p.size(), 17u);
  detail::SqlRow row;
  for (std::size_t i = 0; i < 16; ++i) {
    if (std::holds_alternative<std::monostate>(p[i])) {
      row.emplace_back(std::nullopt);
    } else if (const auto* v = std::get_if<std::int64_t>(&p[i])) {
      row.emplace_back(std::to_string(*v));
    } else {
      row.emplace_back(std::get<std::string>(p[i]));
    }
  }
  EXPECT_EQ(detail::action_from_row(row), r);
  row[11].reset();
  EXPECT_FALSE(detail::action_from_row(row).finished);
  row[2] = "explode";
  EXPECT_THROW(detail::action_from_row(row), QueryError);
}

class Recorder final : public model::HealthWriter {
 public:
  void counter(std::string_view name, std::string_view help, double value,
               const model::HealthLabels&) override {
    EXPECT_FALSE(help.empty()) << name;
    EXPECT_TRUE(seen.emplace(std::string(name), std::make_pair("counter", value)).second) << name;
  }
  void gauge(std::string_view name, std::string_view help, double value,
             const model::HealthLabels&) override {
    EXPECT_FALSE(help.empty()) << name;
    EXPECT_TRUE(seen.emplace(std::string(name), std::make_pair("gauge", value)).second) << name;
  }
  std::map<std::string, std::pair<std::string, double>> seen;
};

TEST(AuditHealth, WritesEveryFamily) {
  AuditMetrics m;
  m.connected = true;
  m.pending = 3;
  m.records_written_total = 12;
  m.dropped_total = 2;
  m.write_failures_total = 5;
  Recorder r;
  write_audit_health(m, r);
  EXPECT_EQ(r.seen.size(), 9u);
  EXPECT_EQ(r.seen.count("netpower_audit_down_since_timestamp_seconds"), 0u);
  EXPECT_EQ(r.seen.at("netpower_audit_connected"), std::make_pair(std::string("gauge"), 1.0));
  EXPECT_EQ(r.seen.at("netpower_audit_pending"), std::make_pair(std::string("gauge"), 3.0));
  EXPECT_EQ(r.seen.at("netpower_audit_records_written_total").second, 12);
  EXPECT_EQ(r.seen.at("netpower_audit_dropped_total").second, 2);
  EXPECT_EQ(r.seen.at("netpower_audit_write_failures_total").second, 5);
  for (const auto& [name, v] : r.seen) {
    EXPECT_EQ(name.ends_with("_total"), v.first == "counter") << name;
    EXPECT_TRUE(name.starts_with("netpower_audit_")) << name;
  }
  m.connected = false;
  m.down_since = us(1'700'000'000'500'000);
  Recorder down;
  write_audit_health(m, down);
  EXPECT_EQ(down.seen.size(), 10u);
  EXPECT_EQ(down.seen.at("netpower_audit_down_since_timestamp_seconds").second, 1'700'000'000.5);
}

}  // namespace
}  // namespace netpower::manager::store
