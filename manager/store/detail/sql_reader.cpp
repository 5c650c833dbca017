#include "manager/store/detail/sql_reader.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <iterator>
#include <mutex>
#include <unordered_map>

namespace netpower::manager::store {

namespace detail {

namespace {

constexpr std::int64_t kUsPerHour = 3'600'000'000;

std::uint64_t fnv1a(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

template <typename T>
bool parse_hex(std::string_view s, T& out) {
  if (s.empty() || s.size() > 16) return false;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  out = static_cast<T>(v);
  return true;
}

std::int64_t to_int(const std::optional<std::string>& text) {
  if (!text) throw QueryError("the database returned NULL where a number was expected");
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size()) {
    throw QueryError("the database returned '" + *text + "' where an integer was expected");
  }
  return v;
}

double to_double(const std::optional<std::string>& text) {
  if (!text) throw QueryError("the database returned NULL where a number was expected");
  // strtod reads "NaN", "Infinity" and PostgreSQL's shortest exact output.
  char* end = nullptr;
  const double v = std::strtod(text->c_str(), &end);
  if (end != text->c_str() + text->size()) {
    throw QueryError("the database returned '" + *text + "' where a number was expected");
  }
  return v;
}

std::string to_text(const std::optional<std::string>& text) { return text.value_or(""); }

// Open connections, at most `max`; a query borrows one.
class Pool {
 public:
  Pool(ConnectionFactory connect, ReaderOptions options)
      : connect_(std::move(connect)), options_(options) {}

  class Lease {
   public:
    Lease(Pool& pool, SqlConnectionPtr conn) : pool_(pool), conn_(std::move(conn)) {}
    ~Lease() { pool_.give_back(std::move(conn_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    SqlConnection& operator*() { return *conn_; }
    SqlConnection* operator->() { return conn_.get(); }

   private:
    Pool& pool_;
    SqlConnectionPtr conn_;
  };

  Lease take() {
    std::unique_lock lock(mu_);
    const auto max = std::max<std::size_t>(1, options_.max_connections);
    if (!free_cv_.wait_for(lock, options_.statement_timeout,
                           [&] { return !idle_.empty() || open_ < max; })) {
      throw QueryError("the store's database is busy: no free connection within " +
                       std::to_string(options_.statement_timeout.count()) + " ms");
    }
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(conn));
    }
    ++open_;
    lock.unlock();
    try {
      return Lease(*this, connect_());
    } catch (...) {
      lock.lock();
      --open_;
      free_cv_.notify_one();
      throw;
    }
  }

 private:
  void give_back(SqlConnectionPtr conn) {
    {
      std::lock_guard lock(mu_);
      if (conn && conn->healthy()) {
        idle_.push_back(std::move(conn));
      } else {
        --open_;
      }
    }
    free_cv_.notify_one();
  }

  ConnectionFactory connect_;
  ReaderOptions options_;
  std::mutex mu_;
  std::condition_variable free_cv_;
  std::vector<SqlConnectionPtr> idle_;
  std::size_t open_ = 0;
};

class SqlReader final : public StoreReader {
 public:
  SqlReader(Dialect dialect, ConnectionFactory connect, ReaderOptions options)
      : pg_(dialect == Dialect::kPostgresql), pool_(std::move(connect), options) {}

  EventPage events(const EventQuery& q) override {
    if (q.limit == 0) throw QueryError("limit must be at least 1", true);
    if (q.since && q.until && *q.since >= *q.until) {
      throw QueryError("since must be before until", true);
    }
    const std::size_t limit = std::min(q.limit, kMaxQueryRows);
    const auto filters = event_filter_hash(q);
    std::optional<EventCursor> cursor;
    if (!q.cursor.empty()) {
      cursor = decode_event_cursor(q.cursor);
      if (!cursor) throw QueryError("malformed cursor", true);
      if (cursor->filters != filters) {
        throw QueryError("the cursor belongs to a query with other filters", true);
      }
    }
    std::vector<SqlParam> params;
    auto param = [&](SqlParam value) {
      params.push_back(std::move(value));
      return (pg_ ? "$" : "?") + std::to_string(params.size());
    };
    // PostgreSQL's events.time is a timestamptz; SQLite's integer microseconds.
    auto time_param = [&](model::WallTime t) {
      auto p = param(t.time_since_epoch().count());
      return pg_ ? "(timestamptz 'epoch' + " + p + "::bigint * interval '1 microsecond')" : p;
    };
    std::string where;
    auto add = [&](const std::string& condition) {
      where += where.empty() ? " WHERE " : " AND ";
      where += condition;
    };
    if (q.agent) add("agent = " + param(*q.agent));
    if (q.kind) add("kind = " + param(std::string(to_string(*q.kind))));
    if (q.oid) add("oid = " + param(*q.oid));
    if (q.since) add("time >= " + time_param(*q.since));
    if (q.until) add("time < " + time_param(*q.until));
    if (cursor) {
      const auto t = time_param(model::WallTime{std::chrono::microseconds(cursor->time)});
      add("(time, id) < (" + t + ", " + param(cursor->id) + ")");
    }
    const std::string time_col = pg_ ? "(extract(epoch FROM time) * 1000000)::bigint" : "time";
    const std::string varbinds = pg_ ? "varbinds::text" : "varbinds";
    const std::string sql = "SELECT id, " + time_col + ", agent, kind, oid, " + varbinds +
                            ", text FROM events" + where + " ORDER BY time DESC, id DESC LIMIT " +
                            std::to_string(limit + 1);
    auto rows = pool_.take()->query(sql, params);
    EventPage page;
    for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
      const auto& r = rows[i];
      StoredEvent e;
      e.id = to_int(r.at(0));
      e.event.time = model::WallTime{std::chrono::microseconds(to_int(r.at(1)))};
      e.event.agent = to_text(r.at(2));
      auto kind = model::event_kind_from_string(to_text(r.at(3)));
      if (!kind) throw QueryError("unknown event kind '" + to_text(r.at(3)) + "' in the database");
      e.event.kind = *kind;
      e.event.oid = to_text(r.at(4));
      e.event.varbinds_json = to_text(r.at(5));
      e.event.text = to_text(r.at(6));
      page.events.push_back(std::move(e));
    }
    if (rows.size() > limit) {
      const auto& last = page.events.back();
      page.next_cursor =
          encode_event_cursor({last.event.time.time_since_epoch().count(), last.id, filters});
    }
    return page;
  }

  History history(const HistoryQuery& q) override {
    if (q.limit == 0) throw QueryError("limit must be at least 1", true);
    if (q.since >= q.until) throw QueryError("since must be before until", true);
    if (q.step.count() < 0) throw QueryError("step must not be negative", true);
    if (q.step > std::chrono::hours(24 * 366)) throw QueryError("step is over a year", true);
    const std::size_t limit = std::min(q.limit, kMaxQueryRows);
    History out;
    out.series = q.series;
    auto lease = pool_.take();
    const auto id = series_id(*lease, q.series);
    if (!id) return out;
    if (pg_ && q.step.count() == 0) {
      out.points = pg_points(*lease, *id, q, limit);
      out.truncated = out.points.size() > limit;
      if (out.truncated) out.points.resize(limit);
      return out;
    }
    std::vector<SqlParam> params{*id, q.since.time_since_epoch().count(),
                                 q.until.time_since_epoch().count()};
    const std::string p1 = pg_ ? "$1" : "?1", p2 = pg_ ? "$2" : "?2", p3 = pg_ ? "$3" : "?3";
    // Raw rows, and on PostgreSQL the compacted hours that overlap the range (an hour row starts
    // at most an hour before `since`). Each value comes as (t, k: its number for ordering and
    // buckets, v: what is returned). PostgreSQL returns float4 values as their shortest text,
    // which reads back as the double that was written (see samples_fit_real), without the
    // conversion of whole arrays that bucketing needs.
    const std::string range = " AND time >= " + p2 + " AND time < " + p3;
    std::string values = "SELECT time AS t, value AS k, value" + std::string(pg_ ? "::text" : "") +
                         " AS v FROM samples_raw WHERE series_id = " + p1 + range;
    if (pg_) {
      const std::string hours = " WHERE h.series_id = $1 AND h.hour > $2 - " +
                                std::to_string(kUsPerHour) +
                                " AND h.hour < $3) c WHERE t >= $2 AND t < $3";
      if (q.step.count() == 0) {
        values +=
            " UNION ALL SELECT t, k, v FROM (SELECT h.hour + u.ms::bigint * 1000 AS t, "
            "coalesce(u.v8, u.v4) AS k, coalesce(u.v8::text, u.v4::text) AS v FROM "
            "samples_hourly h CROSS JOIN LATERAL unnest(h.offsets, h.vals, h.vals4) AS "
            "u(ms, v8, v4)" +
            hours;
      } else {
        values +=
            " UNION ALL SELECT t, v, v::text FROM (SELECT h.hour + u.ms::bigint * 1000 AS t, u.v "
            "FROM samples_hourly h CROSS JOIN LATERAL unnest(h.offsets, samples_values(h.vals, "
            "h.vals4)) AS u(ms, v)" +
            hours;
      }
    }
    std::string sql;
    if (q.step.count() == 0) {
      sql = "SELECT t, v, v, v FROM (" + values + ") x ORDER BY t, k LIMIT " +
            std::to_string(limit + 1);
    } else {
      params.push_back(std::int64_t{q.step.count()} * 1'000'000);
      const std::string s = pg_ ? "$4" : "?4";
      sql = "SELECT b, avg(k), min(k), max(k) FROM (SELECT t - ((t % " + s + ") + " + s + ") % " +
            s + " AS b, k FROM (" + values + ") x) y GROUP BY b ORDER BY b LIMIT " +
            std::to_string(limit + 1);
    }
    auto rows = lease->query(sql, params);
    for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
      HistoryPoint p;
      p.time = model::WallTime{std::chrono::microseconds(to_int(rows[i].at(0)))};
      p.value = to_double(rows[i].at(1));
      p.min = to_double(rows[i].at(2));
      p.max = to_double(rows[i].at(3));
      out.points.push_back(p);
    }
    out.truncated = rows.size() > limit;
    return out;
  }

  std::vector<SeriesKey> series(const std::string& agent) override {
    const std::string p = pg_ ? "$1" : "?1";
    auto rows = pool_.take()->query("SELECT kind, key, metric FROM series WHERE agent = " + p +
                                        " ORDER BY kind, key, metric LIMIT " +
                                        std::to_string(kMaxQueryRows),
                                    {agent});
    std::vector<SeriesKey> out;
    for (const auto& r : rows) {
      auto kind = model::object_kind_from_string(to_text(r.at(0)));
      if (!kind) continue;  // a kind this version does not know
      out.push_back({agent, *kind, to_text(r.at(1)), to_text(r.at(2))});
    }
    return out;
  }

 private:
  // PostgreSQL without buckets: the hour rows as they are (24 rows for a day, their arrays as
  // text) and the raw rows, in one statement (one snapshot: a compaction moves rows between the
  // two atomically), merged here in (time, value) order. Up to limit + 1 points. The float4
  // values' shortest text reads back as the double that was written (samples_fit_real).
  std::vector<HistoryPoint> pg_points(SqlConnection& conn, std::int64_t id, const HistoryQuery& q,
                                      std::size_t limit) {
    const auto since = q.since.time_since_epoch().count();
    const auto until = q.until.time_since_epoch().count();
    // An hour row may start before `since` and the last may end after `until`: two rows that may
    // give no point, and every other one gives at least one.
    const std::string sql =
        "(SELECT 0, hour, offsets::text, coalesce(vals::text, vals4::text) FROM samples_hourly "
        "WHERE series_id = $1 AND hour > $2 - " +
        std::to_string(kUsPerHour) + " AND hour < $3 ORDER BY hour LIMIT " +
        std::to_string(limit + 3) +
        ") UNION ALL (SELECT 1, time, NULL, value::text FROM samples_raw WHERE series_id = $1 "
        "AND time >= $2 AND time < $3 ORDER BY time, value LIMIT " +
        std::to_string(limit + 1) + ")";
    auto rows = conn.query(sql, {id, since, until});
    std::vector<HistoryPoint> compacted, raw;
    for (const auto& r : rows) {
      const auto t = to_int(r.at(1));
      if (to_text(r.at(0)) == "1") {
        const double v = to_double(r.at(3));
        raw.push_back({model::WallTime{std::chrono::microseconds(t)}, v, v, v});
        continue;
      }
      const auto offsets_text = to_text(r.at(2));
      const auto vals_text = to_text(r.at(3));
      const auto offsets = split_array(offsets_text);
      const auto vals = split_array(vals_text);
      if (offsets.size() != vals.size()) throw QueryError("a history row with uneven arrays");
      for (std::size_t i = 0; i < offsets.size(); ++i) {
        const auto at = t + to_int(std::string(offsets[i])) * 1000;
        if (at < since || at >= until) continue;
        const double v = to_double(std::string(vals[i]));
        compacted.push_back({model::WallTime{std::chrono::microseconds(at)}, v, v, v});
      }
    }
    std::vector<HistoryPoint> out;
    out.reserve(std::min(limit + 1, compacted.size() + raw.size()));
    auto before = [](const HistoryPoint& a, const HistoryPoint& b) {
      return a.time < b.time || (a.time == b.time && a.value < b.value);
    };
    std::merge(compacted.begin(), compacted.end(), raw.begin(), raw.end(), std::back_inserter(out),
               before);
    if (out.size() > limit + 1) out.resize(limit + 1);
    return out;
  }

  // "{1,2,3}" -> "1", "2", "3" (numbers: PostgreSQL never quotes them).
  static std::vector<std::string_view> split_array(const std::string& text) {
    std::vector<std::string_view> out;
    std::string_view s(text);
    if (s.size() < 2 || s.front() != '{' || s.back() != '}') {
      throw QueryError("the database returned '" + text.substr(0, 40) + "' for an array");
    }
    s = s.substr(1, s.size() - 2);
    while (!s.empty()) {
      const auto comma = s.find(',');
      out.push_back(s.substr(0, comma));
      if (comma == std::string_view::npos) break;
      s.remove_prefix(comma + 1);
    }
    return out;
  }

  // Series are never renumbered or removed, so a found id is kept (bounded).
  std::optional<std::int64_t> series_id(SqlConnection& conn, const SeriesKey& key) {
    std::string name = key.agent + '\0' + to_string(key.kind) + '\0' + key.key + '\0' + key.metric;
    {
      std::lock_guard lock(ids_mu_);
      if (auto it = ids_.find(name); it != ids_.end()) return it->second;
    }
    auto id = lookup_series(conn, key);
    if (id) {
      std::lock_guard lock(ids_mu_);
      if (ids_.size() >= 1'000'000) ids_.clear();
      ids_.emplace(std::move(name), *id);
    }
    return id;
  }

  std::optional<std::int64_t> lookup_series(SqlConnection& conn, const SeriesKey& key) {
    const bool pg = pg_;
    auto p = [pg](int i) { return (pg ? "$" : "?") + std::to_string(i); };
    auto rows = conn.query("SELECT id FROM series WHERE agent = " + p(1) + " AND kind = " + p(2) +
                               " AND key = " + p(3) + " AND metric = " + p(4),
                           {key.agent, std::string(to_string(key.kind)), key.key, key.metric});
    if (rows.empty()) return std::nullopt;
    return to_int(rows[0].at(0));
  }

  const bool pg_;
  Pool pool_;
  std::mutex ids_mu_;
  std::unordered_map<std::string, std::int64_t> ids_;
};

}  // namespace

std::string encode_event_cursor(const EventCursor& c) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "e1.%llx.%llx.%llx",
                static_cast<unsigned long long>(static_cast<std::uint64_t>(c.time)),
                static_cast<unsigned long long>(static_cast<std::uint64_t>(c.id)),
                static_cast<unsigned long long>(c.filters));
  return buf;
}

std::optional<EventCursor> decode_event_cursor(std::string_view text) {
  if (text.size() > 64 || !text.starts_with("e1.")) return std::nullopt;
  text.remove_prefix(3);
  std::string_view parts[3];
  for (int i = 0; i < 3; ++i) {
    auto dot = text.find('.');
    if ((i < 2) != (dot != std::string_view::npos)) return std::nullopt;
    parts[i] = text.substr(0, dot);
    text = i < 2 ? text.substr(dot + 1) : std::string_view{};
  }
  EventCursor c;
  if (!parse_hex(parts[0], c.time) || !parse_hex(parts[1], c.id) ||
      !parse_hex(parts[2], c.filters)) {
    return std::nullopt;
  }
  return c;
}

std::uint64_t event_filter_hash(const EventQuery& q) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto field = [&](char tag, bool set, std::string_view value) {
    const char head[2] = {tag, set ? '1' : '0'};
    h = fnv1a(h, std::string_view(head, 2));
    if (!set) return;
    h = fnv1a(h, std::to_string(value.size()));
    h = fnv1a(h, value);
  };
  field('a', q.agent.has_value(), q.agent.value_or(""));
  field('k', q.kind.has_value(), q.kind ? to_string(*q.kind) : "");
  field('o', q.oid.has_value(), q.oid.value_or(""));
  field('s', q.since.has_value(),
        q.since ? std::to_string(q.since->time_since_epoch().count()) : "");
  field('u', q.until.has_value(),
        q.until ? std::to_string(q.until->time_since_epoch().count()) : "");
  return h;
}

StoreReaderPtr make_sql_reader(Dialect dialect, ConnectionFactory connect, ReaderOptions options) {
  return std::make_unique<SqlReader>(dialect, std::move(connect), options);
}

}  // namespace detail

StoreReaderPtr open_store_reader(const config::StoreSettings& settings, ReaderOptions options) {
  if (settings.backend == config::StoreBackend::kPostgresql) {
    return detail::make_sql_reader(
        detail::Dialect::kPostgresql,
        [settings, options] { return detail::connect_postgresql_reader(settings, options); },
        options);
  }
  return detail::make_sql_reader(
      detail::Dialect::kSqlite,
      [settings, options] { return detail::connect_sqlite_reader(settings, options); }, options);
}

}  // namespace netpower::manager::store
