#pragma once
// The manager's history: samples (per port, board, UPS value over time), events (traps, up/down,
// threshold crossings) and the agents they belong to. Producers (poller, trap receiver, automation)
// hand rows to a Store and return at once; the Store writes them in batches on its own thread and
// keeps them through database outages (memory, then a disk spool) until they are committed.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manager/model/agent_record.h"
#include "manager/model/event.h"
#include "manager/model/sample.h"
#include "manager/model/time.h"

namespace netpower::manager::store {

// The store speaks the manager's vocabulary (manager/model/).
using model::AgentRecord;
using model::Event;
using model::event_kind_from_string;
using model::EventKind;
using model::object_kind_from_string;
using model::ObjectKind;
using model::Sample;
using model::wall_now;
using model::WallTime;

// The store's own health, for the exporter (names in docs/manager.md).
struct StoreMetrics {
  bool connected = false;
  std::optional<WallTime> down_since;  // set while the database is unreachable
  std::uint64_t pending_rows = 0;      // accepted, not yet cut into a batch
  std::uint64_t memory_batches = 0;    // batches waiting in memory
  std::uint64_t memory_rows = 0;
  std::uint64_t spool_batches = 0;  // batches waiting in spool files
  std::uint64_t spool_rows = 0;
  std::uint64_t spool_bytes = 0;
  std::uint64_t samples_written_total = 0;
  std::uint64_t events_written_total = 0;
  std::uint64_t batches_written_total = 0;
  std::uint64_t batches_spooled_total = 0;    // batches that went to disk
  std::uint64_t rows_replayed_total = 0;      // rows written from the spool
  std::uint64_t duplicate_batches_total = 0;  // batches found already committed and skipped
  std::uint64_t rows_dropped_total = 0;       // lost: spool full (or unwritable), or rejected
  std::uint64_t write_failures_total = 0;
  std::uint64_t connect_failures_total = 0;
  std::uint64_t corrupt_spool_files_total = 0;
  std::uint64_t retention_runs_total = 0;

  std::uint64_t queued_rows() const { return pending_rows + memory_rows + spool_rows; }
};

class Store {
 public:
  virtual ~Store() = default;

  // Queue rows for writing. Thread-safe, never waits for the database: rows go to the current
  // batch; a full batch wakes the writer.
  virtual void add_samples(std::vector<Sample> samples) = 0;
  virtual void add_events(std::vector<Event> events) = 0;
  // The agents of the configuration; upserted on the writer thread now and at every reconnection.
  virtual void set_agents(std::vector<AgentRecord> agents) = 0;
  // Waits until every row added before the call is committed to the database, or `timeout`
  // passes. True when committed. Any thread.
  virtual bool flush(std::chrono::milliseconds timeout) = 0;
  // A snapshot of the counters. Any thread.
  virtual StoreMetrics metrics() const = 0;
};
using StorePtr = std::unique_ptr<Store>;

}  // namespace netpower::manager::store
