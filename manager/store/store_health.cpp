#include "manager/store/store_health.h"

#include <chrono>

namespace netpower::manager::store {

void write_store_health(const StoreMetrics& m, model::HealthWriter& out) {
  auto u = [](std::uint64_t v) { return static_cast<double>(v); };
  out.gauge("netpower_store_connected", "1 while the store's database connection is up.",
            m.connected ? 1 : 0);
  if (m.down_since) {
    out.gauge("netpower_store_down_since_timestamp_seconds",
              "Since when the database has been unreachable, seconds since the Unix epoch; absent "
              "when connected.",
              std::chrono::duration<double>(m.down_since->time_since_epoch()).count());
  }
  out.gauge("netpower_store_pending_rows", "Rows accepted and not yet cut into a batch.",
            u(m.pending_rows));
  out.gauge("netpower_store_memory_batches", "Batches waiting in memory to be written.",
            u(m.memory_batches));
  out.gauge("netpower_store_memory_rows", "Rows in the batches waiting in memory.",
            u(m.memory_rows));
  out.gauge("netpower_store_spool_batches", "Batches waiting in spool files.", u(m.spool_batches));
  out.gauge("netpower_store_spool_rows", "Rows in the batches waiting in spool files.",
            u(m.spool_rows));
  out.gauge("netpower_store_spool_bytes", "Size of the spool files.", u(m.spool_bytes));
  out.gauge("netpower_store_queued_rows", "Rows not yet written: pending, in memory and spooled.",
            u(m.queued_rows()));
  out.counter("netpower_store_samples_written_total", "Samples committed to the database.",
              u(m.samples_written_total));
  out.counter("netpower_store_events_written_total", "Events committed to the database.",
              u(m.events_written_total));
  out.counter("netpower_store_batches_written_total", "Batches committed to the database.",
              u(m.batches_written_total));
  out.counter("netpower_store_batches_spooled_total", "Batches written to the disk spool.",
              u(m.batches_spooled_total));
  out.counter("netpower_store_rows_replayed_total", "Rows written to the database from the spool.",
              u(m.rows_replayed_total));
  out.counter("netpower_store_duplicate_batches_total",
              "Replayed batches found already committed (ledger) and skipped.",
              u(m.duplicate_batches_total));
  out.counter("netpower_store_rows_dropped_total",
              "Rows lost: spool full or unwritable, or refused by the database.",
              u(m.rows_dropped_total));
  out.counter("netpower_store_write_failures_total", "Batch writes that failed.",
              u(m.write_failures_total));
  out.counter("netpower_store_connect_failures_total", "Database connection attempts that failed.",
              u(m.connect_failures_total));
  out.counter("netpower_store_corrupt_spool_files_total", "Damaged spool files set aside.",
              u(m.corrupt_spool_files_total));
  out.counter("netpower_store_retention_runs_total", "Retention and partition maintenance runs.",
              u(m.retention_runs_total));
}

}  // namespace netpower::manager::store
