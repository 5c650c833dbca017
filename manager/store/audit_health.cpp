#include "manager/store/audit_health.h"

namespace netpower::manager::store {

void write_audit_health(const AuditMetrics& m, model::HealthWriter& out) {
  auto u = [](std::uint64_t v) { return static_cast<double>(v); };
  out.gauge("netpower_audit_connected", "1 while the action journal's database connection is up.",
            m.connected ? 1 : 0);
  if (m.down_since) {
    out.gauge("netpower_audit_down_since_timestamp_seconds",
              "Since when the action journal's database has been unreachable, seconds since the "
              "Unix epoch; absent when connected.",
              std::chrono::duration<double>(m.down_since->time_since_epoch()).count());
  }
  out.gauge("netpower_audit_pending", "Action records and bindings waiting to be written.",
            u(m.pending));
  out.gauge("netpower_audit_pending_bytes", "Approximate size of the writes waiting in memory.",
            u(m.pending_bytes));
  out.counter("netpower_audit_records_written_total",
              "Action record writes committed (one per step of an action).",
              u(m.records_written_total));
  out.counter("netpower_audit_bindings_written_total", "Binding writes committed.",
              u(m.bindings_written_total));
  out.counter("netpower_audit_dropped_total",
              "Audit writes lost: buffer full during an outage, refused by the database, invalid, "
              "or unwritten at shutdown.",
              u(m.dropped_total));
  out.counter("netpower_audit_write_failures_total", "Audit transactions that failed.",
              u(m.write_failures_total));
  out.counter("netpower_audit_connect_failures_total",
              "Action journal connection attempts that failed.", u(m.connect_failures_total));
  out.counter("netpower_audit_truncated_total",
              "Strings cut and steps or outlets dropped to keep records within the journal's "
              "bounds.",
              u(m.truncated_total));
}

}  // namespace netpower::manager::store
