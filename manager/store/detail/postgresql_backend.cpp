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
#include "manager/store/detail/pg_copy.h"
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

  void disconnect() override {
    conn_ = nullptr;
    session_.reset();
    known_days_.clear();
    known_hours_.clear();
    series_.clear();
  }

  bool write(const Batch& batch) override {
    check_connected();
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

  Compaction compact(WallTime now, core::Duration delay, std::size_t max_hours) override {
    check_connected();
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

  // Moves one raw hour into one row per series (merged with a row already there: late rows of a
  // compacted hour, replayed from the spool, are compacted again). Ties in time are ordered by
  // value so that the two aggregates pair the same rows.
  static std::string compact_sql(const std::string& partition, std::int64_t start) {
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

  // The newest series (the likeliest to be written) into the cache, up to its bound.
  void preload_series() {
    const std::string sql =
        "SELECT id, agent, kind, key, metric FROM series ORDER BY id DESC LIMIT " +
        std::to_string(series_.max_entries());
    PGresult* r = PQexec(conn_, sql.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::string msg = first_line(PQresultErrorMessage(r));
      PQclear(r);
      throw DbError("series: " + msg, PQstatus(conn_) != CONNECTION_OK);
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
      std::string msg = first_line(PQresultErrorMessage(r));
      PQclear(r);
      throw DbError("series: " + msg, PQstatus(conn_) != CONNECTION_OK);
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
  std::unique_ptr<soci::session> session_;
  PGconn* conn_ = nullptr;              // owned by session_
  std::set<std::int64_t> known_days_;   // samples_hourly partitions known to exist
  std::set<std::int64_t> known_hours_;  // samples_raw partitions known to exist
  SeriesCache series_;
};

}  // namespace

BackendPtr make_postgresql_backend(const config::StoreSettings& settings) {
  return std::make_unique<PostgresqlBackend>(settings);
}

}  // namespace netpower::manager::store::detail
