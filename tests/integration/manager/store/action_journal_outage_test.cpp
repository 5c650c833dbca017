// The action journal across PostgreSQL outages: writes wait in memory (one entry per action),
// nothing is lost when the server returns, the counters and the log say what happened; a full
// buffer and a stop during an outage lose writes, counted and logged. Each test owns its server.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include "manager/store/action_journal.h"
#include "manager/store/history.h"
#include "tests/integration/manager/store/log_capture.h"
#include "tests/integration/manager/store/store_test_db.h"
#include "tests/support/ports.h"
#include "tests/support/wait.h"

namespace netpower::manager::store {
namespace {

using model::ActionKind;
using model::ActionRecord;
using model::ActionResult;
using model::Binding;
using model::StepOutcome;
using testdb::LogCapture;
using ::testing::HasSubstr;
using testing::wait_until;
using namespace std::chrono_literals;

WallTime at(std::int64_t seconds) { return WallTime{std::chrono::seconds(seconds)}; }

// Action `id` after `steps` steps (finished after the fifth).
ActionRecord action(std::uint64_t id, int steps) {
  ActionRecord r;
  r.id = id;
  r.request_id = id;
  r.kind = ActionKind::kOff;
  r.principal = "carol";
  r.reason = "outage test";
  r.target = "rack1-pdu.A" + std::to_string(id);
  r.outlets = {{"rack1-pdu", "A" + std::to_string(id)}};
  r.requested = at(1'764'783'615 + static_cast<std::int64_t>(id));
  for (int i = 0; i < steps; ++i) {
    r.steps.push_back({"step " + std::to_string(i), r.requested, r.requested, StepOutcome::kOk,
                       "detail " + std::to_string(i)});
  }
  if (steps >= 5) {
    r.result = ActionResult::kSucceeded;
    r.finished = r.requested;
  }
  return r;
}

Binding binding(int port, std::uint32_t confirmations) {
  return {{"rack1-pdu", "A" + std::to_string(port)},
          "id-" + std::to_string(port),
          "web",
          "web",
          "boot",
          at(1'764'783'615),
          confirmations,
          0};
}

class JournalOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    db_ = testdb::make_postgres(server_, "netpower", dir_);
    settings_ = db_->settings();
    settings_.reconnect_min = 50ms;
    settings_.reconnect_max = 200ms;
  }

  testing::TempDir dir_{"np-journal-outage"};
  testing::PostgresServer server_;
  testdb::TestDbPtr db_;
  config::StoreSettings settings_;
};

TEST_F(JournalOutageTest, ServerStoppedAndRestartedNothingIsLost) {
  LogCapture log;
  auto journal = open_action_journal(settings_);
  for (std::uint64_t id = 1; id <= 5; ++id) journal->record(action(id, 5));
  ASSERT_TRUE(journal->flush(10s));
  EXPECT_EQ(journal->actions({}).size(), 5u);  // the read connection is open from here on

  server_.stop();
  // The writer learns of the outage at its next write: every write of actions 6..25 (five steps
  // each) and of ten bindings (three times each) waits, one entry per action or outlet.
  for (int step = 1; step <= 5; ++step) {
    for (std::uint64_t id = 6; id <= 25; ++id) journal->record(action(id, step));
    if (step <= 3) {
      for (int port = 1; port <= 10; ++port) journal->bind(binding(port, step));
    }
  }
  ASSERT_TRUE(wait_until([&] { return !journal->metrics().connected; }, 10s));
  EXPECT_FALSE(journal->flush(100ms));
  auto during = journal->metrics();
  EXPECT_TRUE(during.down_since.has_value());
  EXPECT_GE(during.write_failures_total + during.connect_failures_total, 1u);
  EXPECT_EQ(during.pending, 30u) << "one entry per action and outlet";
  EXPECT_GT(during.pending_bytes, 0u);
  EXPECT_EQ(during.dropped_total, 0u);

  server_.start();
  ASSERT_TRUE(journal->flush(30s));
  EXPECT_EQ(journal->actions({}).size(), 25u) << "the read connection is opened anew at once";
  auto after = journal->metrics();
  EXPECT_TRUE(after.connected);
  EXPECT_FALSE(after.down_since.has_value());
  EXPECT_EQ(after.pending, 0u);
  EXPECT_EQ(after.dropped_total, 0u);
  EXPECT_EQ(db_->count("actions"), 25);
  EXPECT_EQ(db_->count("actions WHERE result = 'succeeded' AND jsonb_array_length(steps) = 5"), 25)
      << "every action's last write";
  EXPECT_EQ(db_->count("action_outlets"), 25);
  EXPECT_EQ(db_->count("bindings WHERE confirmations = 3"), 10);
  for (std::uint64_t id = 1; id <= 25; ++id) EXPECT_EQ(journal->action(id), action(id, 5)) << id;

  const auto text = log.text();
  if (HasFailure() || std::getenv("NETPOWER_TEST_VERBOSE") != nullptr) std::cerr << text;
  EXPECT_THAT(text, HasSubstr("unreachable since"));
  EXPECT_THAT(text, HasSubstr("reachable again after"));
}

// Opened while the server is down: writes and last_action_id() wait for it.
TEST_F(JournalOutageTest, ServerDownAtStart) {
  {
    auto journal = open_action_journal(settings_);
    journal->record(action(41, 5));
    ASSERT_TRUE(journal->flush(10s));
  }
  server_.stop();
  ActionJournalOptions options;
  options.last_id_timeout = 30s;
  auto journal = open_action_journal(settings_, options);
  journal->record(action(42, 2));
  EXPECT_THROW(journal->actions({}), QueryError) << "reads need the database";
  std::uint64_t last = 0;
  std::thread asking([&] { last = journal->last_action_id(); });
  ASSERT_TRUE(wait_until([&] { return journal->metrics().connect_failures_total >= 2; }, 10s));
  server_.start();
  asking.join();
  EXPECT_EQ(last, 42u) << "the database's 41, or the 42 recorded since";
  ASSERT_TRUE(journal->flush(30s));
  EXPECT_EQ(journal->action(42), action(42, 2));
  EXPECT_EQ(journal->metrics().dropped_total, 0u);
}

// A full buffer and a stop during an outage: the writes that cannot be kept are counted and
// logged, never dropped silently.
TEST(JournalOutageLimits, FullBufferAndStopLoseWritesLoudly) {
  testing::TempDir dir("np-journal-outage");
  auto settings = testdb::fast_settings(dir);
  settings.backend = config::StoreBackend::kPostgresql;
  settings.postgresql.host = "127.0.0.1";
  settings.postgresql.port = testing::free_tcp_port();  // nothing listens there
  ActionJournalOptions options;
  options.max_pending = 5;
  options.shutdown_timeout = 0ms;
  options.last_id_timeout = 0ms;
  LogCapture log;
  {
    auto journal = open_action_journal(settings, options);
    for (std::uint64_t id = 1; id <= 8; ++id) journal->record(action(id, 1));
    journal->record(action(2, 5));  // replaces the waiting entry: no room needed
    auto m = journal->metrics();
    EXPECT_EQ(m.pending, 5u);
    EXPECT_EQ(m.dropped_total, 3u);
    EXPECT_FALSE(journal->flush(50ms));
  }
  const auto text = log.text();
  EXPECT_THAT(text, HasSubstr("the buffer is full (5 writes"));
  EXPECT_THAT(text, HasSubstr("stopping with 5 write(s) not written"));
  EXPECT_THAT(text, HasSubstr("lost action 2 (off rack1-pdu.A2 by carol, succeeded)"));
}

}  // namespace
}  // namespace netpower::manager::store
