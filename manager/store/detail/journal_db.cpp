// The action journal's writing connections: a libpq session and a read-write SQLite connection.

#include "manager/store/detail/journal_db.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>

namespace netpower::manager::store::detail {

namespace {

// A journal statement is a single-row upsert: one that takes longer is stuck (a lock held by
// someone else, a server in trouble) and is retried after a reconnection.
constexpr int kStatementTimeoutMs = 10'000;

std::string one_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (auto& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

class PgJournalDb final : public JournalDb {
 public:
  explicit PgJournalDb(const config::StoreSettings& settings) : settings_(settings) {}
  ~PgJournalDb() override { disconnect(); }

  void connect() override {
    disconnect();
    const auto timeout =
        std::chrono::duration_cast<std::chrono::seconds>(settings_.connect_timeout);
    conn_ = PQconnectdb(
        settings_.postgresql.connection_string(std::max(timeout, std::chrono::seconds(1))).c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = one_line(PQerrorMessage(conn_));
      disconnect();
      throw DbError("cannot connect: " + msg, true);
    }
    try {
      exec("SET TIME ZONE 'UTC'");
      exec("SET client_min_messages = warning");
      exec("SET statement_timeout = " + std::to_string(kStatementTimeoutMs));
      // A record counts as kept once its commit returns: that commit must survive a crash of the
      // server (as for the store's batches).
      if (scalar("SHOW synchronous_commit") == "off") exec("SET synchronous_commit = local");
    } catch (const DbError& e) {
      disconnect();
      throw DbError(e.what(), true);
    }
  }

  void disconnect() override {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
  }

  bool connected() const override { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

  void begin() override { exec("BEGIN"); }
  void commit() override { exec("COMMIT"); }

  void rollback() noexcept override {
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) return;
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) PQclear(PQexec(conn_, "ROLLBACK"));
  }

  void exec(const std::string& sql, const std::vector<DbValue>& params = {}) override {
    PQclear(run(sql, params));
  }

  std::optional<std::string> scalar(const std::string& sql) override {
    PGresult* r = run(sql, {});
    std::optional<std::string> out;
    if (PQntuples(r) > 0 && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0)) {
      out.emplace(PQgetvalue(r, 0, 0), static_cast<std::size_t>(PQgetlength(r, 0, 0)));
    }
    PQclear(r);
    return out;
  }

  Dialect dialect() const override { return Dialect::kPostgresql; }
  std::string describe() const override { return "postgresql " + settings_.postgresql.describe(); }

 private:
  PGresult* run(const std::string& sql, const std::vector<DbValue>& params) {
    if (conn_ == nullptr) throw DbError("not connected", true);
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (const auto* v = std::get_if<std::int64_t>(&params[i])) {
        texts[i] = std::to_string(*v);
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        texts[i] = *s;
      } else {
        continue;  // NULL
      }
      values[i] = texts[i].c_str();
    }
    PGresult* r = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    const auto status = PQresultStatus(r);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
    const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string msg = one_line(r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
    if (msg.empty()) msg = one_line(PQerrorMessage(conn_));
    PQclear(r);
    const std::string sqlstate = state != nullptr ? state : "";
    const bool refused = PQstatus(conn_) == CONNECTION_OK &&
                         (sqlstate.rfind("22", 0) == 0 || sqlstate.rfind("23", 0) == 0);
    throw DbError(msg, !refused);
  }

  const config::StoreSettings settings_;
  PGconn* conn_ = nullptr;
};

class SqliteJournalDb final : public JournalDb {
 public:
  explicit SqliteJournalDb(const config::StoreSettings& settings) : settings_(settings) {}
  ~SqliteJournalDb() override { disconnect(); }

  void connect() override {
    disconnect();
    std::error_code ec;  // a failure shows in the open below
    const auto parent = std::filesystem::path(settings_.sqlite_path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (sqlite3_open_v2(settings_.sqlite_path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      disconnect();
      throw DbError("cannot open " + settings_.sqlite_path + ": " + msg, true);
    }
    // The store's writer shares the file: wait for its transactions rather than fail.
    sqlite3_busy_timeout(
        db_, static_cast<int>(
                 std::chrono::duration_cast<std::chrono::milliseconds>(settings_.connect_timeout)
                     .count()));
    try {
      // Each commit reaches the disk before the record counts as kept (the store's batches use
      // NORMAL: a power cut may cost their last transactions, which the audit trail must not).
      exec("PRAGMA synchronous=FULL");
    } catch (const DbError& e) {
      disconnect();
      throw DbError(e.what(), true);
    }
  }

  void disconnect() override {
    if (db_ != nullptr) sqlite3_close(db_);
    db_ = nullptr;
  }

  bool connected() const override { return db_ != nullptr; }

  void begin() override { exec("BEGIN IMMEDIATE"); }
  void commit() override { exec("COMMIT"); }

  void rollback() noexcept override {
    if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }

  void exec(const std::string& sql, const std::vector<DbValue>& params = {}) override {
    run(sql, params, nullptr);
  }

  std::optional<std::string> scalar(const std::string& sql) override {
    std::optional<std::string> out;
    run(sql, {}, &out);
    return out;
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string describe() const override { return "sqlite " + settings_.sqlite_path; }

 private:
  void run(const std::string& sql, const std::vector<DbValue>& params,
           std::optional<std::string>* first) {
    if (db_ == nullptr) throw DbError("not connected", true);
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr);
    if (rc != SQLITE_OK) fail(rc, st);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      if (const auto* v = std::get_if<std::int64_t>(&params[i])) {
        rc = sqlite3_bind_int64(st, index, *v);
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        rc = sqlite3_bind_text64(st, index, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      } else {
        rc = sqlite3_bind_null(st, index);
      }
      if (rc != SQLITE_OK) fail(rc, st);
    }
    bool first_row = true;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      if (first != nullptr && first_row && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        first->emplace(text, static_cast<std::size_t>(sqlite3_column_bytes(st, 0)));
      }
      first_row = false;
    }
    if (rc != SQLITE_DONE) fail(rc, st);
    sqlite3_finalize(st);
  }

  [[noreturn]] void fail(int rc, sqlite3_stmt* st) {
    std::string msg = sqlite3_errmsg(db_);
    sqlite3_finalize(st);
    // Constraint, type or size violations are this record's fault; busy, disk full, I/O errors
    // are worth retrying.
    const int primary = rc & 0xFF;
    const bool refused =
        primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH || primary == SQLITE_TOOBIG;
    throw DbError(msg, !refused);
  }

  const config::StoreSettings settings_;
  sqlite3* db_ = nullptr;
};

}  // namespace

JournalDbPtr make_journal_db(const config::StoreSettings& settings) {
  if (settings.backend == config::StoreBackend::kPostgresql) {
    return std::make_unique<PgJournalDb>(settings);
  }
  return std::make_unique<SqliteJournalDb>(settings);
}

}  // namespace netpower::manager::store::detail
