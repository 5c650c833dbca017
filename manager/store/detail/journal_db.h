#pragma once
// The action journal's writing connection (its own, never the store writer's): parameterised
// statements in transactions, errors sorted into "the database refused this data" and "try again
// later". Used by the journal's writer thread only.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "manager/config/manager_config.h"
#include "manager/store/detail/backend.h"
#include "manager/store/detail/sql_reader.h"

namespace netpower::manager::store::detail {

// A statement's parameter; monostate is NULL.
using DbValue = std::variant<std::monostate, std::int64_t, std::string>;

class JournalDb {
 public:
  virtual ~JournalDb() = default;
  // Opens the connection (closing any before). Throws DbError (connection_lost).
  virtual void connect() = 0;
  virtual void disconnect() = 0;
  virtual bool connected() const = 0;
  virtual void begin() = 0;
  virtual void commit() = 0;
  // After a failure: rolls back what is open; never throws.
  virtual void rollback() noexcept = 0;
  // Runs `sql` with $1.. (PostgreSQL) or ?1.. (SQLite) bound to `params`. Throws DbError:
  // connection_lost() false only when the data was refused (PostgreSQL's data and integrity
  // classes 22 and 23; SQLite's constraint, type and size errors); anything else (unreachable,
  // timeouts, locks, a missing table) is worth retrying after a reconnection.
  virtual void exec(const std::string& sql, const std::vector<DbValue>& params = {}) = 0;
  // The first column of the first row, nullopt when none or NULL. Throws DbError.
  virtual std::optional<std::string> scalar(const std::string& sql) = 0;
  virtual Dialect dialect() const = 0;
  // "postgresql host=... dbname=..." / "sqlite /var/lib/...": never a password.
  virtual std::string describe() const = 0;
};
using JournalDbPtr = std::unique_ptr<JournalDb>;

JournalDbPtr make_journal_db(const config::StoreSettings& settings);

}  // namespace netpower::manager::store::detail
