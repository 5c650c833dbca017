#include "manager/store/store_health.h"

namespace netpower::manager::store {

void write_store_health(const StoreMetrics& s, model::HealthWriter& out) {
  auto u = [](std::uint64_t v) { return static_cast<double>(v); };
  out.gauge("netpower_store_connected", "1 while the store's database connection is up.",
            s.connected ? 1 : 0);
  if (s.down_since) {
    out.gauge("netpower_store_down_since_timestamp_seconds",
              "Since when the database has been unreachable, seconds since the Unix epoch; absent "
              "when connected.",
              std::chrono::duration<double>(s.down_since->time_since_epoch()).count());
  }
  out.gauge("netpower_store_pending_rows", "Rows accepted and not yet cut into a batch.",
            u(s.pending_rows));
  out.gauge("netpower_store_memory_batches", "Batches waiting in memory to be written.",
            u(s.memory_batches));
  out.gauge("netpower_store_memory_rows", "Rows in the batches waiting in memory.",
            u(s.memory_rows));
  out.gauge("netpower_store_spool_batches", "Batches waiting in spool files.", u(s.spool_batches));
  out.gauge("netpower_store_spool_rows", "Rows in the batches waiting in spool files.",
            u(s.spool_rows));
  out.gauge("netpower_store_spool_bytes", "Size of the spool files.", u(s.spool_bytes));
  out.gauge("netpower_store_queued_rows", "Rows not yet written: pending, in memory and spooled.",
            u(s.queued_rows()));
  out.counter("netpower_store_samples_written_total", "Samples committed to the database.",
              u(s.samples_written_total));
  out.counter("netpower_store_events_written_total", "Events committed to the database.",
              u(s.events_written_total));
  out.counter("netpower_store_batches_written_total", "Batches committed to the database.",
              u(s.batches_written_total));
  out.counter("netpower_store_batches_spooled_total", "Batches written to the disk spool.",
              u(s.batches_spooled_total));
  out.counter("netpower_store_rows_replayed_total", "Rows written to the database from the spool.",
              u(s.rows_replayed_total));
  out.counter("netpower_store_duplicate_batches_total",
              "Replayed batches found already committed (ledger) and skipped.",
              u(s.duplicate_batches_total));
  out.counter("netpower_store_rows_dropped_total",
              "Rows lost: spool full or unwritable, or refused by the database.",
              u(s.rows_dropped_total));
  out.counter("netpower_store_write_failures_total", "Batch writes that failed.",
              u(s.write_failures_total));
  out.counter("netpower_store_connect_failures_total", "Database connection attempts that failed.",
              u(s.connect_failures_total));
  out.counter("netpower_store_corrupt_spool_files_total", "Damaged spool files set aside.",
              u(s.corrupt_spool_files_total));
  out.counter("netpower_store_retention_runs_total", "Retention and partition maintenance runs.",
              u(s.retention_runs_total));
}

}  // namespace netpower::manager::store
