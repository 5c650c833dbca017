// The database behind a store under test, on either backend, read back independently of the
// store (libpq / the sqlite3 C API, not the store's code).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "manager/config/manager_config.h"
#include "manager/store/store.h"
#include "tests/support/manager/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace netpower::manager::store::testdb {

// One PostgreSQL server for every test of the executable, started at first use and stopped when
// the tests end (a global test environment registered by store_test_db.cpp).
testing::PostgresServer& shared_server();
// A database name for the running test: `prefix`, then its name in lower-case letters, digits and
// '_', at most 60 characters.
std::string test_db_name(const std::string& prefix);

class TestDb {
 public:
  virtual ~TestDb() = default;
  // Store settings for this database (spool in the test's directory, short intervals).
  virtual config::StoreSettings settings() const = 0;
  virtual std::vector<std::vector<std::string>> query(const std::string& sql) const = 0;
  virtual std::string name() const = 0;
  // Every sample / event, ordered by time, agent, key, metric (events: time, agent, text).
  virtual std::vector<Sample> samples() const = 0;
  virtual std::vector<Event> events() const = 0;

  long count(const std::string& table) const;
};
using TestDbPtr = std::unique_ptr<TestDb>;

TestDbPtr make_sqlite(const testing::TempDir& dir);
// A fresh database `dbname` on `server` (created here).
TestDbPtr make_postgres(testing::PostgresServer& server, const std::string& dbname,
                        const testing::TempDir& dir);

// Settings shared by the tests: small batches, fast flushes and reconnections.
config::StoreSettings fast_settings(const testing::TempDir& dir);

}  // namespace netpower::manager::store::testdb
