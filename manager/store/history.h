#pragma once
// The store's read side: what the API, the UI and the acting rooms ask of the history. Queries run
// on their own database connections (never the writer's), each bounded in time by the backend's
// statement timeout and in rows by its limit. What is still queued for writing (in memory or the
// spool) is not seen until it is committed.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "manager/model/event.h"
#include "manager/model/sample.h"
#include "manager/model/time.h"

namespace netpower::manager::store {

// A query the database could not answer (down, timed out, a malformed cursor): the message says
// why, for people. The API turns it into 503 (database) or 400 (bad_request()).
class QueryError : public std::runtime_error {
 public:
  QueryError(const std::string& what, bool bad_request = false)
      : std::runtime_error(what), bad_request_(bad_request) {}
  bool bad_request() const { return bad_request_; }

 private:
  bool bad_request_;
};

// The largest page of events or points a query returns, whatever `limit` asks.
inline constexpr std::size_t kMaxQueryRows = 10000;

struct EventQuery {
  std::optional<std::string> agent;
  std::optional<model::EventKind> kind;
  std::optional<std::string> oid;        // exact snmpTrapOID (numeric, no leading dot)
  std::optional<model::WallTime> since;  // inclusive
  std::optional<model::WallTime> until;  // exclusive
  std::size_t limit = 100;               // 1..kMaxQueryRows
  std::string cursor;                    // from EventPage::next_cursor; "" for the first page
};

struct StoredEvent {
  std::int64_t id = 0;  // the database's id: increasing in insertion order
  model::Event event;
};

// Newest first: ordered by (time, id) descending.
struct EventPage {
  std::vector<StoredEvent> events;
  std::string next_cursor;  // "" when this was the last page
};

// One series: an agent's object and metric ("rack1", port, "A1", "outlet.current").
struct SeriesKey {
  std::string agent;
  model::ObjectKind kind = model::ObjectKind::kPort;
  std::string key;
  std::string metric;
  bool operator==(const SeriesKey&) const = default;
};

struct HistoryQuery {
  SeriesKey series;
  model::WallTime since;  // inclusive
  model::WallTime until;  // exclusive
  // Zero: every stored value. Otherwise one point per step-aligned bucket that holds values
  // (the bucket's start time; its mean, min and max).
  std::chrono::seconds step{0};
  std::size_t limit = kMaxQueryRows;  // points at most; `truncated` says when more existed
};

struct HistoryPoint {
  model::WallTime time;
  double value = 0;  // the value, or the bucket's mean
  double min = 0;    // = value without a step
  double max = 0;
  bool operator==(const HistoryPoint&) const = default;
};

struct History {
  SeriesKey series;
  std::vector<HistoryPoint> points;  // oldest first
  bool truncated = false;
};

class StoreReader {
 public:
  virtual ~StoreReader() = default;
  // Any thread, several at once. Throw QueryError.
  //
  // A page of events matching every filter set, newest first. The cursor is a position in that
  // order (bound to these filters): rows added later never shift the pages after it, so paging
  // sees no row twice and misses none that existed when the first page was read (rows committed
  // later with an older time than the cursor appear on a later page). A limit of 0, since >= until
  // or a malformed cursor (or one made for other filters) is QueryError(bad_request).
  virtual EventPage events(const EventQuery& query) = 0;
  // The series' values in [since, until), oldest first (ties by value), at most `limit` points
  // (truncated when more existed). An unknown series is an empty History, not an error. Values
  // older than about an hour are compacted on PostgreSQL: their times keep millisecond precision
  // (the value exactly). since >= until, a negative step or a limit of 0 is bad_request.
  virtual History history(const HistoryQuery& query) = 0;
  // The series recorded for an agent (every kind, key and metric), ordered, at most
  // kMaxQueryRows. The default knows none (for readers that do not list).
  virtual std::vector<SeriesKey> series(const std::string& agent) {
    (void)agent;
    return {};
  }
};
using StoreReaderPtr = std::unique_ptr<StoreReader>;

}  // namespace netpower::manager::store
