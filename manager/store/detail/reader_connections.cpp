// The read side's connections: libpq sessions set read-only with a statement timeout, and
// read-only SQLite connections with a deadline enforced by a progress handler.

#include <libpq-fe.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "manager/store/detail/sql_reader.h"

namespace netpower::manager::store::detail {

namespace {

std::string one_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (auto& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

std::string param_text(const SqlParam& p) {
  if (const auto* i = std::get_if<std::int64_t>(&p)) return std::to_string(*i);
  return std::get<std::string>(p);
}

class PgConnection final : public SqlConnection {
 public:
  PgConnection(const config::StoreSettings& settings, const ReaderOptions& options) {
    const auto timeout = std::chrono::duration_cast<std::chrono::seconds>(settings.connect_timeout);
    conn_ = PQconnectdb(
        settings.postgresql.connection_string(std::max(timeout, std::chrono::seconds(1))).c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = one_line(PQerrorMessage(conn_));
      PQfinish(conn_);
      conn_ = nullptr;
      throw QueryError("the store's database is unavailable: " + msg);
    }
    query("SET default_transaction_read_only = on", {});
    query("SET statement_timeout = " + std::to_string(options.statement_timeout.count()), {});
    query("SET TIME ZONE 'UTC'", {});
    query("SET extra_float_digits = 1", {});  // float4 history values read back as written
  }
  ~PgConnection() override {
    if (conn_ != nullptr) PQfinish(conn_);
  }

  std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlParam>& params) override {
    std::vector<std::string> texts;
    texts.reserve(params.size());
    for (const auto& p : params) texts.push_back(param_text(p));
    std::vector<const char*> values;
    for (const auto& t : texts) values.push_back(t.c_str());
    PGresult* r = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    const auto status = PQresultStatus(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      std::string msg = one_line(r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
      const bool timed_out = state != nullptr && std::string(state) == "57014";
      PQclear(r);
      if (timed_out) throw QueryError("the query took longer than the statement timeout");
      if (PQstatus(conn_) != CONNECTION_OK) {
        throw QueryError("the store's database is unavailable: " + msg);
      }
      throw QueryError("query failed: " + msg);
    }
    std::vector<SqlRow> rows(static_cast<std::size_t>(PQntuples(r)));
    const int cols = PQnfields(r);
    for (int i = 0; i < PQntuples(r); ++i) {
      auto& row = rows[static_cast<std::size_t>(i)];
      row.reserve(static_cast<std::size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(r, i, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(r, i, c), PQgetlength(r, i, c)));
        }
      }
    }
    PQclear(r);
    return rows;
  }

  bool healthy() const override { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

 private:
  PGconn* conn_ = nullptr;
};

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(const config::StoreSettings& settings, const ReaderOptions& options)
      : timeout_(options.statement_timeout) {
    if (!std::filesystem::exists(settings.sqlite_path)) {
      throw QueryError("the store's database " + settings.sqlite_path + " does not exist yet");
    }
    if (sqlite3_open_v2(settings.sqlite_path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) !=
        SQLITE_OK) {
      std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw QueryError("cannot open " + settings.sqlite_path + ": " + msg);
    }
    sqlite3_busy_timeout(
        db_, static_cast<int>(
                 std::chrono::duration_cast<std::chrono::milliseconds>(settings.connect_timeout)
                     .count()));
    sqlite3_progress_handler(db_, 1000, &SqliteConnection::progress, this);
  }
  ~SqliteConnection() override {
    if (db_ != nullptr) sqlite3_close(db_);
  }

  std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlParam>& params) override {
    deadline_ = std::chrono::steady_clock::now() + timeout_;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      throw QueryError(std::string("query failed: ") + sqlite3_errmsg(db_));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      if (const auto* v = std::get_if<std::int64_t>(&params[i])) {
        sqlite3_bind_int64(st, index, *v);
      } else {
        const auto& s = std::get<std::string>(params[i]);
        sqlite3_bind_text(st, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      }
    }
    std::vector<SqlRow> rows;
    int rc = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      SqlRow row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        switch (sqlite3_column_type(st, c)) {
          case SQLITE_NULL:
            row.emplace_back(std::nullopt);
            break;
          case SQLITE_FLOAT: {
            char buf[40];
            std::snprintf(buf, sizeof buf, "%.17g", sqlite3_column_double(st, c));
            row.emplace_back(buf);
            break;
          }
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
            row.emplace_back(
                std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(st, c))));
          }
        }
      }
      rows.push_back(std::move(row));
    }
    const bool interrupted = rc == SQLITE_INTERRUPT;
    std::string msg = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db_);
    sqlite3_finalize(st);
    if (interrupted) throw QueryError("the query took longer than the statement timeout");
    if (rc != SQLITE_DONE) throw QueryError("query failed: " + msg);
    return rows;
  }

  bool healthy() const override { return db_ != nullptr; }

 private:
  static int progress(void* self) {
    auto* c = static_cast<SqliteConnection*>(self);
    return std::chrono::steady_clock::now() > c->deadline_ ? 1 : 0;
  }

  sqlite3* db_ = nullptr;
  std::chrono::milliseconds timeout_;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace

SqlConnectionPtr connect_postgresql_reader(const config::StoreSettings& settings,
                                           const ReaderOptions& options) {
  return std::make_unique<PgConnection>(settings, options);
}

SqlConnectionPtr connect_sqlite_reader(const config::StoreSettings& settings,
                                       const ReaderOptions& options) {
  return std::make_unique<SqliteConnection>(settings, options);
}

}  // namespace netpower::manager::store::detail
