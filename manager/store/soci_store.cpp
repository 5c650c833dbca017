#include "manager/store/soci_store.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <condition_variable>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "core/duration.h"
#include "manager/store/detail/backend.h"
#include "manager/store/detail/spool.h"
#include "manager/store/detail/text.h"

namespace netpower::manager::store {

namespace {

using detail::Backend;
using detail::Batch;
using detail::DbError;
using detail::iso_time;
using detail::random_writer_id;
using detail::sanitize;
using detail::Spool;
using detail::SpoolFile;
using SteadyClock = std::chrono::steady_clock;

struct Queued {
  std::optional<Batch> batch;     // in memory
  std::optional<SpoolFile> file;  // or in the spool
  std::size_t rows = 0;
  std::uint64_t row_start = 0;  // rows are numbered in the order they were accepted
};

class SociStore final : public Store {
 public:
  SociStore(const config::StoreSettings& settings, StoreOptions options)
      : settings_(settings),
        options_(options),
        backend_(detail::make_backend(settings)),
        spool_(settings.spool_dir, settings.spool_max_bytes),
        writer_id_(random_writer_id()),
        backoff_(settings.reconnect_min) {
    std::uint64_t corrupt = 0;
    std::uint64_t rows = 0;
    for (auto& file : spool_.scan(corrupt)) {
      Queued q;
      q.rows = file.rows;
      q.row_start = rows;
      rows += file.rows;
      next_seq_ = std::max(next_seq_, file.seq + 1);
      q.file = std::move(file);
      queue_.emplace(q.file->seq, std::move(q));
    }
    counters_.corrupt_spool_files_total = corrupt;
    accepted_ = rows;
    next_row_start_ = rows;
    if (corrupt > 0) {
      spdlog::error("store: {} damaged spool file(s) in {} renamed to *.corrupt", corrupt,
                    spool_.dir().string());
    }
    if (!queue_.empty()) {
      spdlog::info(
          "store: {} batch(es) ({} rows) left in the spool {} by an earlier run will be replayed",
          queue_.size(), rows, spool_.dir().string());
    }
    publish();
    thread_ = std::thread([this] { run(); });
  }

  ~SociStore() override {
    // From now on nothing may take longer than the stop timeout: a database operation that hangs
    // (a stopped server) is cut then, and what is queued goes to the spool.
    const auto deadline = SteadyClock::now() + options_.shutdown_timeout;
    backend_->abort_by(deadline);
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      stop_deadline_ = deadline;
    }
    wake_.notify_all();
    thread_.join();
  }

  void add_samples(std::vector<Sample> samples) override {
    std::size_t invalid = 0;
    std::vector<Sample> valid;
    valid.reserve(samples.size());
    for (auto& s : samples) {
      if (std::isnan(s.value)) {
        ++invalid;  // SQLite cannot store NaN; a missing value is no sample
        continue;
      }
      sanitize(s.agent);
      sanitize(s.key);
      sanitize(s.metric);
      valid.push_back(std::move(s));
    }
    if (valid.empty() && invalid == 0) return;
    bool full = false;
    {
      std::lock_guard lock(mu_);
      invalid_rows_ += invalid;
      accepted_ += valid.size();
      if (pending_samples_.empty()) {
        pending_samples_ = std::move(valid);
      } else {
        pending_samples_.insert(pending_samples_.end(), std::make_move_iterator(valid.begin()),
                                std::make_move_iterator(valid.end()));
      }
      full = pending_rows() >= settings_.batch_size;
    }
    if (full) wake_.notify_all();
  }

  void add_events(std::vector<Event> events) override {
    for (auto& e : events) {
      sanitize(e.agent);
      sanitize(e.oid);
      sanitize(e.text);
      sanitize(e.varbinds_json);
      if (e.varbinds_json.empty()) e.varbinds_json = "[]";
      if (!nlohmann::json::accept(e.varbinds_json)) {
        e.varbinds_json = nlohmann::json{{"invalid_json", e.varbinds_json}}.dump();
      }
    }
    if (events.empty()) return;
    bool full = false;
    {
      std::lock_guard lock(mu_);
      accepted_ += events.size();
      pending_events_.insert(pending_events_.end(), std::make_move_iterator(events.begin()),
                             std::make_move_iterator(events.end()));
      full = pending_rows() >= settings_.batch_size;
    }
    if (full) wake_.notify_all();
  }

  void set_agents(std::vector<AgentRecord> agents) override {
    {
      std::lock_guard lock(mu_);
      agents_ = std::move(agents);
      agents_dirty_ = true;
    }
    wake_.notify_all();
  }

  bool flush(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    const auto target = accepted_;
    if (settled_ >= target) return true;
    flush_requested_ = true;
    wake_.notify_all();
    return settled_cv_.wait_for(lock, timeout, [&] { return settled_ >= target; });
  }

  StoreMetrics metrics() const override {
    std::lock_guard lock(mu_);
    StoreMetrics m = published_;
    m.pending_rows = pending_rows();
    m.rows_dropped_total += invalid_rows_;
    return m;
  }

 private:
  std::size_t pending_rows() const { return pending_samples_.size() + pending_events_.size(); }

  std::vector<Batch> cut_batches(bool all) {
    return detail::cut_batches(pending_events_, pending_samples_, settings_.batch_size, all,
                               writer_id_, next_seq_);
  }

  void run() {
    auto next_cut = SteadyClock::now() + settings_.flush_interval;
    next_connect_ = SteadyClock::now();
    auto next_maintain = SteadyClock::now();
    auto next_compact = SteadyClock::now();
    while (true) {
      std::vector<Batch> cut;
      bool stopping = false;
      {
        std::unique_lock lock(mu_);
        const bool busy = connected_ && !queue_.empty();
        if (!busy) {
          auto wake_at = next_cut;
          wake_at =
              std::min(wake_at, connected_ ? std::min(next_maintain, next_compact) : next_connect_);
          wake_.wait_until(lock, wake_at, [&] {
            return stop_ || flush_requested_ || (agents_dirty_ && connected_) ||
                   pending_rows() >= settings_.batch_size;
          });
        }
        stopping = stop_;
        const auto now = SteadyClock::now();
        const bool due = now >= next_cut;
        cut = cut_batches(stopping || flush_requested_ || due);
        flush_requested_ = false;
        if (due) next_cut = now + settings_.flush_interval;
      }
      for (auto& batch : cut) enqueue(std::move(batch), stopping);
      if (stopping) break;
      const auto now = SteadyClock::now();
      if (!connected_ && now >= next_connect_) try_connect();
      if (connected_ && agents_dirty_relaxed()) upsert_agents();
      if (connected_ && now >= next_maintain) {
        maintain();
        next_maintain = now + settings_.retention.check_interval;
        next_compact = now;
      }
      if (connected_ && now >= next_compact) {
        const bool more = compact();
        next_compact = more ? now : now + options_.compaction_interval;
      }
      if (connected_ && !queue_.empty()) write_front();
      publish();
    }
    shutdown();
    publish();
  }

  // Into memory while it fits (or while the database keeps up), else into the spool, else dropped
  // (counted). Row numbers: batches are cut in order, so each starts where the previous ended.
  void enqueue(Batch batch, bool stopping) {
    Queued q;
    q.rows = batch.rows();
    q.row_start = next_row_start_;
    next_row_start_ += q.rows;
    const auto seq = batch.seq;
    const bool fits = memory_rows_ + q.rows <= settings_.memory_buffer_rows;
    if (fits || (connected_ && queue_.empty()) || stopping) {
      memory_rows_ += q.rows;
      q.batch = std::move(batch);
      queue_.emplace(seq, std::move(q));
      return;
    }
    std::string error;
    auto file = spool_.write(batch, false, error);
    if (file) {
      if (!spooling_logged_) {
        spdlog::warn("store: memory buffer full ({} rows in {} batches); spooling batches to {}",
                     memory_rows_, queue_.size(), spool_.dir().string());
        spooling_logged_ = true;
      }
      ++counters_.batches_spooled_total;
      q.file = std::move(file);
      queue_.emplace(seq, std::move(q));
      return;
    }
    counters_.rows_dropped_total += q.rows;
    if (!drop_logged_) {
      spdlog::error(
          "store: cannot keep batch {} ({} rows): {}; dropping new batches until the database "
          "returns (rows_dropped_total counts them)",
          batch.id, q.rows, error);
      drop_logged_ = true;
    }
  }

  bool agents_dirty_relaxed() {
    std::lock_guard lock(mu_);
    return agents_dirty_;
  }

  void try_connect() {
    try {
      auto applied = backend_->connect();
      for (const auto& name : applied) spdlog::info("store: applied migration {}", name);
      connected_ = true;
      backoff_ = settings_.reconnect_min;
      if (down_since_) {
        const auto outage =
            std::chrono::duration_cast<std::chrono::milliseconds>(wall_now() - *down_since_);
        std::size_t spooled = 0;
        std::uint64_t rows = 0;
        for (const auto& [seq, q] : queue_) {
          spooled += q.file ? 1 : 0;
          rows += q.rows;
        }
        spdlog::info(
            "store: {} reachable again after {} (down since {}); {} batch(es) ({} rows) to "
            "write, {} of them from the spool",
            backend_->describe(), core::format_duration(outage), iso_time(*down_since_),
            queue_.size(), rows, spooled);
        down_since_.reset();
      } else {
        spdlog::info("store: connected to {}", backend_->describe());
      }
      std::lock_guard lock(mu_);
      agents_dirty_ = true;
    } catch (const std::exception& e) {
      ++counters_.connect_failures_total;
      backend_->disconnect();
      if (!down_since_) {
        down_since_ = wall_now();
        spdlog::warn(
            "store: {} unreachable since {}: {}; buffering up to {} rows in memory, then in {}",
            backend_->describe(), iso_time(*down_since_), e.what(), settings_.memory_buffer_rows,
            spool_.dir().string());
      } else {
        spdlog::debug("store: reconnection failed: {}", e.what());
      }
      next_connect_ = SteadyClock::now() + backoff_;
      backoff_ = std::min(backoff_ * 2, settings_.reconnect_max);
    }
  }

  void connection_lost(const std::string& reason) {
    backend_->disconnect();
    connected_ = false;
    down_since_ = wall_now();
    spooling_logged_ = false;
    drop_logged_ = false;
    spdlog::warn(
        "store: {} unreachable since {}: {}; buffering up to {} rows in memory, then in {}",
        backend_->describe(), iso_time(*down_since_), reason, settings_.memory_buffer_rows,
        spool_.dir().string());
    backoff_ = settings_.reconnect_min;
    next_connect_ = SteadyClock::now() + backoff_;
  }

  void upsert_agents() {
    std::vector<AgentRecord> agents;
    {
      std::lock_guard lock(mu_);
      agents = agents_;
      agents_dirty_ = false;
    }
    try {
      if (!agents.empty()) backend_->upsert_agents(agents);
    } catch (const DbError& e) {
      if (e.connection_lost()) {
        connection_lost(e.what());
        std::lock_guard lock(mu_);
        agents_dirty_ = true;
      } else {
        spdlog::error("store: {}", e.what());
      }
    }
  }

  void maintain() {
    try {
      auto summary = backend_->maintain(wall_now());
      ++counters_.retention_runs_total;
      if (!summary.empty()) {
        if (summary.size() >= 2) summary.resize(summary.size() - 2);
        spdlog::info("store: maintenance: {}", summary);
      }
    } catch (const DbError& e) {
      if (e.connection_lost()) {
        connection_lost(e.what());
      } else {
        spdlog::error("store: maintenance failed: {}", e.what());
      }
    }
  }

  // One hour per call: a big hour takes seconds, and batches are written between hours. True when
  // more hours wait (the writer comes back at once).
  bool compact() {
    try {
      auto result = backend_->compact(wall_now(), options_.compaction_delay, 1);
      if (!result.summary.empty()) {
        result.summary.resize(result.summary.size() - 2);
        spdlog::info("store: compaction: {}", result.summary);
      }
      return result.more;
    } catch (const DbError& e) {
      if (e.connection_lost()) {
        connection_lost(e.what());
      } else {
        spdlog::error("store: compaction failed: {}", e.what());
      }
      return false;
    }
  }

  // Writes the oldest queued batch; on an outage it stays queued.
  void write_front() {
    auto it = queue_.begin();
    Queued& q = it->second;
    std::optional<Batch> loaded;
    const Batch* batch = q.batch ? &*q.batch : nullptr;
    if (batch == nullptr) {
      std::string error;
      try {
        loaded = spool_.read(*q.file, error);
      } catch (const std::exception& e) {
        error = e.what();
      }
      if (!loaded) {
        ++counters_.corrupt_spool_files_total;
        counters_.rows_dropped_total += q.rows;
        spdlog::error("store: spool file unusable, {} rows lost: {}", q.rows, error);
        queue_.erase(it);
        return;
      }
      batch = &*loaded;
    }
    try {
      const bool fresh = backend_->write(*batch);
      if (fresh) {
        counters_.samples_written_total += batch->samples.size();
        counters_.events_written_total += batch->events.size();
        ++counters_.batches_written_total;
        if (q.file) {
          counters_.rows_replayed_total += q.rows;
          replayed_rows_ += q.rows;
          ++replayed_batches_;
        }
      } else {
        ++counters_.duplicate_batches_total;
        spdlog::warn("store: batch {} ({} rows) was committed before (ledger); skipped", batch->id,
                     q.rows);
      }
      finish(it);
    } catch (const DbError& e) {
      ++counters_.write_failures_total;
      if (e.connection_lost()) {
        connection_lost(e.what());
        return;
      }
      counters_.rows_dropped_total += q.rows;
      try {
        auto path = spool_.reject(*batch);
        spdlog::error("store: the database refused batch {} ({} rows): {}; saved to {}", batch->id,
                      q.rows, e.what(), path.string());
      } catch (const std::exception& save) {
        spdlog::error("store: the database refused batch {} ({} rows): {}; lost ({})", batch->id,
                      q.rows, e.what(), save.what());
      }
      finish(it);
    }
  }

  void finish(std::map<std::uint64_t, Queued>::iterator it) {
    if (it->second.file) {
      spool_.remove(*it->second.file);
    } else {
      memory_rows_ -= it->second.rows;
    }
    queue_.erase(it);
    if (queue_.empty() && replayed_rows_ > 0) {
      spdlog::info("store: caught up; replayed {} rows from {} spooled batch(es)", replayed_rows_,
                   replayed_batches_);
      replayed_rows_ = 0;
      replayed_batches_ = 0;
    }
    if (queue_.empty()) {
      spooling_logged_ = false;
      drop_logged_ = false;
    }
  }

  void shutdown() {
    SteadyClock::time_point deadline;
    {
      std::lock_guard lock(mu_);
      deadline = stop_deadline_;
    }
    while (!queue_.empty() && SteadyClock::now() < deadline) {
      if (!connected_) {
        // A connection attempt may take connect_timeout: only when it fits before the deadline.
        if (std::max(SteadyClock::now(), next_connect_) + settings_.connect_timeout > deadline) {
          break;
        }
        if (SteadyClock::now() >= next_connect_) {
          try_connect();
        } else {
          std::this_thread::sleep_until(next_connect_);
        }
        continue;
      }
      write_front();
      publish();
    }
    // What is left goes to the spool, bound or not: nothing queued is lost at shutdown.
    std::size_t spooled = 0;
    std::uint64_t rows = 0;
    for (auto& [seq, q] : queue_) {
      rows += q.rows;
      if (!q.batch) {
        ++spooled;
        continue;
      }
      std::string error;
      auto file = spool_.write(*q.batch, true, error);
      if (!file) {
        counters_.rows_dropped_total += q.rows;
        spdlog::error("store: stopping: cannot spool batch {} ({} rows): {}; lost", q.batch->id,
                      q.rows, error);
        continue;
      }
      ++counters_.batches_spooled_total;
      ++spooled;
      memory_rows_ -= q.rows;
      q.batch.reset();
      q.file = std::move(file);
    }
    if (spooled > 0) {
      spdlog::warn(
          "store: stopping with {} batch(es) ({} rows) unwritten; they are in {} and will be "
          "replayed at the next start",
          spooled, rows, spool_.dir().string());
    }
    backend_->disconnect();
    connected_ = false;
  }

  // Copies the writer's state into what metrics() and flush() read.
  void publish() {
    StoreMetrics m = counters_;
    m.connected = connected_;
    m.down_since = down_since_;
    for (const auto& [seq, q] : queue_) {
      if (q.batch) {
        ++m.memory_batches;
        m.memory_rows += q.rows;
      } else {
        ++m.spool_batches;
        m.spool_rows += q.rows;
      }
    }
    m.spool_bytes = spool_.bytes();
    {
      std::lock_guard lock(mu_);
      published_ = m;
      settled_ = queue_.empty() ? next_row_start_ : queue_.begin()->second.row_start;
    }
    settled_cv_.notify_all();
  }

  const config::StoreSettings settings_;
  const StoreOptions options_;
  detail::BackendPtr backend_;
  Spool spool_;
  const std::string writer_id_;

  // Shared with producers, under mu_.
  mutable std::mutex mu_;
  std::condition_variable wake_;        // the writer: rows, flush, stop
  std::condition_variable settled_cv_;  // flush() callers
  bool stop_ = false;
  SteadyClock::time_point stop_deadline_;
  bool flush_requested_ = false;
  std::vector<Sample> pending_samples_;
  std::vector<Event> pending_events_;
  std::uint64_t accepted_ = 0;  // rows accepted since start (plus those of the spool at start)
  std::uint64_t settled_ = 0;   // rows before this number are committed (or given up)
  std::uint64_t invalid_rows_ = 0;
  std::vector<AgentRecord> agents_;
  bool agents_dirty_ = false;
  StoreMetrics published_;

  // The writer thread's own.
  std::map<std::uint64_t, Queued> queue_;  // by seq: the order of writing
  std::uint64_t next_seq_ = 1;
  std::uint64_t next_row_start_ = 0;
  std::uint64_t memory_rows_ = 0;
  StoreMetrics counters_;
  bool connected_ = false;
  std::optional<WallTime> down_since_;
  SteadyClock::time_point next_connect_;
  core::Duration backoff_;
  bool spooling_logged_ = false;
  bool drop_logged_ = false;
  std::uint64_t replayed_rows_ = 0;
  std::uint64_t replayed_batches_ = 0;
  std::thread thread_;
};

}  // namespace

StorePtr open_store(const config::StoreSettings& settings, StoreOptions options) {
  return std::make_unique<SociStore>(settings, options);
}

std::vector<std::string> migrate_database(const config::StoreSettings& settings) {
  auto backend = detail::make_backend(settings);
  try {
    auto applied = backend->connect();
    backend->disconnect();
    return applied;
  } catch (const DbError& e) {
    throw std::runtime_error(backend->describe() + ": " + e.what());
  }
}

}  // namespace netpower::manager::store
