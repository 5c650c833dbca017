// PostgreSQL through SOCI; samples and events go through COPY on the session's native libpq
// connection (SOCI's bulk insert would cost one round trip per row).

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <nlohmann/json.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <ctime>
#include <set>

#include "manager/store/detail/backend.h"
#include "manager/store/detail/migrations.h"

namespace netpower::manager::store::detail {

namespace {

// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01 UTC).
constexpr std::int64_t kPgEpochOffsetUs = 946'684'800'000'000;
constexpr std::int64_t kFirstPartitionDay = -25567;  // 1900-01-01
constexpr std::int64_t kLastPartitionDay = 2932896;  // 9999-12-31
// Serialises migrations of concurrent managers (pg_advisory_xact_lock key; "np" + "schema").
constexpr long long kMigrationLockKey = 0x6e70736368656d61;

class CopyBuffer {
 public:
  explicit CopyBuffer(bool binary) : binary_(binary) {
    if (binary_) {
      out_.append("PGCOPY\n\377\r\n\0", 11);
      be32(0);  // flags
      be32(0);  // header extension length
    }
  }
  void begin_row(std::int16_t fields) {
    if (binary_) be16(static_cast<std::uint16_t>(fields));
    first_ = true;
  }
  void end_row() {
    if (!binary_) out_.push_back('\n');
  }
  void text(std::string_view s) {
    if (binary_) {
      be32(static_cast<std::uint32_t>(s.size()));
      out_.append(s);
      return;
    }
    sep();
    for (char c : s) {
      switch (c) {
        case '\\':
          out_ += "\\\\";
          break;
        case '\t':
          out_ += "\\t";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        default:
          out_.push_back(c);
      }
    }
  }
  void jsonb(std::string_view s) {
    if (binary_) {
      be32(static_cast<std::uint32_t>(s.size() + 1));
      out_.push_back('\1');  // jsonb binary format version
      out_.append(s);
      return;
    }
    text(s);
  }
  void timestamptz(WallTime t) {
    const std::int64_t us = t.time_since_epoch().count();
    if (binary_) {
      be32(8);
      be64(static_cast<std::uint64_t>(us - kPgEpochOffsetUs));
      return;
    }
    sep();
    std::int64_t secs = us / 1'000'000;
    std::int64_t frac = us % 1'000'000;
    if (frac < 0) {
      frac += 1'000'000;
      secs -= 1;
    }
    std::time_t tt = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long long>(frac));
    out_ += buf;
  }
  void float8(double v) {
    if (binary_) {
      be32(8);
      be64(std::bit_cast<std::uint64_t>(v));
      return;
    }
    sep();
    if (std::isnan(v)) {
      out_ += "NaN";
    } else if (std::isinf(v)) {
      out_ += v > 0 ? "Infinity" : "-Infinity";
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v);
      out_ += buf;
    }
  }
  std::string& finish() {
    if (binary_) be16(0xFFFF);
    return out_;
  }

 private:
  void sep() {
    if (!first_) out_.push_back('\t');
    first_ = false;
  }
  void be16(std::uint16_t v) {
    out_.push_back(static_cast<char>(v >> 8));
    out_.push_back(static_cast<char>(v));
  }
  void be32(std::uint32_t v) {
    for (int i = 3; i >= 0; --i) out_.push_back(static_cast<char>(v >> (8 * i)));
  }
  void be64(std::uint64_t v) {
    for (int i = 7; i >= 0; --i) out_.push_back(static_cast<char>(v >> (8 * i)));
  }
  bool binary_;
  bool first_ = true;
  std::string out_;
};

std::string pg_error(PGconn* conn, const char* what) {
  std::string msg = conn != nullptr ? PQerrorMessage(conn) : "no connection";
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return std::string(what) + ": " + msg;
}

class PostgresqlBackend final : public Backend {
 public:
  explicit PostgresqlBackend(const config::StoreSettings& settings) : settings_(settings) {}
  ~PostgresqlBackend() override { disconnect(); }

  std::vector<std::string> connect() override {
    disconnect();
    try {
      const auto timeout =
          std::chrono::duration_cast<std::chrono::seconds>(settings_.connect_timeout);
      session_ = std::make_unique<soci::session>(
          soci::postgresql,
          settings_.postgresql.connection_string(std::max(timeout, std::chrono::seconds(1))));
    } catch (const std::exception& e) {
      session_.reset();
      throw DbError(std::string("cannot connect: ") + first_line(e.what()), true);
    }
    conn_ = static_cast<soci::postgresql_session_backend*>(session_->get_backend())->conn_;
    exec("SET TIME ZONE 'UTC'");
    exec("SET client_min_messages = warning");
    // With synchronous_commit off, a COMMIT returns before its WAL is written: a server crash then
    // loses batches the store has already deleted from its buffers and spool (the outage test with
    // a killed server caught this). This session's commits must be durable before they count.
    if (query_column("SHOW synchronous_commit") == std::vector<std::string>{"off"}) {
      exec("SET synchronous_commit = local");
    }
    return migrate();
  }

  void disconnect() override {
    conn_ = nullptr;
    session_.reset();
    known_days_.clear();
  }

  bool write(const Batch& batch) override {
    check_connected();
    try {
      exec("BEGIN");
      if (!record_in_ledger(batch)) {
        exec("ROLLBACK");
        return false;
      }
      std::set<std::int64_t> new_days;
      for (const auto& s : batch.samples) {
        auto day = day_of(s.time);
        // Outside 1900..9999 no partition is made: such a row fails the COPY ("no partition"),
        // and the batch is refused as bad data.
        if (!known_days_.count(day) && day >= kFirstPartitionDay && day <= kLastPartitionDay) {
          new_days.insert(day);
        }
      }
      for (auto day : new_days) create_partition(day);
      if (!batch.samples.empty()) copy_samples(batch.samples);
      if (!batch.events.empty()) copy_events(batch.events);
      exec("COMMIT");
      known_days_.insert(new_days.begin(), new_days.end());
      return true;
    } catch (const DbError& e) {
      throw settle(e);
    }
  }

  void upsert_agents(const std::vector<AgentRecord>& agents) override {
    check_connected();
    try {
      soci::transaction tx(*session_);
      for (const auto& a : agents) {
        nlohmann::json labels = a.labels;
        std::string labels_text = labels.dump();
        int port = a.port;
        *session_
            << "INSERT INTO agents (name, address, port, version, labels) "
               "VALUES (:n, :a, :p, :v, CAST(:l AS jsonb)) ON CONFLICT (name) DO UPDATE SET "
               "address = excluded.address, port = excluded.port, version = excluded.version, "
               "labels = excluded.labels, updated_at = now()",
            soci::use(a.name), soci::use(a.address), soci::use(port), soci::use(a.version),
            soci::use(labels_text);
      }
      tx.commit();
    } catch (const soci::soci_error& e) {
      throw settle(DbError(std::string("upserting agents: ") + first_line(e.what()), false));
    }
  }

  std::string maintain(WallTime now) override {
    check_connected();
    try {
      std::string summary;
      const auto today = day_of(now);
      int created = 0;
      for (auto day = today - 1; day <= today + settings_.postgresql.partitions_ahead_days; ++day) {
        if (known_days_.count(day)) continue;
        create_partition(day);
        known_days_.insert(day);
        ++created;
      }
      if (created > 0) summary += "created " + std::to_string(created) + " partition(s); ";
      // Drop whole partitions whose last microsecond is older than the retention.
      const auto cutoff =
          now - std::chrono::duration_cast<std::chrono::microseconds>(settings_.retention.samples);
      const auto cutoff_day = day_of(cutoff);  // partitions of days before this one are all older
      auto partitions = query_column(
          "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
          "WHERE i.inhparent = 'samples'::regclass ORDER BY 1");
      int dropped = 0;
      for (const auto& name : partitions) {
        if (name.size() != 17 || name.rfind("samples_p", 0) != 0) continue;
        auto day = parse_compact(name.substr(9));
        if (!day || *day >= cutoff_day) continue;
        exec("DROP TABLE IF EXISTS " + name);
        known_days_.erase(*day);
        ++dropped;
      }
      if (dropped > 0) summary += "dropped " + std::to_string(dropped) + " sample partition(s); ";
      auto deleted_events = exec_count("DELETE FROM events WHERE time < " +
                                       literal_time(now, settings_.retention.events));
      if (deleted_events > 0)
        summary += "deleted " + std::to_string(deleted_events) + " event(s); ";
      auto deleted_ledger = exec_count("DELETE FROM store_batches WHERE committed_at < " +
                                       literal_time(now, settings_.retention.batch_ledger));
      if (deleted_ledger > 0)
        summary += "deleted " + std::to_string(deleted_ledger) + " ledger row(s); ";
      return summary;
    } catch (const DbError& e) {
      throw settle(e);
    }
  }

  std::string describe() const override { return "postgresql " + settings_.postgresql.describe(); }

 private:
  static std::string first_line(const std::string& text) {
    auto s = text;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    for (auto& c : s) {
      if (c == '\n') c = ' ';
    }
    return s;
  }

  void check_connected() const {
    if (conn_ == nullptr) throw DbError("not connected", true);
  }

  // After a failure: roll back what can be, and decide whether the connection is gone.
  DbError settle(const DbError& e) {
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) return DbError(e.what(), true);
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      PGresult* r = PQexec(conn_, "ROLLBACK");
      PQclear(r);
    }
    if (PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      return DbError(e.what(), true);
    }
    return e;
  }

  void exec(const std::string& sql) { exec_count(sql); }

  long exec_count(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string msg = first_line(r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
      PQclear(r);
      throw DbError(msg, PQstatus(conn_) != CONNECTION_OK);
    }
    const char* tuples = PQcmdTuples(r);
    long n = (tuples != nullptr && *tuples != '\0') ? std::atol(tuples) : 0;
    PQclear(r);
    return n;
  }

  std::vector<std::string> query_column(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::string msg = first_line(PQresultErrorMessage(r));
      PQclear(r);
      throw DbError(msg, PQstatus(conn_) != CONNECTION_OK);
    }
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r); ++i) out.emplace_back(PQgetvalue(r, i, 0));
    PQclear(r);
    return out;
  }

  static std::string literal_time(WallTime now, core::Duration age) {
    auto us = (now - std::chrono::duration_cast<std::chrono::microseconds>(age))
                  .time_since_epoch()
                  .count();
    return "to_timestamp(" + std::to_string(us / 1'000'000) + ") + interval '" +
           std::to_string(us % 1'000'000) + " microseconds'";
  }

  static std::optional<std::int64_t> parse_compact(const std::string& yyyymmdd) {
    if (yyyymmdd.size() != 8 || yyyymmdd.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = std::stoi(yyyymmdd.substr(0, 4)) - 1900;
    tm.tm_mon = std::stoi(yyyymmdd.substr(4, 2)) - 1;
    tm.tm_mday = std::stoi(yyyymmdd.substr(6, 2));
    return static_cast<std::int64_t>(timegm(&tm)) / 86400;
  }

  std::vector<std::string> migrate() {
    std::vector<std::string> applied;
    exec("BEGIN");
    exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")");
    exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
        "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    exec("COMMIT");
    for (const auto& m : migrations_for(config::StoreBackend::kPostgresql)) {
      try {
        exec("BEGIN");
        exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")");
        if (!query_column("SELECT 1 FROM schema_migrations WHERE version = " +
                          std::to_string(m.version))
                 .empty()) {
          exec("ROLLBACK");
          continue;
        }
        exec(m.sql);
        PGresult* r = nullptr;
        {
          const std::string version = std::to_string(m.version);
          const char* params[] = {version.c_str(), m.name.c_str()};
          r = PQexecParams(conn_, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                           2, nullptr, params, nullptr, nullptr, 0);
        }
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok)
          throw DbError(pg_error(conn_, "recording the migration"),
                        PQstatus(conn_) != CONNECTION_OK);
        exec("COMMIT");
        applied.push_back(m.name);
      } catch (const DbError& e) {
        auto settled = settle(e);
        throw DbError("migration " + m.name + ": " + settled.what(), settled.connection_lost());
      }
    }
    return applied;
  }

  bool record_in_ledger(const Batch& batch) {
    const std::string samples = std::to_string(batch.samples.size());
    const std::string events = std::to_string(batch.events.size());
    const char* params[] = {batch.id.c_str(), samples.c_str(), events.c_str()};
    PGresult* r =
        PQexecParams(conn_,
                     "INSERT INTO store_batches (batch_id, samples, events) VALUES ($1, $2, $3) "
                     "ON CONFLICT (batch_id) DO NOTHING",
                     3, nullptr, params, nullptr, nullptr, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      std::string msg = first_line(PQresultErrorMessage(r));
      PQclear(r);
      throw DbError("ledger: " + msg, PQstatus(conn_) != CONNECTION_OK);
    }
    bool inserted = std::string(PQcmdTuples(r)) == "1";
    PQclear(r);
    return inserted;
  }

  void create_partition(std::int64_t day) {
    exec("CREATE TABLE IF NOT EXISTS samples_p" + day_compact(day) +
         " PARTITION OF samples FOR VALUES FROM ('" + day_iso(day) + " 00:00:00+00') TO ('" +
         day_iso(day + 1) + " 00:00:00+00')");
  }

  void copy(const std::string& command, const std::string& data) {
    PGresult* r = PQexec(conn_, command.c_str());
    if (PQresultStatus(r) != PGRES_COPY_IN) {
      std::string msg = first_line(PQresultErrorMessage(r));
      PQclear(r);
      throw DbError(command.substr(0, command.find(' ', 5)) + ": " + msg,
                    PQstatus(conn_) != CONNECTION_OK);
    }
    PQclear(r);
    constexpr std::size_t kChunk = 1 << 20;
    for (std::size_t off = 0; off < data.size(); off += kChunk) {
      auto n = std::min(kChunk, data.size() - off);
      if (PQputCopyData(conn_, data.data() + off, static_cast<int>(n)) != 1) {
        throw DbError(pg_error(conn_, "COPY data"), true);
      }
    }
    if (PQputCopyEnd(conn_, nullptr) != 1) throw DbError(pg_error(conn_, "COPY end"), true);
    std::string failure;
    while ((r = PQgetResult(conn_)) != nullptr) {
      if (PQresultStatus(r) != PGRES_COMMAND_OK && failure.empty())
        failure = first_line(PQresultErrorMessage(r));
      PQclear(r);
    }
    if (!failure.empty()) throw DbError("COPY: " + failure, PQstatus(conn_) != CONNECTION_OK);
  }

  void copy_samples(const std::vector<Sample>& samples) {
    const bool binary = settings_.copy_format == config::CopyFormat::kBinary;
    CopyBuffer buf(binary);
    for (const auto& s : samples) {
      buf.begin_row(6);
      buf.timestamptz(s.time);
      buf.text(s.agent);
      buf.text(to_string(s.kind));
      buf.text(s.key);
      buf.text(s.metric);
      buf.float8(s.value);
      buf.end_row();
    }
    copy(std::string("COPY samples (time, agent, kind, key, metric, value) FROM STDIN") +
             (binary ? " (FORMAT binary)" : ""),
         buf.finish());
  }

  void copy_events(const std::vector<Event>& events) {
    const bool binary = settings_.copy_format == config::CopyFormat::kBinary;
    CopyBuffer buf(binary);
    for (const auto& e : events) {
      buf.begin_row(6);
      buf.timestamptz(e.time);
      buf.text(e.agent);
      buf.text(to_string(e.kind));
      buf.text(e.oid);
      buf.jsonb(e.varbinds_json);
      buf.text(e.text);
      buf.end_row();
    }
    copy(std::string("COPY events (time, agent, kind, oid, varbinds, text) FROM STDIN") +
             (binary ? " (FORMAT binary)" : ""),
         buf.finish());
  }

  config::StoreSettings settings_;
  std::unique_ptr<soci::session> session_;
  PGconn* conn_ = nullptr;             // owned by session_
  std::set<std::int64_t> known_days_;  // partitions that exist (created or seen by this connection)
};

}  // namespace

BackendPtr make_postgresql_backend(const config::StoreSettings& settings) {
  return std::make_unique<PostgresqlBackend>(settings);
}

}  // namespace netpower::manager::store::detail
