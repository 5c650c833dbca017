#pragma once
// One database behind the store: connection, migrations, one batch per transaction, retention.
// Used by the writer thread only (and by migrate_database() for --check-db).

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "manager/config/manager_config.h"
#include "manager/store/detail/batch.h"

namespace netpower::manager::store::detail {

// A failed database operation. `connection_lost`: the database is unreachable (or the connection
// broke, or it did not answer within the write timeout), so the work is retried after a
// reconnection; otherwise the database refused this data. `timed_out`: the server cancelled a
// statement at its statement_timeout.
class DbError : public std::runtime_error {
 public:
  DbError(const std::string& what, bool connection_lost, bool timed_out = false)
      : std::runtime_error(what), connection_lost_(connection_lost), timed_out_(timed_out) {}
  bool connection_lost() const { return connection_lost_; }
  bool timed_out() const { return timed_out_; }

 private:
  bool connection_lost_;
  bool timed_out_;
};

class Backend {
 public:
  virtual ~Backend() = default;
  // Connects and applies pending migrations (each in its own transaction); the names applied.
  // Throws DbError.
  virtual std::vector<std::string> connect() = 0;
  virtual void disconnect() = 0;
  // Writes the batch and its ledger row in one transaction. False when the ledger already holds
  // the batch id (committed before; nothing written). Throws DbError (the transaction is rolled
  // back, or the connection is gone).
  virtual bool write(const Batch& batch) = 0;
  virtual void upsert_agents(const std::vector<AgentRecord>& agents) = 0;
  // Creates partitions ahead of `now` and deletes/drops what retention allows; a summary for the
  // log ("" when nothing happened). Throws DbError.
  virtual std::string maintain(WallTime now) = 0;
  // Moves raw sample hours that ended at least `delay` before `now` into compact rows, at most
  // `max_hours` of them (expired hours are dropped, uncounted), oldest first (PostgreSQL; nothing
  // on SQLite). Throws DbError.
  struct Compaction {
    std::string summary;  // for the log, "" when nothing happened
    bool more = false;    // hours left for another call
  };
  virtual Compaction compact(WallTime now, core::Duration delay, std::size_t max_hours) = 0;
  // "postgresql host=... dbname=..." / "sqlite /var/lib/...": never a password.
  virtual std::string describe() const = 0;
  // Any thread: no operation may run beyond `cap` (the store is stopping); one running then ends
  // as a lost connection. Nothing on backends whose operations cannot hang.
  virtual void abort_by(std::chrono::steady_clock::time_point /*cap*/) {}
};
using BackendPtr = std::unique_ptr<Backend>;

BackendPtr make_postgresql_backend(const config::StoreSettings& settings);
BackendPtr make_sqlite_backend(const config::StoreSettings& settings);
BackendPtr make_backend(const config::StoreSettings& settings);

// Day number since the Unix epoch (UTC) of a time, and "YYYYMMDD" / "YYYY-MM-DD" of a day.
std::int64_t day_of(WallTime t);
std::string day_compact(std::int64_t day);
std::string day_iso(std::int64_t day);

}  // namespace netpower::manager::store::detail
