// PostgreSQL through libpq (the writer's connection; the readers use SOCI): samples and events go
// through COPY. Every operation runs within store.write_timeout (operation_deadline.h), the
// connection is opened without blocking (pg_support.h), statements within statement_timeout.

#include <libpq-fe.h>
#include <nlohmann/json.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <ctime>
#include <set>
#include <type_traits>

#include "manager/store/detail/backend.h"
#include "manager/store/detail/migrations.h"
#include "manager/store/detail/operation_deadline.h"
#include "manager/store/detail/pg_copy.h"
#include "manager/store/detail/pg_support.h"
#include "manager/store/detail/series_cache.h"

namespace netpower::manager::store::detail {

namespace {

constexpr std::int64_t kFirstPartitionDay = -25567;  // 1900-01-01
constexpr std::int64_t kLastPartitionDay = 2932896;  // 9999-12-31
constexpr std::int64_t kUsPerHour = 3'600'000'000;
constexpr std::int64_t kUsPerDay = 24 * kUsPerHour;

std::int64_t hour_of(std::int64_t us) {
  return us >= 0 ? us / kUsPerHour : -((-us + kUsPerHour - 1) / kUsPerHour);
}
bool partitionable_hour(std::int64_t hour) {
  return hour >= kFirstPartitionDay * 24 && hour < (kLastPartitionDay + 1) * 24;
}
// Serialises migrations of concurrent managers (pg_advisory_xact_lock key; "np" + "schema").
constexpr long long kMigrationLockKey = 0x6e70736368656d61;

class PostgresqlBackend final : public Backend {
 public:
  explicit PostgresqlBackend(const config::StoreSettings& settings) : settings_(settings) {}
  ~PostgresqlBackend() override { disconnect(); }

  std::vector<std::string> connect() override {
    disconnect();
    std::string error;
    const auto timeout =
        std::chrono::duration_cast<std::chrono::seconds>(settings_.connect_timeout);
    conn_ = pg_connect(
        settings_.postgresql.connection_string(std::max(timeout, std::chrono::seconds(1))),
        OperationDeadline::Clock::now() + settings_.connect_timeout, deadline_, error);
    if (conn_ == nullptr) throw DbError("cannot connect: " + error, true);
    return guarded("connecting", [&] { return set_up(); });
  }

  void abort_by(std::chrono::steady_clock::time_point cap) override { deadline_.cap(cap); }

 private:
  // After the connection: the session's settings, migrations, the series cache.
  std::vector<std::string> set_up() {
    exec("SET statement_timeout = " +
         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                            settings_.postgresql.statement_timeout)
                            .count()));
    exec("SET TIME ZONE 'UTC'");
    exec("SET client_min_messages = warning");
    // Compaction stores float4 values when their shortest text reads back exactly (needs >= 1).
    exec("SET extra_float_digits = 1");
    // With synchronous_commit off, a COMMIT returns before its WAL is written: a server crash then
    // loses batches the store has already deleted from its buffers and spool (the outage test with
    // a killed server caught this). This session's commits must be durable before they count.
    if (query_column("SHOW synchronous_commit") == std::vector<std::string>{"off"}) {
      exec("SET synchronous_commit = local");
    }
    auto applied = migrate();
    // New series of a batch are COPYed here, then inserted and looked up in two statements.
    exec(
        "CREATE TEMP TABLE series_new (agent text, kind text, key text, metric text) "
        "ON COMMIT DELETE ROWS");
    preload_series();
    return applied;
  }

  // Runs `op` (a call into libpq on conn_) within write_timeout, and within the cap once the
  // store is stopping: past it the socket is shut down (operation_deadline.h) and the database
  // counts as down. `what` names the operation in the message.
  template <typename Op>
  auto guarded(const char* what, Op&& op) -> decltype(op()) {
    const auto timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(settings_.write_timeout);
    ArmedDeadline armed(deadline_, PQsocket(conn_), OperationDeadline::Clock::now() + timeout);
    const auto cut = [&] { return deadline_error(deadline_, timeout, what); };
    try {
      if constexpr (std::is_void_v<decltype(op())>) {
        op();
        if (armed.fired()) throw cut();
      } else {
        auto result = op();
        if (armed.fired()) throw cut();
        return result;
      }
    } catch (const DbError&) {
      if (armed.fired()) throw cut();
      throw;
    }
  }

 public:
  void disconnect() override {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
    known_days_.clear();
    known_hours_.clear();
    series_.clear();
  }

  bool write(const Batch& batch) override {
    check_connected();
    return guarded("writing a batch", [&] { return write_batch(batch); });
  }

  void upsert_agents(const std::vector<AgentRecord>& agents) override {
    check_connected();
    guarded("upserting agents", [&] { upsert(agents); });
  }

  std::string maintain(WallTime now) override {
    check_connected();
    return guarded("maintaining partitions", [&] { return maintain_partitions(now); });
  }

  Compaction compact(WallTime now, core::Duration delay, std::size_t max_hours) override {
    check_connected();
    return guarded("compacting", [&] { return compact_hours(now, delay, max_hours); });
  }

  std::string describe() const override { return "postgresql " + settings_.postgresql.describe(); }

 private:
  bool write_batch(const Batch& batch) {
    try {
      exec("BEGIN");
      if (!record_in_ledger(batch)) {
        exec("ROLLBACK");
        return false;
      }
      const auto ids = resolve_series(batch.samples);
      std::set<std::int64_t> new_hours;
      std::optional<std::int64_t> last_hour;  // rows come in runs of one hour
      for (const auto& s : batch.samples) {
        auto hour = hour_of(s.time.time_since_epoch().count());
        if (hour == last_hour) continue;
        last_hour = hour;
        // Outside 1900..9999 no partition is made: such a row fails the COPY ("no partition"),
        // and the batch is refused as bad data.
        if (!known_hours_.count(hour) && partitionable_hour(hour)) new_hours.insert(hour);
      }
      std::set<std::int64_t> new_days;
      for (auto hour : new_hours) {
        create_raw_partition(hour);
        // The day's compacted partition too, so that retention sees the day from the start.
        const auto day = hour >= 0 ? hour / 24 : -((-hour + 23) / 24);
        if (!known_days_.count(day)) new_days.insert(day);
      }
      for (auto day : new_days) create_partition(day);
      if (!batch.samples.empty()) copy_samples(batch.samples, ids);
      if (!batch.events.empty()) copy_events(batch.events);
      exec("COMMIT");
      series_.commit();
      known_hours_.insert(new_hours.begin(), new_hours.end());
      known_days_.insert(new_days.begin(), new_days.end());
      return true;
    } catch (const DbError& e) {
      series_.rollback();
      auto settled = settle(e);
      // A batch the server did not finish in time is no bad data: the database is overloaded or
      // stuck; the batch waits for it like in an outage.
      if (e.timed_out()) throw DbError(settled.what(), true, true);
      throw settled;
    }
  }

  void upsert(const std::vector<AgentRecord>& agents) {
    try {
      exec("BEGIN");
      for (const auto& a : agents) {
        const std::string labels = nlohmann::json(a.labels).dump();
        const std::string port = std::to_string(a.port);
        const char* params[] = {a.name.c_str(), a.address.c_str(), port.c_str(), a.version.c_str(),
                                labels.c_str()};
        PGresult* r = PQexecParams(
            conn_,
            "INSERT INTO agents (name, address, port, version, labels) "
            "VALUES ($1, $2, $3::integer, $4, $5::jsonb) ON CONFLICT (name) DO UPDATE SET "
            "address = excluded.address, port = excluded.port, version = excluded.version, "
            "labels = excluded.labels, updated_at = now()",
            5, nullptr, params, nullptr, nullptr, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
          throw_result(r, conn_, "upserting agents: ");
        }
        PQclear(r);
      }
      exec("COMMIT");
    } catch (const DbError& e) {
      throw settle(e);
    }
  }

  std::string maintain_partitions(WallTime now) {
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
      const auto this_hour = hour_of(now.time_since_epoch().count());
      for (auto hour = this_hour; hour <= this_hour + 1; ++hour) {
        if (known_hours_.count(hour)) continue;
        create_raw_partition(hour);
        known_hours_.insert(hour);
        ++created;
      }
      if (created > 0) summary += "created " + std::to_string(created) + " partition(s); ";
      // Drop whole partitions whose last microsecond is older than the retention.
      const auto cutoff =
          now - std::chrono::duration_cast<std::chrono::microseconds>(settings_.retention.samples);
      const auto cutoff_day = day_of(cutoff);  // partitions of days before this one are all older
      auto partitions = query_column(
          "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
          "WHERE i.inhparent = 'samples_hourly'::regclass ORDER BY 1");
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

  Compaction compact_hours(WallTime now, core::Duration delay, std::size_t max_hours) {
    try {
      const auto now_us = now.time_since_epoch().count();
      const auto delay_us = std::chrono::duration_cast<std::chrono::microseconds>(delay).count();
      const auto retention_us =
          std::chrono::duration_cast<std::chrono::microseconds>(settings_.retention.samples)
              .count();
      auto partitions = query_column(
          "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
          "WHERE i.inhparent = 'samples_raw'::regclass ORDER BY 1");
      std::size_t compacted = 0;
      int dropped = 0;
      long rows = 0;
      Compaction out;
      for (const auto& name : partitions) {  // by name: oldest first
        // samples_raw_pYYYYMMDDHH
        if (name.size() != 23 || name.rfind("samples_raw_p", 0) != 0) continue;
        auto day = parse_compact(name.substr(13, 8));
        const auto hh = name.substr(21);
        if (!day || hh.find_first_not_of("0123456789") != std::string::npos) continue;
        const std::int64_t hour = *day * 24 + std::stoi(hh);
        const std::int64_t start = hour * kUsPerHour;
        if (start + kUsPerHour + delay_us > now_us) continue;  // not finished (long enough)
        const bool expired = start + kUsPerHour <= now_us - retention_us;
        if (!expired && compacted >= max_hours) {
          out.more = true;
          break;
        }
        exec("BEGIN");
        if (expired) {
          ++dropped;
        } else {
          const auto day_of_hour = hour >= 0 ? hour / 24 : -((-hour + 23) / 24);
          if (!known_days_.count(day_of_hour)) create_partition(day_of_hour);
          rows += exec_count(compact_sql(name, start));
          ++compacted;
        }
        exec("DROP TABLE " + name);
        exec("COMMIT");
        known_hours_.erase(hour);
        known_days_.insert(hour >= 0 ? hour / 24 : -((-hour + 23) / 24));
      }
      if (compacted > 0) {
        out.summary += "compacted " + std::to_string(compacted) + " hour(s) into " +
                       std::to_string(rows) + " series-hour row(s); ";
      }
      if (dropped > 0) {
        out.summary += "dropped " + std::to_string(dropped) + " expired raw hour(s); ";
      }
      return out;
    } catch (const DbError& e) {
      throw settle(e);
    }
  }

  void check_connected() const {
    if (conn_ == nullptr) throw DbError("not connected", true);
  }

  // After a failure: roll back what can be, and decide whether the connection is gone.
  DbError settle(const DbError& e) {
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      return DbError(e.what(), true, e.timed_out());
    }
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      PGresult* r = PQexec(conn_, "ROLLBACK");
      PQclear(r);
    }
    if (PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      return DbError(e.what(), true, e.timed_out());
    }
    return e;
  }

  void exec(const std::string& sql) { exec_count(sql); }

  long exec_count(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      throw_result(r, conn_, "");
    }
    const char* tuples = PQcmdTuples(r);
    long n = (tuples != nullptr && *tuples != '\0') ? std::atol(tuples) : 0;
    PQclear(r);
    return n;
  }

  std::vector<std::string> query_column(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      throw_result(r, conn_, "");
    }
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r); ++i) out.emplace_back(PQgetvalue(r, i, 0));
    PQclear(r);
    return out;
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
      throw_result(r, conn_, "ledger: ");
    }
    bool inserted = std::string(PQcmdTuples(r)) == "1";
    PQclear(r);
    return inserted;
  }

  // A day of compacted history: samples_pYYYYMMDD of samples_hourly.
  void create_partition(std::int64_t day) {
    exec("CREATE TABLE IF NOT EXISTS samples_p" + day_compact(day) +
         " PARTITION OF samples_hourly FOR VALUES FROM (" + std::to_string(day * kUsPerDay) +
         ") TO (" + std::to_string((day + 1) * kUsPerDay) + ")");
  }

  // An hour of raw rows: samples_raw_pYYYYMMDDHH.
  void create_raw_partition(std::int64_t hour) {
    const auto day = hour >= 0 ? hour / 24 : -((-hour + 23) / 24);
    char hh[8];
    std::snprintf(hh, sizeof hh, "%02d", static_cast<int>(hour - day * 24));
    exec("CREATE TABLE IF NOT EXISTS samples_raw_p" + day_compact(day) + hh +
         " PARTITION OF samples_raw FOR VALUES FROM (" + std::to_string(hour * kUsPerHour) +
         ") TO (" + std::to_string((hour + 1) * kUsPerHour) + ")");
  }

  void copy(const std::string& command, const std::string& data) {
    PGresult* r = PQexec(conn_, command.c_str());
    if (PQresultStatus(r) != PGRES_COPY_IN) {
      throw_result(r, conn_, command.substr(0, command.find(' ', 5)) + ": ");
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
    bool timed_out = false;
    while ((r = PQgetResult(conn_)) != nullptr) {
      if (PQresultStatus(r) != PGRES_COMMAND_OK && failure.empty()) {
        failure = first_line(PQresultErrorMessage(r));
        timed_out = statement_timed_out(r);
      }
      PQclear(r);
    }
    if (!failure.empty()) {
      throw DbError("COPY: " + failure, PQstatus(conn_) != CONNECTION_OK, timed_out);
    }
  }

  // The newest series (the likeliest to be written) into the cache, up to its bound.
  void preload_series() {
    const std::string sql =
        "SELECT id, agent, kind, key, metric FROM series ORDER BY id DESC LIMIT " +
        std::to_string(series_.max_entries());
    PGresult* r = PQexec(conn_, sql.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      throw_result(r, conn_, "series: ");
    }
    series_.preload(static_cast<std::size_t>(PQntuples(r)), [r](std::size_t row, int col) {
      return std::string_view(PQgetvalue(r, static_cast<int>(row), col),
                              static_cast<std::size_t>(PQgetlength(r, static_cast<int>(row), col)));
    });
    PQclear(r);
  }

  // The series id of each sample, in order; series met for the first time are inserted (in the
  // batch's transaction) and staged in the cache.
  std::vector<std::int32_t> resolve_series(const std::vector<Sample>& samples) {
    std::vector<std::int32_t> ids(samples.size(), 0);
    std::vector<std::size_t> missing;
    std::set<std::string> missing_keys;
    std::string key;
    for (std::size_t i = 0; i < samples.size(); ++i) {
      SeriesCache::key_of(samples[i], key);
      if (auto id = series_.find(key)) {
        ids[i] = *id;
      } else {
        missing.push_back(i);
        missing_keys.insert(key);
      }
    }
    if (missing.empty()) return ids;
    CopyBuffer buf(true);
    for (const auto& k : missing_keys) {
      buf.begin_row(4);
      std::size_t from = 0;
      for (int part = 0; part < 4; ++part) {
        auto to = part < 3 ? k.find('\0', from) : k.size();
        buf.text(std::string_view(k).substr(from, to - from));
        from = to + 1;
      }
      buf.end_row();
    }
    copy("COPY series_new (agent, kind, key, metric) FROM STDIN (FORMAT binary)", buf.finish());
    exec(
        "INSERT INTO series (agent, kind, key, metric) SELECT DISTINCT agent, kind, key, metric "
        "FROM series_new ON CONFLICT DO NOTHING");
    PGresult* r = PQexec(conn_,
                         "SELECT s.id, n.agent, n.kind, n.key, n.metric FROM series_new n "
                         "JOIN series s USING (agent, kind, key, metric)");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      throw_result(r, conn_, "series: ");
    }
    for (int row = 0; row < PQntuples(r); ++row) {
      key.clear();
      for (int c = 1; c <= 4; ++c) {
        if (c > 1) key.push_back('\0');
        key.append(PQgetvalue(r, row, c), PQgetlength(r, row, c));
      }
      series_.stage(key, static_cast<std::int32_t>(std::atol(PQgetvalue(r, row, 0))));
    }
    PQclear(r);
    for (auto i : missing) {
      SeriesCache::key_of(samples[i], key);
      auto id = series_.find(key);
      if (!id)
        throw DbError("series: no id for " + samples[i].agent + " " + samples[i].metric, false);
      ids[i] = *id;
    }
    return ids;
  }

  void copy_samples(const std::vector<Sample>& samples, const std::vector<std::int32_t>& ids) {
    const bool binary = settings_.copy_format == config::CopyFormat::kBinary;
    CopyBuffer buf(binary);
    for (std::size_t i = 0; i < samples.size(); ++i) {
      buf.begin_row(3);
      buf.int4(ids[i]);
      buf.int8(samples[i].time.time_since_epoch().count());
      buf.float8(samples[i].value);
      buf.end_row();
    }
    copy(std::string("COPY samples_raw (series_id, time, value) FROM STDIN") +
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
  OperationDeadline deadline_;
  PGconn* conn_ = nullptr;
  std::set<std::int64_t> known_days_;   // samples_hourly partitions known to exist
  std::set<std::int64_t> known_hours_;  // samples_raw partitions known to exist
  SeriesCache series_;
};

}  // namespace

BackendPtr make_postgresql_backend(const config::StoreSettings& settings) {
  return std::make_unique<PostgresqlBackend>(settings);
}

}  // namespace netpower::manager::store::detail
