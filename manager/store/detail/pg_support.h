#pragma once
// libpq helpers of the PostgreSQL backend: a connection opened within a deadline, error texts,
// and the SQL text it builds (times, partition names, the compaction statement).

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "manager/model/time.h"
#include "manager/store/detail/backend.h"
#include "manager/store/detail/operation_deadline.h"

namespace netpower::manager::store::detail {

// Connects without blocking past `deadline`, nor past the cap of `deadline_source` (the store is
// stopping): libpq's own connect_timeout cannot be interrupted. The connection, or nullptr with
// `error` set ("timed out after 5000 ms", libpq's message).
PGconn* pg_connect(const std::string& conninfo, OperationDeadline::Clock::time_point deadline,
                   const OperationDeadline& deadline_source, std::string& error);

// Throws the DbError of a failed result `r` (cleared): `prefix` and the server's message, lost when
// the connection is, timed out at SQLSTATE 57014.
[[noreturn]] void throw_result(PGresult* r, PGconn* conn, const std::string& prefix);
// The error of an operation that `deadline` cut after `timeout` (or at its cap).
DbError deadline_error(const OperationDeadline& deadline, std::chrono::milliseconds timeout,
                       const char* what);

// SQLSTATE 57014 (query_canceled): the statement_timeout fired.
bool statement_timed_out(const PGresult* r);
// "what: <libpq's message>".
std::string pg_error(PGconn* conn, const char* what);
// The text on one line, without trailing blanks.
std::string first_line(const std::string& text);

// SQL for `now - age` as a timestamptz, to the microsecond.
std::string literal_time(model::WallTime now, core::Duration age);
// The day number of "YYYYMMDD" (a partition name's), nullopt if it is none.
std::optional<std::int64_t> parse_compact(const std::string& yyyymmdd);
// Moves one raw hour (`partition`, starting at `start` µs) into one row per series (merged with a
// row already there: late rows of a compacted hour, replayed from the spool, are compacted again).
// Ties in time are ordered by value so that the two aggregates pair the same rows.
std::string compact_sql(const std::string& partition, std::int64_t start);

}  // namespace netpower::manager::store::detail
