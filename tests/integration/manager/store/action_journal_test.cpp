// The action journal against SQLite and a real PostgreSQL server: records with their steps and
// outlets round trip exactly, upserts in call order, every query filter and paging, bindings, the
// last id across a reopen, odd strings, the database shared with the store.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <set>

#include "manager/store/action_journal.h"
#include "manager/store/detail/journal_codec.h"
#include "manager/store/history.h"
#include "manager/store/soci_store.h"
#include "tests/integration/manager/store/log_capture.h"
#include "tests/integration/manager/store/store_test_db.h"
#include "tests/support/wait.h"

namespace netpower::manager::config {
inline void PrintTo(StoreBackend backend, std::ostream* os) {
  *os << (backend == StoreBackend::kSqlite ? "sqlite" : "postgresql");
}
}  // namespace netpower::manager::config

namespace netpower::manager::store {
namespace {

using model::ActionKind;
using model::ActionQuery;
using model::ActionRecord;
using model::ActionResult;
using model::ActionSource;
using model::ActionStep;
using model::Binding;
using model::StepOutcome;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

using testdb::shared_server;
std::string test_db_name() { return testdb::test_db_name("j"); }

WallTime at(std::int64_t seconds, std::int64_t micros = 0) {
  return WallTime{std::chrono::seconds(seconds) + std::chrono::microseconds(micros)};
}

constexpr std::int64_t kT0 = 1'764'783'615;  // 2025-12-03T17:40:15Z

// A finished reboot of a dual-corded host, with every field set and odd strings.
ActionRecord full_record(std::uint64_t id) {
  ActionRecord r;
  r.id = id;
  r.request_id = 900 + id;
  r.kind = ActionKind::kReboot;
  r.source = ActionSource::kCli;
  r.principal = "alice@example";
  r.reason = "ticket \"INC-42\": it's stuck\nsecond line\ttab \\ backslash \xF0\x9F\x94\x8C";
  r.target = "web1";
  r.host = "web1";
  r.outlets = {{"rack12-pdu", "A1"}, {"rack12-pdu", "B1"}};
  r.force = true;
  r.requested = at(kT0, 123'456);
  r.finished = at(kT0 + 95, 1);
  r.result = ActionResult::kFailed;
  r.failure = "no-hello";
  r.failure_text = "web1 did not say hello within 300 s — «timeout»";
  r.steps = {
      {"resolve", at(kT0, 123'456), at(kT0, 123'999), StepOutcome::kOk, "web1 -> A1, B1"},
      {"tickle A1", at(kT0, 200'000), at(kT0 + 1, 220'000), StepOutcome::kOk,
       "answered by web1 (id 4c4c..., boot 9f2e...) in 1.02 s"},
      {"switch", at(kT0 + 2), at(kT0 + 2, 5), StepOutcome::kOk, "{\"not\": \"json\"}'); --"},
      {"hello", at(kT0 + 3), at(kT0 + 95, 1), StepOutcome::kFailed, ""},
  };
  return r;
}

class ActionJournalTest : public ::testing::TestWithParam<config::StoreBackend> {
 protected:
  void SetUp() override {
    if (pg()) {
      db_ = testdb::make_postgres(shared_server(), test_db_name(), dir_);
    } else {
      db_ = testdb::make_sqlite(dir_);
    }
    settings_ = db_->settings();
  }
  bool pg() const { return GetParam() == config::StoreBackend::kPostgresql; }

  testing::TempDir dir_{"np-journal"};
  testdb::TestDbPtr db_;
  config::StoreSettings settings_;
};

std::vector<std::uint64_t> ids_of(const std::vector<ActionRecord>& records) {
  std::vector<std::uint64_t> out;
  for (const auto& r : records) out.push_back(r.id);
  return out;
}

TEST_P(ActionJournalTest, FullRecordsRoundTripExactly) {
  auto journal = open_action_journal(settings_);
  const auto full = full_record(1);
  ActionRecord pending;
  pending.id = 2;
  pending.kind = ActionKind::kTickle;
  pending.source = ActionSource::kAutomation;
  pending.principal = "rule:pdu-reboot";
  pending.target = "rack12-pdu.C3";
  pending.outlets = {{"rack12-pdu", "C3"}};
  pending.dry_run = true;
  pending.requested = at(-1, 999'999);  // before the epoch
  pending.steps = {{"tickle C3", at(kT0), std::nullopt, StepOutcome::kRunning, ""}};
  ActionRecord big = full_record(3);
  big.reason = std::string(detail::kMaxJournalText, 'r');
  big.failure_text = std::string(detail::kMaxJournalText + 1, 'f');  // one byte over the bound
  journal->record(full);
  journal->record(pending);
  journal->record(big);
  ASSERT_TRUE(journal->flush(10s));

  EXPECT_EQ(journal->action(1), full);
  EXPECT_EQ(journal->action(2), pending);
  auto stored_big = journal->action(3);
  ASSERT_TRUE(stored_big);
  EXPECT_EQ(stored_big->reason, big.reason) << "64 KiB: kept whole";
  EXPECT_EQ(stored_big->failure_text, std::string(detail::kMaxJournalText, 'f'));
  EXPECT_FALSE(journal->action(4));
  EXPECT_THAT(ids_of(journal->actions({})), ElementsAre(3, 2, 1));

  auto m = journal->metrics();
  EXPECT_TRUE(m.connected);
  EXPECT_EQ(m.records_written_total, 3u);
  EXPECT_EQ(m.truncated_total, 1u);
  EXPECT_EQ(m.dropped_total, 0u);
  EXPECT_EQ(m.pending, 0u);

  // Read back independently of the journal's code: the columns people query.
  const auto row = db_->query(
      pg() ? "SELECT reason, kind, result, force::int, dry_run::int, steps->1->>'detail', "
             "to_char(requested AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), "
             "finished IS NULL FROM actions WHERE id = 1"
           : "SELECT reason, kind, result, force, dry_run, json_extract(steps, '$[1].detail'), "
             "requested, finished IS NULL FROM actions WHERE id = 1");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0][0], full.reason);
  EXPECT_EQ(row[0][1], "reboot");
  EXPECT_EQ(row[0][2], "failed");
  EXPECT_EQ(row[0][3], "1");
  EXPECT_EQ(row[0][4], "0");
  EXPECT_EQ(row[0][5], full.steps[1].detail);
  EXPECT_EQ(row[0][6], pg() ? "2025-12-03 17:40:15.123456" : "1764783615123456");
  EXPECT_EQ(row[0][7], pg() ? "f" : "0");
  EXPECT_EQ(db_->query("SELECT agent, port FROM action_outlets WHERE action_id = 1 ORDER BY seq"),
            (std::vector<std::vector<std::string>>{{"rack12-pdu", "A1"}, {"rack12-pdu", "B1"}}));
}

// Bytes no database takes are cleaned, not refused: the record is kept.
TEST_P(ActionJournalTest, BadBytesAreCleanedAndTheRecordKept) {
  auto journal = open_action_journal(settings_);
  ActionRecord r = full_record(5);
  r.reason = std::string("nul \0 and \xFF\xFE bad", 16);
  r.steps[0].detail = std::string("\0", 1);
  journal->record(r);
  ASSERT_TRUE(journal->flush(10s));
  auto stored = journal->action(5);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->reason, "nul  and \xEF\xBF\xBD\xEF\xBF\xBD bad");
  EXPECT_EQ(stored->steps[0].detail, "");
  EXPECT_EQ(journal->metrics().dropped_total, 0u);
}

// An action's record is written again at each step; the last call wins, outlets included.
TEST_P(ActionJournalTest, UpsertsOfOneIdAreAppliedInCallOrder) {
  auto journal = open_action_journal(settings_);
  ActionRecord r = full_record(7);
  r.result = ActionResult::kPending;
  r.finished.reset();
  r.steps.clear();
  for (int i = 0; i < 50; ++i) {
    r.steps.push_back({"step " + std::to_string(i), at(kT0 + i), at(kT0 + i, 1), StepOutcome::kOk,
                       std::to_string(i)});
    if (i == 25) r.outlets = {{"other-pdu", "A7"}};
    journal->record(r);
    if (i % 10 == 0) journal->record(full_record(100 + static_cast<std::uint64_t>(i)));
  }
  r.result = ActionResult::kSucceeded;
  r.finished = at(kT0 + 60);
  journal->record(r);
  ASSERT_TRUE(journal->flush(10s));
  EXPECT_EQ(journal->action(7), r);
  EXPECT_EQ(db_->count("action_outlets WHERE action_id = 7"), 1);
  EXPECT_EQ(db_->count("actions"), 6);
  const auto written = journal->metrics().records_written_total;
  EXPECT_GE(written, 6u);
  EXPECT_LE(written, 56u);

  // And once more after the first rows are in the database.
  r.steps.resize(3);
  r.result = ActionResult::kRefused;
  journal->record(r);
  ASSERT_TRUE(journal->flush(10s));
  EXPECT_EQ(journal->action(7), r);
}

// 40 actions: ids 1..40, request = id / 10, host web<id % 3>, result by id % 4, outlets on
// pdu-a (A<id % 2>) or pdu-b (odd ids also on pdu-b B1), requested every 10 s.
std::vector<ActionRecord> fleet_of_actions() {
  std::vector<ActionRecord> out;
  for (std::uint64_t id = 1; id <= 40; ++id) {
    ActionRecord r;
    r.id = id;
    r.request_id = id / 10;
    r.kind = id % 2 ? ActionKind::kOff : ActionKind::kOn;
    r.principal = "bob";
    r.target = "web" + std::to_string(id % 3);
    r.host = "web" + std::to_string(id % 3);
    r.result = static_cast<ActionResult>(id % 4);
    r.outlets = {{"pdu-a", "A" + std::to_string(id % 2)}};
    if (id % 2) r.outlets.push_back({"pdu-b", "B1"});
    r.requested = at(kT0 + static_cast<std::int64_t>(id) * 10);
    out.push_back(r);
  }
  return out;
}

std::vector<std::uint64_t> expected_ids(const std::vector<ActionRecord>& all,
                                        const std::function<bool(const ActionRecord&)>& keep) {
  std::vector<std::uint64_t> out;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (keep(*it)) out.push_back(it->id);
  }
  return out;
}

TEST_P(ActionJournalTest, EveryFilterAndPaging) {
  auto journal = open_action_journal(settings_);
  const auto all = fleet_of_actions();
  for (auto it = all.rbegin(); it != all.rend(); ++it) journal->record(*it);  // any order
  ASSERT_TRUE(journal->flush(10s));

  auto query = [&](auto&& set) {
    ActionQuery q;
    set(q);
    return ids_of(journal->actions(q));
  };
  EXPECT_EQ(query([](ActionQuery&) {}), expected_ids(all, [](auto&) { return true; }));
  EXPECT_EQ(query([](ActionQuery& q) { q.request_id = 2; }),
            expected_ids(all, [](auto& r) { return r.request_id == 2; }));
  EXPECT_EQ(query([](ActionQuery& q) { q.request_id = 0; }),
            expected_ids(all, [](auto& r) { return r.request_id == 0; }))
      << "request 0 is a value, not 'all'";
  EXPECT_EQ(query([](ActionQuery& q) { q.agent = "pdu-b"; }),
            expected_ids(all, [](auto& r) { return r.id % 2 == 1; }));
  EXPECT_EQ(query([](ActionQuery& q) {
              q.agent = "pdu-a";
              q.port = "A0";
            }),
            expected_ids(all, [](auto& r) { return r.id % 2 == 0; }));
  EXPECT_TRUE(query([](ActionQuery& q) {
                q.agent = "pdu-b";
                q.port = "A0";
              }).empty());
  EXPECT_EQ(query([](ActionQuery& q) { q.host = "web1"; }),
            expected_ids(all, [](auto& r) { return r.host == "web1"; }));
  EXPECT_EQ(query([](ActionQuery& q) { q.result = ActionResult::kRefused; }),
            expected_ids(all, [](auto& r) { return r.result == ActionResult::kRefused; }));
  // since inclusive, until exclusive, on `requested`.
  EXPECT_EQ(query([](ActionQuery& q) {
              q.since = at(kT0 + 100);
              q.until = at(kT0 + 200);
            }),
            expected_ids(all, [](auto& r) { return r.id >= 10 && r.id < 20; }));
  EXPECT_EQ(query([](ActionQuery& q) { q.since = at(kT0 + 395, 1); }),
            expected_ids(all, [](auto& r) { return r.id == 40; }));
  EXPECT_EQ(query([](ActionQuery& q) { q.until = at(kT0 + 10, 1); }),
            expected_ids(all, [](auto& r) { return r.id == 1; }));
  // Everything at once.
  EXPECT_EQ(query([](ActionQuery& q) {
              q.agent = "pdu-a";
              q.host = "web0";
              q.result = ActionResult::kPending;
              q.since = at(kT0 + 50);
              q.before_id = 36;
            }),
            expected_ids(all, [](auto& r) {
              return r.host == "web0" && r.result == ActionResult::kPending && r.id >= 5 &&
                     r.id < 36;
            }));
  // Outlets come with each record of a page.
  auto page = journal->actions([] {
    ActionQuery q;
    q.limit = 2;
    return q;
  }());
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0], all[39]);
  EXPECT_EQ(page[1], all[38]);

  // Paging: pages of 7 by before_id, newest first, each id once.
  std::vector<std::uint64_t> seen;
  ActionQuery q;
  q.limit = 7;
  q.agent = "pdu-a";
  for (int pages = 0; pages < 20; ++pages) {
    auto ids = ids_of(journal->actions(q));
    EXPECT_LE(ids.size(), 7u);
    if (ids.empty()) break;
    seen.insert(seen.end(), ids.begin(), ids.end());
    q.before_id = ids.back();
  }
  EXPECT_EQ(seen, expected_ids(all, [](auto&) { return true; }));

  for (const auto& bad :
       std::vector<std::function<void(ActionQuery&)>>{[](ActionQuery& b) { b.limit = 0; },
                                                      [](ActionQuery& b) {
                                                        b.since = at(kT0);
                                                        b.until = at(kT0);
                                                      },
                                                      [](ActionQuery& b) { b.port = "A1"; }}) {
    ActionQuery b;
    bad(b);
    try {
      journal->actions(b);
      ADD_FAILURE() << "no QueryError";
    } catch (const QueryError& e) {
      EXPECT_TRUE(e.bad_request()) << e.what();
    }
  }
}

TEST_P(ActionJournalTest, BindingsAreUpsertedByOutlet) {
  auto journal = open_action_journal(settings_);
  Binding a1{{"rack12-pdu", "A1"}, "4c4c-1", "web1", "web1.example", "9f2e", at(kT0, 5), 1, 3};
  Binding a2{
      {"rack12-pdu", "A2"}, "4c4c-2", "", "odd \"name\"\n\xF0\x9F\x90\x9B", "aa", at(kT0), 1, 0};
  Binding b1{{"other", "B1"}, "x", "db1", "db1", "bb", at(-10), 4'000'000'000u, 12};
  journal->bind(a2);
  journal->bind(a1);
  journal->bind(b1);
  ASSERT_TRUE(journal->flush(10s));
  EXPECT_THAT(journal->bindings(), ElementsAre(b1, a1, a2)) << "by agent, port";
  a1.confirmations = 2;
  a1.learned = at(kT0 + 60);
  a1.boot_id = "new-boot";
  a1.action_id = 9;
  journal->bind(a1);
  ASSERT_TRUE(journal->flush(10s));
  EXPECT_THAT(journal->bindings(), ElementsAre(b1, a1, a2)) << "by agent, port";
  EXPECT_EQ(db_->count("bindings"), 3);
  EXPECT_EQ(journal->metrics().bindings_written_total, 4u);
}

TEST_P(ActionJournalTest, LastActionIdSurvivesAReopen) {
  {
    auto journal = open_action_journal(settings_);
    EXPECT_EQ(journal->last_action_id(), 0u) << "an empty journal";
    journal->record(full_record(17));
    journal->record(full_record(3));
    ASSERT_TRUE(journal->flush(10s));
  }
  auto journal = open_action_journal(settings_);
  EXPECT_EQ(journal->last_action_id(), 17u);
  EXPECT_EQ(journal->action(17), full_record(17));
}

TEST_P(ActionJournalTest, InvalidIdsAreCountedNotWritten) {
  testdb::LogCapture log;
  auto journal = open_action_journal(settings_);
  journal->record(full_record(0));
  ASSERT_TRUE(journal->flush(10s));
  EXPECT_EQ(journal->metrics().dropped_total, 1u);
  EXPECT_EQ(journal->metrics().records_written_total, 0u);
  EXPECT_THAT(log.text(), HasSubstr("invalid id 0"));
}

// The journal and the store on one database, each with its own connection, opened in either
// order (both migrate), writing at the same time.
TEST_P(ActionJournalTest, SharesTheDatabaseWithTheStore) {
  auto journal = open_action_journal(settings_);
  auto store = open_store(settings_);
  for (int i = 0; i < 200; ++i) {
    store->add_samples({{"pdu", ObjectKind::kPort, "A1", "outlet.current", at(kT0 + i), 1.0 * i}});
    journal->record(full_record(static_cast<std::uint64_t>(i + 1)));
  }
  ASSERT_TRUE(store->flush(20s));
  ASSERT_TRUE(journal->flush(20s));
  EXPECT_EQ(db_->count("samples"), 200);
  EXPECT_EQ(db_->count("actions"), 200);
  EXPECT_EQ(journal->last_action_id(), 200u);
  EXPECT_EQ(db_->count("schema_migrations"), 3);
}

// A database that cannot be reached: reads throw, last_action_id() falls back to the clock.
TEST_P(ActionJournalTest, AnUnreachableDatabaseIsAClearError) {
  auto settings = settings_;
  if (pg()) {
    settings.postgresql.dbname = "does_not_exist";
  } else {
    std::ofstream(dir_.file("a-file")) << "not a directory";
    settings.sqlite_path = dir_.file("a-file/none.db").string();
  }
  ActionJournalOptions options;
  options.shutdown_timeout = 0ms;
  options.last_id_timeout = 50ms;
  testdb::LogCapture log;
  auto journal = open_action_journal(settings, options);
  EXPECT_THROW(journal->actions({}), std::runtime_error);
  EXPECT_THROW(journal->action(1), std::runtime_error);
  EXPECT_THROW(journal->bindings(), std::runtime_error);
  const auto floor = static_cast<std::uint64_t>(wall_now().time_since_epoch().count());
  EXPECT_GE(journal->last_action_id(), floor) << "the clock, when the database cannot say";
  EXPECT_THAT(log.text(), HasSubstr("could not be read"));
  journal->record(full_record(1));
  EXPECT_FALSE(journal->flush(50ms));
  ASSERT_TRUE(
      testing::wait_until([&] { return journal->metrics().connect_failures_total > 0; }, 5s));
  EXPECT_FALSE(journal->metrics().connected);
  journal.reset();
  EXPECT_THAT(log.text(), HasSubstr("unreachable since"));
  EXPECT_THAT(log.text(), HasSubstr("lost action 1 (reboot web1 by alice@example, failed)"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ActionJournalTest,
                         ::testing::Values(config::StoreBackend::kSqlite,
                                           config::StoreBackend::kPostgresql),
                         [](const auto& param_info) {
                           return param_info.param == config::StoreBackend::kSqlite
                                      ? std::string("Sqlite")
                                      : std::string("Postgresql");
                         });

}  // namespace
}  // namespace netpower::manager::store
