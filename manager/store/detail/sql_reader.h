#pragma once
// The StoreReader over SQL: the queries (one text for both databases where they agree), the
// cursor, the bounds, and a pool of the backend's read-only connections. Each backend supplies
// only a connection that runs a parameterised query and returns text.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "manager/store/soci_store.h"

namespace netpower::manager::store::detail {

using SqlParam = std::variant<std::int64_t, std::string>;
using SqlRow = std::vector<std::optional<std::string>>;  // nullopt: NULL

// One read-only database connection; used by one query at a time.
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // Runs `sql` with $1.. (PostgreSQL) or ?1.. (SQLite) bound to `params`; every column as text
  // (floating point in a form that reads back exactly). Throws QueryError.
  virtual std::vector<SqlRow> query(const std::string& sql,
                                    const std::vector<SqlParam>& params) = 0;
  // False once the connection broke: the pool drops it.
  virtual bool healthy() const = 0;
};
using SqlConnectionPtr = std::unique_ptr<SqlConnection>;

enum class Dialect { kPostgresql, kSqlite };

// Opens a connection (throws QueryError).
using ConnectionFactory = std::function<SqlConnectionPtr()>;

StoreReaderPtr make_sql_reader(Dialect dialect, ConnectionFactory connect, ReaderOptions options);

SqlConnectionPtr connect_postgresql_reader(const config::StoreSettings& settings,
                                           const ReaderOptions& options);
SqlConnectionPtr connect_sqlite_reader(const config::StoreSettings& settings,
                                       const ReaderOptions& options);

// The events cursor: the (time, id) of the last row of a page and a hash of the filters it was
// made for. "e1.<time>.<id>.<filters>" in hexadecimal; decode is strict (nullopt for anything
// else).
struct EventCursor {
  std::int64_t time = 0;
  std::int64_t id = 0;
  std::uint64_t filters = 0;
  bool operator==(const EventCursor&) const = default;
};
std::string encode_event_cursor(const EventCursor& cursor);
std::optional<EventCursor> decode_event_cursor(std::string_view text);
std::uint64_t event_filter_hash(const EventQuery& query);

}  // namespace netpower::manager::store::detail
