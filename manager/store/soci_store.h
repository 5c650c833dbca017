#pragma once
// The Store over SOCI (PostgreSQL or SQLite) with a writer thread, batches, outage buffering
// (memory, then the disk spool) and exactly-once replay. docs/manager.md explains the design.

#include <chrono>
#include <string>
#include <vector>

#include "manager/config/manager_config.h"
#include "manager/store/history.h"
#include "manager/store/store.h"

namespace netpower::manager::store {

struct StoreOptions {
  // At destruction: how long the writer may keep writing what is queued before it spools the
  // rest to disk.
  std::chrono::milliseconds shutdown_timeout{5000};
  // PostgreSQL: how often the writer looks for finished raw hours to compact, and how long after
  // its end an hour is left raw (rows still in flight land before it is compacted; later ones are
  // merged into the compacted row at the next pass).
  std::chrono::milliseconds compaction_interval{60'000};
  std::chrono::milliseconds compaction_delay{600'000};
};

// Starts the writer thread, which connects (migrating the schema), replays batches left in the
// spool by an earlier run, and writes. A database that is down at start is not an error: rows are
// buffered until it comes. Throws std::system_error when the spool directory cannot be created.
// Destruction stops the writer; nothing queued is lost (it ends in the database or the spool).
StorePtr open_store(const config::StoreSettings& settings, StoreOptions options = {});

struct ReaderOptions {
  // PostgreSQL's statement_timeout for every query (SQLite: the query is interrupted).
  std::chrono::milliseconds statement_timeout{5000};
  // Connections opened at most (on demand, kept open); a query waits this long for a free one
  // before QueryError.
  std::size_t max_connections = 4;
};

// The read side over its own connections (never the writer's): PostgreSQL sessions set read-only
// with the statement timeout; SQLite read-only connections to the writer's WAL database. Nothing
// is opened before the first query, so a database that is down at start is no error here; each
// query that cannot be answered throws QueryError. The schema is the writer's (open_store
// migrates it); before that, queries fail with QueryError.
StoreReaderPtr open_store_reader(const config::StoreSettings& settings, ReaderOptions options = {});

// Connects once and applies the pending migrations (for --check-db and tools). The names of the
// migrations applied, empty when the schema was current. Throws std::runtime_error with the reason.
std::vector<std::string> migrate_database(const config::StoreSettings& settings);

}  // namespace netpower::manager::store
