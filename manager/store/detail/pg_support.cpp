#include "manager/store/detail/pg_support.h"

#include <poll.h>

#include <algorithm>
#include <cstring>
#include <ctime>

namespace netpower::manager::store::detail {

PGconn* pg_connect(const std::string& conninfo, OperationDeadline::Clock::time_point deadline,
                   const OperationDeadline& deadline_source, std::string& error) {
  using Clock = OperationDeadline::Clock;
  const auto started = Clock::now();
  PGconn* conn = PQconnectStart(conninfo.c_str());
  if (conn == nullptr) {
    error = "out of memory";
    return nullptr;
  }
  auto status = PQstatus(conn) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK) {
    if (status == PGRES_POLLING_FAILED) {
      error = first_line(PQerrorMessage(conn));
      PQfinish(conn);
      return nullptr;
    }
    const auto cap = deadline_source.cap();
    const auto until = cap ? std::min(deadline, *cap) : deadline;
    const auto now = Clock::now();
    if (now >= until) {
      error = "no answer within " +
              std::to_string(
                  std::chrono::duration_cast<std::chrono::milliseconds>(now - started).count()) +
              " ms" + (cap && now >= *cap ? " (the store is stopping)" : "");
      PQfinish(conn);
      return nullptr;
    }
    // In slices, so that a cap set meanwhile is seen soon.
    const auto wait = std::min<long long>(
        50, std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1);
    pollfd pfd{PQsocket(conn),
               static_cast<short>(status == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(wait));
    if (ready > 0) status = PQconnectPoll(conn);
  }
  return conn;
}

void throw_result(PGresult* r, PGconn* conn, const std::string& prefix) {
  std::string msg = first_line(r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn));
  if (msg.empty()) msg = first_line(PQerrorMessage(conn));
  const bool timed_out = statement_timed_out(r);
  PQclear(r);
  throw DbError(prefix + msg, PQstatus(conn) != CONNECTION_OK, timed_out);
}

DbError deadline_error(const OperationDeadline& deadline, std::chrono::milliseconds timeout,
                       const char* what) {
  const auto cap = deadline.cap();
  const bool stopping = cap && OperationDeadline::Clock::now() >= *cap;
  return DbError(
      std::string("no answer from the database ") +
          (stopping ? "before the store's stop timeout"
                    : "within " + std::to_string(timeout.count()) + " ms (store.write_timeout)") +
          " while " + what + "; the connection is given up",
      true);
}

// SQLSTATE 57014 (query_canceled): statement_timeout fired.
bool statement_timed_out(const PGresult* r) {
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  return state != nullptr && std::strcmp(state, "57014") == 0;
}

std::string pg_error(PGconn* conn, const char* what) {
  std::string msg = conn != nullptr ? PQerrorMessage(conn) : "no connection";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return std::string(what) + ": " + msg;
}

std::string first_line(const std::string& text) {
  auto s = text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (auto& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

std::string literal_time(model::WallTime now, core::Duration age) {
  auto us =
      (now - std::chrono::duration_cast<std::chrono::microseconds>(age)).time_since_epoch().count();
  return "to_timestamp(" + std::to_string(us / 1'000'000) + ") + interval '" +
         std::to_string(us % 1'000'000) + " microseconds'";
}

std::optional<std::int64_t> parse_compact(const std::string& yyyymmdd) {
  if (yyyymmdd.size() != 8 || yyyymmdd.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = std::stoi(yyyymmdd.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(yyyymmdd.substr(4, 2)) - 1;
  tm.tm_mday = std::stoi(yyyymmdd.substr(6, 2));
  return static_cast<std::int64_t>(timegm(&tm)) / 86400;
}

std::string compact_sql(const std::string& partition, std::int64_t start) {
  const auto h = std::to_string(start);
  // Packs (o, v, f = the values fit float4 exactly) into the row's columns.
  const std::string pack = "o, CASE WHEN f THEN NULL ELSE v END, CASE WHEN f THEN v::real[] END";
  return "INSERT INTO samples_hourly (series_id, hour, offsets, vals, vals4) SELECT series_id, " +
         h + ", " + pack +
         " FROM (SELECT series_id, o, v, samples_fit_real(v) AS f FROM (SELECT series_id, "
         "array_agg(((time - " +
         h +
         ") / 1000)::integer ORDER BY time, value) AS o, array_agg(value ORDER BY time, value) "
         "AS v FROM " +
         partition +
         " GROUP BY series_id) a) b ON CONFLICT (series_id, hour) DO UPDATE SET (offsets, vals, "
         "vals4) = (SELECT " +
         pack +
         " FROM (SELECT o, v, samples_fit_real(v) AS f FROM (SELECT array_agg(o ORDER BY o, v) "
         "AS o, array_agg(v ORDER BY o, v) AS v FROM unnest(samples_hourly.offsets || "
         "excluded.offsets, samples_values(samples_hourly.vals, samples_hourly.vals4) || "
         "samples_values(excluded.vals, excluded.vals4)) AS u(o, v)) m) n)";
}

}  // namespace netpower::manager::store::detail
