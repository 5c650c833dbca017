// SQLite through SOCI: one prepared statement per table, one transaction per batch.

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "manager/store/detail/backend.h"
#include "manager/store/detail/migrations.h"
#include "manager/store/detail/series_cache.h"

namespace netpower::manager::store::detail {

namespace {

// soci-sqlite3.h includes <sqlite3.h> inside namespace sqlite_api.
using namespace sqlite_api;

// The history is no one else's business: a new database file is made 0600 here, before SQLite
// opens it (SQLite gives its -wal and -shm files the mode of the database). An existing file
// keeps the mode its owner gave it.
void create_private(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::fchmod(fd, 0600);  // whatever the umask
    ::close(fd);
    return;
  }
  if (errno != EEXIST) {
    throw std::system_error(errno, std::generic_category(), "cannot create " + path);
  }
}

class SqliteBackend final : public Backend {
 public:
  explicit SqliteBackend(const config::StoreSettings& settings) : settings_(settings) {}
  ~SqliteBackend() override { disconnect(); }

  std::vector<std::string> connect() override {
    disconnect();
    try {
      auto parent = std::filesystem::path(settings_.sqlite_path).parent_path();
      if (!parent.empty()) std::filesystem::create_directories(parent);
      create_private(settings_.sqlite_path);
      const auto timeout =
          std::chrono::duration_cast<std::chrono::seconds>(settings_.connect_timeout);
      session_ = std::make_unique<soci::session>(
          soci::sqlite3,
          "db=" + settings_.sqlite_path + " timeout=" + std::to_string(timeout.count()));
      db_ = static_cast<soci::sqlite3_session_backend*>(session_->get_backend())->conn_;
      // WAL: readers (the API) do not block the writer; NORMAL: a power cut loses at most the last
      // transactions, never the file.
      exec("PRAGMA journal_mode=WAL");
      exec("PRAGMA synchronous=NORMAL");
      auto applied = migrate();
      prepare();
      preload_series();
      return applied;
    } catch (const DbError& e) {
      disconnect();
      throw DbError(describe() + ": " + e.what(), true);
    } catch (const std::exception& e) {
      disconnect();
      throw DbError(describe() + ": " + e.what(), true);
    }
  }

  void disconnect() override {
    series_.clear();
    insert_sample_.reset();
    insert_event_.reset();
    insert_series_.reset();
    select_series_.reset();
    db_ = nullptr;
    session_.reset();
  }

  bool write(const Batch& batch) override {
    if (!session_) throw DbError("not connected", true);
    try {
      soci::transaction tx(*session_);
      int samples = static_cast<int>(batch.samples.size());
      int events = static_cast<int>(batch.events.size());
      long long now = wall_now().time_since_epoch().count();
      *session_ << "INSERT OR IGNORE INTO store_batches (batch_id, samples, events, committed_at) "
                   "VALUES (:id, :s, :e, :t)",
          soci::use(batch.id), soci::use(samples), soci::use(events), soci::use(now);
      if (sqlite3_changes(db_) == 0) {
        tx.rollback();
        return false;
      }
      std::string key;
      for (const auto& s : batch.samples) {
        SeriesCache::key_of(s, key);
        auto id = series_.find(key);
        if (!id) {
          row_agent_ = s.agent;
          row_kind_ = to_string(s.kind);
          row_key_ = s.key;
          row_metric_ = s.metric;
          insert_series_->execute(true);
          select_series_->execute(true);
          id = row_series_;
          series_.stage(key, *id);
        }
        row_series_ = *id;
        row_time_ = s.time.time_since_epoch().count();
        row_value_ = s.value;
        insert_sample_->execute(true);
      }
      for (const auto& e : batch.events) {
        row_time_ = e.time.time_since_epoch().count();
        row_agent_ = e.agent;
        row_kind_ = to_string(e.kind);
        row_oid_ = e.oid;
        row_varbinds_ = e.varbinds_json;
        row_text_ = e.text;
        insert_event_->execute(true);
      }
      tx.commit();
      series_.commit();
      return true;
    } catch (const soci::sqlite3_soci_error& e) {
      series_.rollback();
      // Constraint, type or size violations are this batch's fault; busy, disk full, I/O errors
      // are worth retrying after a reconnection.
      const int rc = e.result() & 0xFF;
      const bool refused = rc == SQLITE_CONSTRAINT || rc == SQLITE_MISMATCH || rc == SQLITE_TOOBIG;
      throw DbError(e.what(), !refused);
    } catch (const std::exception& e) {
      series_.rollback();
      throw DbError(e.what(), true);
    }
  }

  void upsert_agents(const std::vector<AgentRecord>& agents) override {
    if (!session_) throw DbError("not connected", true);
    try {
      soci::transaction tx(*session_);
      long long now = wall_now().time_since_epoch().count();
      for (const auto& a : agents) {
        std::string labels = nlohmann::json(a.labels).dump();
        int port = a.port;
        *session_
            << "INSERT INTO agents (name, address, port, version, labels, first_seen, updated_at) "
               "VALUES (:n, :a, :p, :v, :l, :t, :t2) ON CONFLICT (name) DO UPDATE SET "
               "address = excluded.address, port = excluded.port, version = excluded.version, "
               "labels = excluded.labels, updated_at = excluded.updated_at",
            soci::use(a.name), soci::use(a.address), soci::use(port), soci::use(a.version),
            soci::use(labels), soci::use(now), soci::use(now);
      }
      tx.commit();
    } catch (const std::exception& e) {
      throw DbError(std::string("upserting agents: ") + e.what(), true);
    }
  }

  std::string maintain(WallTime now) override {
    if (!session_) throw DbError("not connected", true);
    try {
      std::string summary;
      auto cutoff = [&](core::Duration age) {
        return (now - std::chrono::duration_cast<std::chrono::microseconds>(age))
            .time_since_epoch()
            .count();
      };
      auto remove = [&](const char* sql, core::Duration age, const char* what) {
        long long limit = cutoff(age);
        *session_ << sql, soci::use(limit);
        auto n = sqlite3_changes(db_);
        if (n > 0) summary += "deleted " + std::to_string(n) + " " + what + "; ";
      };
      remove("DELETE FROM samples_raw WHERE time < :t", settings_.retention.samples, "sample(s)");
      remove("DELETE FROM events WHERE time < :t", settings_.retention.events, "event(s)");
      remove("DELETE FROM store_batches WHERE committed_at < :t", settings_.retention.batch_ledger,
             "ledger row(s)");
      return summary;
    } catch (const std::exception& e) {
      throw DbError(std::string("retention: ") + e.what(), true);
    }
  }

  Compaction compact(WallTime, core::Duration, std::size_t) override { return {}; }

  std::string describe() const override { return "sqlite " + settings_.sqlite_path; }

 private:
  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string msg = error != nullptr ? error : sqlite3_errmsg(db_);
      sqlite3_free(error);
      throw DbError(msg, true);
    }
  }

  bool has_version(int version) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "SELECT 1 FROM schema_migrations WHERE version = ?", -1, &st, nullptr);
    sqlite3_bind_int(st, 1, version);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw DbError(sqlite3_errmsg(db_), true);
    return rc == SQLITE_ROW;
  }

  std::vector<std::string> migrate() {
    std::vector<std::string> applied;
    exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
    for (const auto& m : migrations_for(config::StoreBackend::kSqlite)) {
      exec("BEGIN IMMEDIATE");
      try {
        if (has_version(m.version)) {
          exec("ROLLBACK");
          continue;
        }
        exec(m.sql);
        exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (" +
             std::to_string(m.version) + ", '" + m.name + "', " +
             std::to_string(wall_now().time_since_epoch().count()) + ")");
        exec("COMMIT");
        applied.push_back(m.name);
      } catch (const DbError& e) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw DbError("migration " + m.name + ": " + e.what(), true);
      }
    }
    return applied;
  }

  // The newest series into the cache, up to its bound (a restarted writer does not ask again).
  void preload_series() {
    sqlite3_stmt* st = nullptr;
    const std::string sql =
        "SELECT id, agent, kind, key, metric FROM series ORDER BY id DESC LIMIT " +
        std::to_string(series_.max_entries());
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      throw DbError(sqlite3_errmsg(db_), true);
    }
    std::vector<std::array<std::string, 5>> rows;
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::array<std::string, 5> row;
      for (int c = 0; c < 5; ++c) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
        row[c].assign(text != nullptr ? text : "",
                      static_cast<std::size_t>(sqlite3_column_bytes(st, c)));
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    series_.preload(rows.size(), [&rows](std::size_t r, int c) {
      return std::string_view(rows[r][static_cast<std::size_t>(c)]);
    });
  }

  void prepare() {
    insert_sample_ = std::make_unique<soci::statement>(
        (session_->prepare << "INSERT INTO samples_raw (series_id, time, value) "
                              "VALUES (:s, :t, :v)",
         soci::use(row_series_), soci::use(row_time_), soci::use(row_value_)));
    insert_series_ = std::make_unique<soci::statement>(
        (session_->prepare << "INSERT OR IGNORE INTO series (agent, kind, key, metric) "
                              "VALUES (:a, :k, :y, :m)",
         soci::use(row_agent_), soci::use(row_kind_), soci::use(row_key_), soci::use(row_metric_)));
    select_series_ = std::make_unique<soci::statement>(
        (session_->prepare << "SELECT id FROM series WHERE agent = :a AND kind = :k AND "
                              "key = :y AND metric = :m",
         soci::into(row_series_), soci::use(row_agent_), soci::use(row_kind_), soci::use(row_key_),
         soci::use(row_metric_)));
    insert_event_ = std::make_unique<soci::statement>(
        (session_->prepare << "INSERT INTO events (time, agent, kind, oid, varbinds, text) "
                              "VALUES (:t, :a, :k, :o, :j, :x)",
         soci::use(row_time_), soci::use(row_agent_), soci::use(row_kind_), soci::use(row_oid_),
         soci::use(row_varbinds_), soci::use(row_text_)));
  }

  config::StoreSettings settings_;
  std::unique_ptr<soci::session> session_;
  sqlite3* db_ = nullptr;  // owned by session_
  // The prepared statements are bound to these.
  long long row_time_ = 0;
  int row_series_ = 0;
  std::string row_agent_, row_kind_, row_key_, row_metric_, row_oid_, row_varbinds_, row_text_;
  double row_value_ = 0;
  std::unique_ptr<soci::statement> insert_sample_;
  std::unique_ptr<soci::statement> insert_series_;
  std::unique_ptr<soci::statement> select_series_;
  SeriesCache series_;
  std::unique_ptr<soci::statement> insert_event_;
};

}  // namespace

BackendPtr make_sqlite_backend(const config::StoreSettings& settings) {
  return std::make_unique<SqliteBackend>(settings);
}

BackendPtr make_backend(const config::StoreSettings& settings) {
  return settings.backend == config::StoreBackend::kPostgresql ? make_postgresql_backend(settings)
                                                               : make_sqlite_backend(settings);
}

std::int64_t day_of(WallTime t) {
  auto us = t.time_since_epoch().count();
  constexpr std::int64_t kUsPerDay = 86'400'000'000;
  return us >= 0 ? us / kUsPerDay : -((-us + kUsPerDay - 1) / kUsPerDay);
}

namespace {
std::tm tm_of_day(std::int64_t day) {
  std::time_t t = static_cast<std::time_t>(day * 86400);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}
}  // namespace

std::string day_compact(std::int64_t day) {
  auto tm = tm_of_day(day);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

std::string day_iso(std::int64_t day) {
  auto tm = tm_of_day(day);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

}  // namespace netpower::manager::store::detail
