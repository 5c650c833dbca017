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

namespace netpower::manager::store {

// Wall-clock time with microsecond resolution, as the databases keep it.
using WallTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;
WallTime wall_now();

// What a sample's key names.
enum class ObjectKind : std::uint8_t {
  kChain = 0,  // the whole PDU chain of an agent; key ""
  kBoard = 1,  // key: board letter, "C"
  kPort = 2,   // key: port name, "A1"
  kUps = 3,    // key: UPS name on the agent, "" for the only one
  kAgent = 4,  // the agent itself (poll latency, reachability); key ""
};
const char* to_string(ObjectKind kind);  // "chain", "board", "port", "ups", "agent"
std::optional<ObjectKind> object_kind_from_string(std::string_view text);

// One value of one object at one time. `metric` uses the project's vocabulary (NUT's variable
// names: "outlet.current", "battery.charge", "ups.temperature"), in base units.
struct Sample {
  std::string agent;  // the agent's configured name
  ObjectKind kind = ObjectKind::kPort;
  std::string key;
  std::string metric;
  WallTime time;
  double value = 0;

  bool operator==(const Sample&) const = default;
};

enum class EventKind : std::uint8_t {
  kTrap = 0,       // a notification received; oid = snmpTrapOID, varbinds = its varbinds
  kUp = 1,         // an agent answered again
  kDown = 2,       // an agent stopped answering
  kThreshold = 3,  // a value crossed a limit (raised or cleared, says `text`)
  kAction = 4,     // a power action or other operator/automation order (audit)
};
const char* to_string(EventKind kind);  // "trap", "up", "down", "threshold", "action"
std::optional<EventKind> event_kind_from_string(std::string_view text);

struct Event {
  std::string agent;
  WallTime time;
  EventKind kind = EventKind::kTrap;
  std::string oid;                   // numeric, no leading dot; empty when not a trap
  std::string varbinds_json = "[]";  // a JSON array (the trap's varbinds) or object; valid JSON
  std::string text;                  // a human-readable summary

  bool operator==(const Event&) const = default;
};

// An agent as the configuration describes it; the store upserts these into `agents`.
struct AgentRecord {
  std::string name;
  std::string address;
  std::uint16_t port = 161;
  std::string version;                        // "2c" or "3"
  std::map<std::string, std::string> labels;  // site, rack, ...
};

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
