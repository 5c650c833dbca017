// The fixture shared by the store's read-side tests (history_test.cpp, events_test.cpp): one
// PostgreSQL server for the executable, a fresh database per test on either backend, helpers.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <string>

#include "manager/store/soci_store.h"
#include "tests/integration/manager/store/store_test_db.h"

namespace netpower::manager::config {
inline void PrintTo(StoreBackend backend, std::ostream* os) {
  *os << (backend == StoreBackend::kSqlite ? "sqlite" : "postgresql");
}
}  // namespace netpower::manager::config

namespace netpower::manager::store::history_fixture {

using namespace std::chrono_literals;
using std::chrono::microseconds;

using testdb::shared_server;
inline std::string test_db_name() { return testdb::test_db_name("h"); }

inline constexpr std::int64_t kUsPerHour = 3'600'000'000;

inline WallTime us(std::int64_t v) { return WallTime{microseconds(v)}; }
inline std::int64_t us_of(WallTime t) { return t.time_since_epoch().count(); }

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

}  // namespace netpower::manager::store::history_fixture
