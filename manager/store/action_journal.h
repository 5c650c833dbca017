#pragma once
// The store's model::ActionJournal: the audit trail of power actions and the bindings learned by
// tickles, in the store's database (tables actions, action_outlets, bindings; docs/manager.md).
// record() and bind() queue the write and return; a writer thread with its own connection applies
// the writes in call order (a record for an id replaces the previous one). While the database is
// unreachable the writes wait in memory (bounded; a later write for the same action or outlet
// replaces the waiting one) and the writer reconnects with the store's backoff; a write that
// cannot be kept is counted and logged, never dropped silently. Reads run on the caller's thread
// through the journal's own read-only connection.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "manager/config/manager_config.h"
#include "manager/model/action_journal.h"
#include "manager/model/time.h"

namespace netpower::manager::store {

struct ActionJournalOptions {
  // Writes waiting for the database at most (records and bindings together, one per action or
  // outlet), and their approximate bytes.
  std::size_t max_pending = 10'000;
  std::size_t max_pending_bytes = 64u << 20;
  // At destruction: how long the writer may keep writing what waits; the rest is lost (counted,
  // and each lost record logged).
  std::chrono::milliseconds shutdown_timeout{5000};
  // last_action_id() waits this long for the database (see there).
  std::chrono::milliseconds last_id_timeout{10'000};
  // Reads: PostgreSQL's statement_timeout (SQLite: the query is interrupted).
  std::chrono::milliseconds statement_timeout{5000};
};

// The journal's health (the netpower_audit_* families of docs/metrics.md).
struct AuditMetrics {
  bool connected = false;
  std::optional<model::WallTime> down_since;  // set while the database is unreachable
  std::uint64_t pending = 0;                  // writes waiting for the database
  std::uint64_t pending_bytes = 0;
  std::uint64_t records_written_total = 0;   // record writes committed
  std::uint64_t bindings_written_total = 0;  // binding writes committed
  // Writes lost: no room while the database was down, refused by the database, invalid (id 0),
  // or still waiting at shutdown.
  std::uint64_t dropped_total = 0;
  std::uint64_t write_failures_total = 0;    // transactions that failed
  std::uint64_t connect_failures_total = 0;  // connection (or migration) attempts that failed
  std::uint64_t truncated_total = 0;         // strings cut, steps or outlets dropped (bounds)
};

class AuditJournal : public model::ActionJournal {
 public:
  // A snapshot of the counters. Any thread.
  virtual AuditMetrics metrics() const = 0;
};
using AuditJournalPtr = std::unique_ptr<AuditJournal>;

// Starts the writer thread, which connects (applying the schema's migrations, as open_store does,
// so either may come first) and writes. A database that is down at start is no error: writes wait
// until it comes.
//
// last_action_id() waits up to `last_id_timeout` for the writer to read max(id); if the database
// cannot be read by then, it logs a warning and returns a floor that no earlier id can exceed in
// practice: the wall clock in microseconds since the epoch (ids stay unique and increasing, no
// longer dense). Destruction stops the writer after `shutdown_timeout`.
AuditJournalPtr open_action_journal(const config::StoreSettings& settings,
                                    ActionJournalOptions options = {});

}  // namespace netpower::manager::store
