#include "manager/store/action_journal.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>
#include <type_traits>

#include "core/duration.h"
#include "manager/store/detail/journal_codec.h"
#include "manager/store/detail/journal_db.h"
#include "manager/store/detail/journal_queue.h"
#include "manager/store/detail/journal_sql.h"
#include "manager/store/detail/migrations.h"
#include "manager/store/detail/text.h"
#include "manager/store/history.h"
#include "manager/store/soci_store.h"

namespace netpower::manager::store {

namespace {

using detail::DbError;
using detail::Dialect;
using detail::JournalQueue;
using detail::JournalWrite;
using SteadyClock = std::chrono::steady_clock;

// Writes per transaction: a backlog after an outage is written in few commits.
constexpr std::size_t kWritesPerTransaction = 64;
// Records named in the log when they are lost at shutdown.
constexpr std::size_t kLostRecordsLogged = 100;

std::string describe(const JournalWrite& write) {
  if (const auto* r = std::get_if<model::ActionRecord>(&write)) {
    return "action " + std::to_string(r->id) + " (" + to_string(r->kind) + " " + r->target +
           " by " + r->principal + ", " + to_string(r->result) + ")";
  }
  const auto& b = std::get<model::Binding>(write);
  return "binding " + b.outlet.text() + " -> " + (b.host_name.empty() ? b.host_id : b.host_name);
}

class SqlActionJournal final : public AuditJournal {
 public:
  SqlActionJournal(const config::StoreSettings& settings, ActionJournalOptions options)
      : settings_(settings),
        options_(options),
        dialect_(settings.backend == config::StoreBackend::kPostgresql ? Dialect::kPostgresql
                                                                       : Dialect::kSqlite),
        db_(detail::make_journal_db(settings)),
        queue_(options.max_pending, options.max_pending_bytes),
        backoff_(settings.reconnect_min) {
    thread_ = std::thread([this] { run(); });
  }

  ~SqlActionJournal() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  void record(const model::ActionRecord& action) override {
    if (action.id == 0 ||
        action.id > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      std::lock_guard lock(mu_);
      ++counters_.dropped_total;
      spdlog::error("audit: a record with the invalid id {} ({} {}) is not kept", action.id,
                    to_string(action.kind), action.target);
      return;
    }
    model::ActionRecord r = action;
    const auto cut = detail::clean_record(r);
    const auto bytes = detail::approximate_bytes(r);
    add(JournalWrite{std::move(r)}, bytes, cut);
  }

  void bind(const model::Binding& binding) override {
    model::Binding b = binding;
    const auto cut = detail::clean_binding(b);
    const auto bytes = detail::approximate_bytes(b);
    add(JournalWrite{std::move(b)}, bytes, cut);
  }

  std::uint64_t last_action_id() override {
    std::unique_lock lock(mu_);
    if (settled_cv_.wait_for(lock, options_.last_id_timeout,
                             [&] { return db_last_id_.has_value(); })) {
      return std::max(*db_last_id_, max_recorded_id_);
    }
    const auto floor = static_cast<std::uint64_t>(model::wall_now().time_since_epoch().count());
    spdlog::warn(
        "audit: the largest action id could not be read from {} within {} ms; new ids start "
        "above {} (the clock in microseconds) so that they stay unique",
        db_->describe(), options_.last_id_timeout.count(), floor);
    return std::max(floor, max_recorded_id_);
  }

  std::vector<model::ActionRecord> actions(const model::ActionQuery& query) override {
    const auto q = detail::actions_query(dialect_, query);
    return read([&](detail::SqlConnection& c) {
      std::vector<model::ActionRecord> out;
      for (const auto& row : c.query(q.sql, q.params)) out.push_back(detail::action_from_row(row));
      add_outlets(c, out);
      return out;
    });
  }

  std::optional<model::ActionRecord> action(std::uint64_t id) override {
    const auto q = detail::action_query(dialect_, id);
    return read([&](detail::SqlConnection& c) -> std::optional<model::ActionRecord> {
      auto rows = c.query(q.sql, q.params);
      if (rows.empty()) return std::nullopt;
      std::vector<model::ActionRecord> out{detail::action_from_row(rows.front())};
      add_outlets(c, out);
      return std::move(out.front());
    });
  }

  std::vector<model::Binding> bindings() override {
    const auto q = detail::bindings_query(dialect_);
    return read([&](detail::SqlConnection& c) {
      std::vector<model::Binding> out;
      for (const auto& row : c.query(q.sql, q.params)) out.push_back(detail::binding_from_row(row));
      return out;
    });
  }

  bool flush(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    const auto target = queue_.last_seq();
    if (queue_.settled(target)) return true;
    wake_.notify_all();
    return settled_cv_.wait_for(lock, timeout, [&] { return queue_.settled(target); });
  }

  AuditMetrics metrics() const override {
    std::lock_guard lock(mu_);
    AuditMetrics m = counters_;
    m.connected = connected_;
    m.down_since = down_since_;
    m.pending = queue_.size();
    m.pending_bytes = queue_.bytes();
    return m;
  }

 private:
  void add(JournalWrite write, std::size_t bytes, std::size_t cut) {
    {
      std::lock_guard lock(mu_);
      counters_.truncated_total += cut;
      if (const auto* r = std::get_if<model::ActionRecord>(&write)) {
        max_recorded_id_ = std::max(max_recorded_id_, r->id);
      }
      auto what = cut > 0 ? describe(write) : std::string();
      const auto added = queue_.add(std::move(write), bytes);
      if (cut > 0) {
        spdlog::warn("audit: {} was over the journal's bounds; {} field(s) cut", what, cut);
      }
      if (added == JournalQueue::Added::kFull) {
        ++counters_.dropped_total;
        ++lost_while_full_;
        if (lost_while_full_ == 1) {
          spdlog::error(
              "audit: the buffer is full ({} writes, {} bytes) while {} is unreachable; new "
              "writes are lost until it returns (netpower_audit_dropped_total counts them)",
              queue_.size(), queue_.bytes(), db_->describe());
        }
        return;
      }
    }
    wake_.notify_all();
  }

  template <typename F>
  std::invoke_result_t<F&, detail::SqlConnection&> read(F&& f) {
    std::lock_guard lock(reader_mu_);
    if (reader_ && !reader_->healthy()) reader_.reset();
    // One snapshot for the rows and their outlets (PostgreSQL's default isolation would give each
    // statement its own).
    const std::string begin = dialect_ == Dialect::kPostgresql
                                  ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                  : "BEGIN";
    if (reader_) {
      try {
        reader_->query(begin, {});
      } catch (const QueryError&) {
        // A kept connection that broke while idle (the server restarted): once more, anew.
        if (reader_->healthy()) throw;
        reader_.reset();
      }
    }
    if (!reader_) {
      ReaderOptions options;
      options.statement_timeout = options_.statement_timeout;
      reader_ = dialect_ == Dialect::kPostgresql
                    ? detail::connect_postgresql_reader(settings_, options)
                    : detail::connect_sqlite_reader(settings_, options);
      reader_->query(begin, {});
    }
    try {
      auto out = f(*reader_);
      reader_->query("COMMIT", {});
      return out;
    } catch (...) {
      try {
        if (reader_->healthy()) reader_->query("ROLLBACK", {});
      } catch (const std::exception&) {
        reader_.reset();
      }
      throw;
    }
  }

  static void add_outlets(detail::SqlConnection& c, std::vector<model::ActionRecord>& records) {
    if (records.empty()) return;
    std::vector<std::uint64_t> ids;
    ids.reserve(records.size());
    for (const auto& r : records) ids.push_back(r.id);
    detail::add_outlets(records, c.query(detail::outlets_query(ids), {}));
  }

  // The writer thread.
  void run() {
    next_connect_ = SteadyClock::now();
    while (true) {
      {
        std::unique_lock lock(mu_);
        if (connected_) {
          wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        } else {
          wake_.wait_until(lock, next_connect_, [&] { return stop_; });
        }
        if (stop_) break;
      }
      if (!is_connected()) {
        if (SteadyClock::now() >= next_connect_) try_connect();
        continue;
      }
      write_some();
    }
    shutdown();
  }

  bool is_connected() {
    std::lock_guard lock(mu_);
    return connected_;
  }

  bool queue_empty() {
    std::lock_guard lock(mu_);
    return queue_.empty();
  }

  void try_connect() {
    try {
      db_->connect();
      if (!migrated_) {
        if (!schema_current()) {
          for (const auto& name : migrate_database(settings_)) {
            spdlog::info("audit: applied migration {}", name);
          }
        }
        migrated_ = true;
      }
      std::optional<std::uint64_t> last;
      if (!last_id_read_) {
        const auto text = db_->scalar(detail::last_action_id_sql());
        std::int64_t v = 0;
        if (text) {
          auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
          if (ec != std::errc() || end != text->data() + text->size()) {
            throw DbError("max(id) of actions is '" + *text + "'", true);
          }
        }
        last = static_cast<std::uint64_t>(v);
        last_id_read_ = true;
      }
      backoff_ = settings_.reconnect_min;
      {
        std::lock_guard lock(mu_);
        if (last) db_last_id_ = last;
        connected_ = true;
        if (down_since_) {
          const auto outage = std::chrono::duration_cast<std::chrono::milliseconds>(
              model::wall_now() - *down_since_);
          spdlog::info("audit: {} reachable again after {} (down since {}); {} write(s) to apply",
                       db_->describe(), core::format_duration(outage),
                       detail::iso_time(*down_since_), queue_.size());
          down_since_.reset();
        } else {
          spdlog::info("audit: connected to {}", db_->describe());
        }
      }
      settled_cv_.notify_all();
    } catch (const std::exception& e) {
      db_->disconnect();
      std::lock_guard lock(mu_);
      ++counters_.connect_failures_total;
      if (!down_since_) {
        down_since_ = model::wall_now();
        spdlog::warn("audit: {} unreachable since {}: {}; keeping up to {} writes in memory",
                     db_->describe(), detail::iso_time(*down_since_), e.what(),
                     options_.max_pending);
      } else {
        spdlog::debug("audit: reconnection failed: {}", e.what());
      }
      next_connect_ = SteadyClock::now() + backoff_;
      backoff_ = std::min(backoff_ * 2, settings_.reconnect_max);
    }
  }

  // Whether every migration this version knows is applied: the usual case, in which the journal
  // does not open the store's migration path (its connection also loads the series cache).
  bool schema_current() {
    std::optional<std::string> version;
    try {
      version = db_->scalar("SELECT max(version) FROM schema_migrations");
    } catch (const DbError&) {
      if (!db_->connected()) throw;
      return false;  // no schema_migrations yet
    }
    const auto latest = detail::migrations_for(settings_.backend).size();
    return version && std::to_string(latest) == *version;
  }

  void connection_lost(const std::string& reason) {
    db_->disconnect();
    std::lock_guard lock(mu_);
    connected_ = false;
    down_since_ = model::wall_now();
    spdlog::warn("audit: {} unreachable since {}: {}; keeping up to {} writes in memory",
                 db_->describe(), detail::iso_time(*down_since_), reason, options_.max_pending);
    backoff_ = settings_.reconnect_min;
    next_connect_ = SteadyClock::now() + backoff_;
  }

  void apply(const std::vector<JournalQueue::Taken>& writes) {
    const auto now = model::wall_now();
    db_->begin();
    for (const auto& w : writes) {
      const auto statements =
          std::holds_alternative<model::ActionRecord>(w.write)
              ? detail::record_statements(dialect_, std::get<model::ActionRecord>(w.write), now)
              : detail::binding_statements(dialect_, std::get<model::Binding>(w.write), now);
      for (const auto& s : statements) db_->exec(s.sql, s.params);
    }
    db_->commit();
  }

  // Writes the oldest waiting writes in one transaction. When the database refuses it, each is
  // written alone, so that only the refused ones are lost.
  void write_some() {
    std::vector<JournalQueue::Taken> writes;
    {
      std::lock_guard lock(mu_);
      writes = queue_.take(kWritesPerTransaction);
    }
    if (writes.empty()) return;
    try {
      apply(writes);
      committed(writes);
      return;
    } catch (const DbError& e) {
      if (!failed(e)) return;
      if (writes.size() == 1) {
        drop(writes.front(), e.what());
        return;
      }
    }
    for (const auto& w : writes) {
      try {
        apply({w});
        committed({w});
      } catch (const DbError& e) {
        if (!failed(e)) return;
        drop(w, e.what());
      }
    }
  }

  // After a failed transaction: true when the database refused the data (the caller decides what
  // is lost); otherwise every taken write waits again and the writer reconnects.
  bool failed(const DbError& e) {
    db_->rollback();
    {
      std::lock_guard lock(mu_);
      ++counters_.write_failures_total;
      if (e.connection_lost()) queue_.release();
    }
    if (e.connection_lost()) {
      connection_lost(e.what());
      return false;
    }
    return true;
  }

  void committed(const std::vector<JournalQueue::Taken>& writes) {
    {
      std::lock_guard lock(mu_);
      for (const auto& w : writes) {
        queue_.done(w.seq);
        if (std::holds_alternative<model::ActionRecord>(w.write)) {
          ++counters_.records_written_total;
        } else {
          ++counters_.bindings_written_total;
        }
      }
      if (queue_.empty() && lost_while_full_ > 0) {
        spdlog::error("audit: caught up; {} write(s) were lost while the buffer was full",
                      lost_while_full_);
        lost_while_full_ = 0;
      }
    }
    settled_cv_.notify_all();
  }

  void drop(const JournalQueue::Taken& w, const std::string& why) {
    {
      std::lock_guard lock(mu_);
      queue_.done(w.seq);
      ++counters_.dropped_total;
    }
    spdlog::error("audit: the database refused {}: {}; lost", describe(w.write), why);
    settled_cv_.notify_all();
  }

  void shutdown() {
    const auto deadline = SteadyClock::now() + options_.shutdown_timeout;
    while (!queue_empty() && SteadyClock::now() < deadline) {
      if (!is_connected()) {
        if (SteadyClock::now() >= next_connect_) {
          try_connect();
        } else {
          std::this_thread::sleep_until(std::min(next_connect_, deadline));
        }
        continue;
      }
      write_some();
    }
    std::vector<JournalWrite> lost;
    {
      std::lock_guard lock(mu_);
      lost = queue_.snapshot();
      counters_.dropped_total += lost.size();
    }
    if (!lost.empty()) {
      spdlog::error("audit: stopping with {} write(s) not written to {}; lost:", lost.size(),
                    db_->describe());
      for (std::size_t i = 0; i < lost.size() && i < kLostRecordsLogged; ++i) {
        spdlog::error("audit: lost {}", describe(lost[i]));
      }
      if (lost.size() > kLostRecordsLogged) {
        spdlog::error("audit: ... and {} more", lost.size() - kLostRecordsLogged);
      }
    }
    db_->disconnect();
    std::lock_guard lock(mu_);
    connected_ = false;
  }

  const config::StoreSettings settings_;
  const ActionJournalOptions options_;
  const Dialect dialect_;
  detail::JournalDbPtr db_;  // the writer thread's

  // Shared, under mu_.
  mutable std::mutex mu_;
  std::condition_variable wake_;        // the writer: writes, stop
  std::condition_variable settled_cv_;  // flush() and last_action_id() callers
  bool stop_ = false;
  JournalQueue queue_;
  AuditMetrics counters_;
  bool connected_ = false;
  std::optional<model::WallTime> down_since_;
  std::optional<std::uint64_t> db_last_id_;
  std::uint64_t max_recorded_id_ = 0;
  std::uint64_t lost_while_full_ = 0;

  // The writer thread's own.
  SteadyClock::time_point next_connect_;
  core::Duration backoff_;
  bool migrated_ = false;
  bool last_id_read_ = false;
  std::thread thread_;

  // The read side: one connection, one query at a time.
  std::mutex reader_mu_;
  detail::SqlConnectionPtr reader_;
};

}  // namespace

AuditJournalPtr open_action_journal(const config::StoreSettings& settings,
                                    ActionJournalOptions options) {
  return std::make_unique<SqlActionJournal>(settings, options);
}

}  // namespace netpower::manager::store
