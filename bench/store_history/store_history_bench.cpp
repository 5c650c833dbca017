// store_history_bench: what a day of port samples costs in PostgreSQL and how fast one port's day
// is read back, for today's schema (0001: a row per value with its names, daily partitions, BRIN
// on time) against the compact one (0002: series ids, raw hourly partitions compacted into one
// row per series and hour), on the same simulated data in the same run.
//
//   old      0001, loaded by binary COPY as the old writer did; the query the old schema allows
//   raw      0002 as the writer leaves it (Backend::write: series ids + binary COPY), before
//            compaction
//   compact  the same rows after the store's compaction (Backend::compact)
//   big      0002 compacted rows of a --big-agents day written directly (COPY of the array rows:
//            a 1,000-agent day through the writer would take longer than this machine allows)
//
// Bytes: pg_total_relation_size (table + indexes + TOAST) of every partition, plus `series`.
// Query: one port's day (2,880 values) through StoreReader::history for 0002, the equivalent
// SELECT for 0001; warm cache, median and 90th percentile over --queries random ports.
//
//   store_history_bench [--agents 50] [--ports 104] [--big-agents 1000] [--queries 50]

#include <libpq-fe.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "manager/store/detail/backend.h"
#include "manager/store/detail/migrations.h"
#include "manager/store/detail/pg_copy.h"
#include "manager/store/soci_store.h"
#include "tests/support/manager/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace {

namespace model = netpower::manager::model;
namespace store = netpower::manager::store;
namespace config = netpower::manager::config;
namespace detail = netpower::manager::store::detail;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kUsPerHour = 3'600'000'000;
constexpr std::int64_t kUsPerDay = 24 * kUsPerHour;
constexpr int kPerDay = 2880;  // every 30 s

struct Day {
  std::int64_t start = 0;  // µs, a UTC midnight
  int ports = 104;
  std::string agent(int a) const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "pdu-%04d", a);
    return buf;
  }
  std::string port(int p) const {  // A1..D26
    return std::string(1, static_cast<char>('A' + p / 26 % 26)) + std::to_string(p % 26 + 1);
  }
  // A poll of an agent: every port shares its time, 30 s apart with up to 0.5 s of jitter.
  std::int64_t time(int a, int k) const {
    const auto jitter = static_cast<std::int64_t>((a * 7919 + k * 104729) % 500'000);
    return start + k * 30'000'000LL + jitter;
  }
  // Amperes to the hundredth, as a PDU reports them: a level per port, a daily swing, noise.
  double value(int a, int p, int k) const {
    const double base = 0.5 + ((a * 104 + p) % 60) * 0.1;
    const double swing = 0.4 * std::sin(k * 6.283185307179586 / kPerDay);
    const double noise = ((a * 31 + p * 17 + k * 13) % 7) * 0.01;
    return std::round((base + swing + noise) * 100) / 100;
  }
};

class Conn {
 public:
  explicit Conn(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_));
  }
  ~Conn() { PQfinish(conn_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  std::vector<std::vector<std::string>> query(const std::string& sql,
                                              const std::vector<std::string>& params = {}) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    PGresult* r = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
    const auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string msg = PQerrorMessage(conn_);
      PQclear(r);
      throw std::runtime_error(sql.substr(0, 80) + ": " + msg);
    }
    std::vector<std::vector<std::string>> rows(static_cast<std::size_t>(PQntuples(r)));
    for (int i = 0; i < PQntuples(r); ++i) {
      for (int c = 0; c < PQnfields(r); ++c) rows[i].emplace_back(PQgetvalue(r, i, c));
    }
    PQclear(r);
    return rows;
  }
  void exec(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string msg = PQerrorMessage(conn_);
      PQclear(r);
      throw std::runtime_error(sql.substr(0, 80) + ": " + msg);
    }
    PQclear(r);
  }
  void copy(const std::string& command, const std::string& data) {
    PGresult* r = PQexec(conn_, command.c_str());
    if (PQresultStatus(r) != PGRES_COPY_IN) throw std::runtime_error(PQerrorMessage(conn_));
    PQclear(r);
    if (PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1 ||
        PQputCopyEnd(conn_, nullptr) != 1) {
      throw std::runtime_error(PQerrorMessage(conn_));
    }
    while ((r = PQgetResult(conn_)) != nullptr) {
      if (PQresultStatus(r) != PGRES_COMMAND_OK) throw std::runtime_error(PQerrorMessage(conn_));
      PQclear(r);
    }
  }

 private:
  PGconn* conn_;
};

// A binary COPY of int4[] / float4[] columns (CopyBuffer has scalars only).
class ArrayCopy {
 public:
  ArrayCopy() {
    out_.append("PGCOPY\n\377\r\n\0", 11);
    be32(0);
    be32(0);
  }
  // vals4: float4, as compaction stores values that read back exactly from it.
  void row(std::int32_t series, std::int64_t hour, const std::vector<std::int32_t>& offsets,
           const std::vector<float>& vals) {
    be16(4);
    be32(4);
    be32(static_cast<std::uint32_t>(series));
    be32(8);
    be64(static_cast<std::uint64_t>(hour));
    array(23, offsets, 4, [&](std::int32_t v) { be32(static_cast<std::uint32_t>(v)); });
    array(700, vals, 4, [&](float v) { be32(std::bit_cast<std::uint32_t>(v)); });
  }
  std::string& finish() {
    be16(0xFFFF);
    return out_;
  }
  std::size_t size() const { return out_.size(); }

 private:
  template <typename T, typename F>
  void array(std::uint32_t oid, const std::vector<T>& v, std::uint32_t width, F put) {
    be32(static_cast<std::uint32_t>(20 + v.size() * (4 + width)));
    be32(1);  // dimensions
    be32(0);  // no NULLs
    be32(oid);
    be32(static_cast<std::uint32_t>(v.size()));
    be32(1);  // lower bound
    for (const auto& x : v) {
      be32(width);
      put(x);
    }
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
  std::string out_;
};

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Timing {
  double median_ms = 0, p90_ms = 0;
};
Timing summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 9 / 10)]};
}

std::int64_t partitions_bytes(Conn& c, const char* parent) {
  auto rows = c.query(
      std::string("SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits "
                  "WHERE inhparent = '") +
      parent + "'::regclass");
  return std::stoll(rows.at(0).at(0));
}
std::int64_t table_bytes(Conn& c, const char* table) {
  return std::stoll(
      c.query(std::string("SELECT pg_total_relation_size('") + table + "')").at(0).at(0));
}

config::StoreSettings settings_for(netpower::testing::PostgresServer& server, const std::string& db,
                                   const netpower::testing::TempDir& dir) {
  config::StoreSettings s;
  s.backend = config::StoreBackend::kPostgresql;
  s.postgresql.host = "127.0.0.1";
  s.postgresql.port = server.port();
  s.postgresql.dbname = db;
  s.postgresql.user = server.superuser();
  s.spool_dir = dir.file("spool-" + db).string();
  s.retention.samples = std::chrono::hours(24 * 30);
  return s;
}

// One port's day through the reader, `queries` times on random ports.
Timing time_reader(store::StoreReader& reader, const Day& day, int agents, int queries,
                   std::mt19937& rng) {
  std::vector<double> ms;
  for (int i = 0; i < queries + 3; ++i) {
    const int a = static_cast<int>(rng() % static_cast<unsigned>(agents));
    const int p = static_cast<int>(rng() % static_cast<unsigned>(day.ports));
    store::HistoryQuery q;
    q.series = {day.agent(a), model::ObjectKind::kPort, day.port(p), "outlet.current"};
    q.since = model::WallTime{std::chrono::microseconds(day.start)};
    q.until = model::WallTime{std::chrono::microseconds(day.start + kUsPerDay)};
    const auto t0 = Clock::now();
    auto h = reader.history(q);
    const double took = seconds_since(t0) * 1000;
    if (h.points.size() != kPerDay || h.points[17].value != day.value(a, p, 17)) {
      throw std::runtime_error("history of " + q.series.agent + " " + q.series.key + ": " +
                               std::to_string(h.points.size()) + " points");
    }
    if (i >= 3) ms.push_back(took);  // the first ones warm the connection and the cache
  }
  return summarize(ms);
}

}  // namespace

int main(int argc, char** argv) {
  int agents = 50;
  int big_agents = 1000;
  int queries = 50;
  Day day;
  CLI::App app{"store_history_bench: bytes per value and one port's day, schema 0001 vs 0002"};
  app.add_option("--agents", agents, "agents of the day loaded into both schemas")
      ->capture_default_str();
  app.add_option("--ports", day.ports, "ports per agent (one outlet.current series each)")
      ->capture_default_str();
  app.add_option("--big-agents", big_agents, "agents of the compacted-only day (0: skip)")
      ->capture_default_str();
  app.add_option("--queries", queries, "timed queries per case")->capture_default_str();
  int keep_seconds = 0;
  app.add_option("--keep", keep_seconds, "keep the server this long at the end (to look at it)");
  CLI11_PARSE(app, argc, argv);

  try {
    const auto now = model::wall_now().time_since_epoch().count();
    day.start = (now / kUsPerDay - 2) * kUsPerDay;  // the day before yesterday, UTC
    const std::int64_t values = static_cast<std::int64_t>(agents) * day.ports * kPerDay;
    netpower::testing::TempDir dir("np-hbench");
    netpower::testing::PostgresServer server;
    server.start();
    std::mt19937 rng(42);
    std::printf("store_history_bench: %d agents x %d ports x %d values (a day at 30 s) = %lld\n",
                agents, day.ports, kPerDay, static_cast<long long>(values));
    std::fflush(stdout);

    // ---- today's schema (0001) -------------------------------------------------------------
    server.create_database("old");
    Conn old(server.conninfo("old"));
    old.exec(
        "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
        "applied_at timestamptz NOT NULL DEFAULT now())");
    old.exec(detail::migrations_for(config::StoreBackend::kPostgresql).at(0).sql);
    old.exec(
        "CREATE TABLE samples_pday PARTITION OF samples FOR VALUES FROM (timestamptz 'epoch' + " +
        std::to_string(day.start) + " * interval '1 microsecond') TO (timestamptz 'epoch' + " +
        std::to_string(day.start + kUsPerDay) + " * interval '1 microsecond')");
    auto t0 = Clock::now();
    for (int a = 0; a < agents; ++a) {
      detail::CopyBuffer buf(true);
      const auto agent = day.agent(a);
      for (int k = 0; k < kPerDay; ++k) {
        for (int p = 0; p < day.ports; ++p) {
          buf.begin_row(6);
          buf.timestamptz(model::WallTime{std::chrono::microseconds(day.time(a, k))});
          buf.text(agent);
          buf.text("port");
          buf.text(day.port(p));
          buf.text("outlet.current");
          buf.float8(day.value(a, p, k));
        }
      }
      old.copy("COPY samples (time, agent, kind, key, metric, value) FROM STDIN (FORMAT binary)",
               buf.finish());
    }
    const double old_load = seconds_since(t0);
    old.exec("VACUUM ANALYZE samples");
    const auto old_bytes = partitions_bytes(old, "samples");
    std::vector<double> old_ms;
    for (int i = 0; i < queries + 3; ++i) {
      const int a = static_cast<int>(rng() % static_cast<unsigned>(agents));
      const int p = static_cast<int>(rng() % static_cast<unsigned>(day.ports));
      const auto t = Clock::now();
      auto rows = old.query(
          "SELECT (extract(epoch FROM time) * 1000000)::bigint, value FROM samples WHERE "
          "agent = $1 AND kind = 'port' AND key = $2 AND metric = 'outlet.current' AND "
          "time >= timestamptz 'epoch' + $3::bigint * interval '1 microsecond' AND "
          "time < timestamptz 'epoch' + $4::bigint * interval '1 microsecond' ORDER BY time",
          {day.agent(a), day.port(p), std::to_string(day.start),
           std::to_string(day.start + kUsPerDay)});
      const double took = seconds_since(t) * 1000;
      if (rows.size() != kPerDay) throw std::runtime_error("old schema: wrong row count");
      if (i >= 3) old_ms.push_back(took);
    }
    const auto old_q = summarize(old_ms);
    std::printf("  0001 loaded in %.1f s; %.1f bytes/value; one port's day %.2f ms (p90 %.2f)\n",
                old_load, static_cast<double>(old_bytes) / values, old_q.median_ms, old_q.p90_ms);
    std::fflush(stdout);
    old.exec("DROP TABLE samples");  // disk and cache for what follows

    // ---- the compact schema (0002), through the writer's backend ---------------------------
    server.create_database("new");
    auto settings = settings_for(server, "new", dir);
    auto backend = detail::make_postgresql_backend(settings);
    backend->connect();
    t0 = Clock::now();
    for (int a = 0; a < agents; ++a) {
      detail::Batch batch;
      batch.seq = static_cast<std::uint64_t>(a + 1);
      batch.id = "bench-" + std::to_string(a);
      const auto agent = day.agent(a);
      batch.samples.reserve(static_cast<std::size_t>(kPerDay) * day.ports);
      for (int k = 0; k < kPerDay; ++k) {
        for (int p = 0; p < day.ports; ++p) {
          batch.samples.push_back({agent, model::ObjectKind::kPort, day.port(p), "outlet.current",
                                   model::WallTime{std::chrono::microseconds(day.time(a, k))},
                                   day.value(a, p, k)});
        }
      }
      backend->write(batch);
    }
    const double raw_load = seconds_since(t0);
    Conn fresh(server.conninfo("new"));
    fresh.exec("VACUUM ANALYZE samples_raw");
    const auto series_bytes = table_bytes(fresh, "series");
    const auto raw_bytes = partitions_bytes(fresh, "samples_raw") + series_bytes;
    auto reader = store::open_store_reader(settings);
    const auto raw_q = time_reader(*reader, day, agents, queries, rng);
    std::printf(
        "  0002 raw: written in %.1f s (series + binary COPY); %.1f bytes/value; one port's day "
        "%.2f ms (p90 %.2f)\n",
        raw_load, static_cast<double>(raw_bytes) / values, raw_q.median_ms, raw_q.p90_ms);
    std::fflush(stdout);
    t0 = Clock::now();
    const auto summary =
        backend->compact(model::wall_now(), std::chrono::seconds(0), SIZE_MAX).summary;
    const double compact_s = seconds_since(t0);
    fresh.exec("VACUUM ANALYZE samples_hourly");
    const auto compact_bytes = partitions_bytes(fresh, "samples_hourly") +
                               partitions_bytes(fresh, "samples_raw") + series_bytes;
    const auto compact_q = time_reader(*reader, day, agents, queries, rng);
    std::printf(
        "  0002 compacted in %.1f s (%s); %.1f bytes/value; one port's day %.2f ms (p90 %.2f)\n",
        compact_s, summary.c_str(), static_cast<double>(compact_bytes) / values,
        compact_q.median_ms, compact_q.p90_ms);
    std::fflush(stdout);
    reader.reset();
    backend->disconnect();

    // ---- a --big-agents day, compacted rows only -----------------------------------------
    if (big_agents > 0) {
      server.create_database("big");
      auto big_settings = settings_for(server, "big", dir);
      store::migrate_database(big_settings);
      Conn big(server.conninfo("big"));
      big.exec("CREATE TABLE samples_pday PARTITION OF samples_hourly FOR VALUES FROM (" +
               std::to_string(day.start) + ") TO (" + std::to_string(day.start + kUsPerDay) + ")");
      t0 = Clock::now();
      {
        detail::CopyBuffer names(true);
        for (int a = 0; a < big_agents; ++a) {
          for (int p = 0; p < day.ports; ++p) {
            names.begin_row(4);
            names.text(day.agent(a));
            names.text("port");
            names.text(day.port(p));
            names.text("outlet.current");
          }
        }
        big.copy("COPY series (agent, kind, key, metric) FROM STDIN (FORMAT binary)",
                 names.finish());
      }
      std::vector<std::int32_t> offsets(kPerDay / 24);
      std::vector<float> vals(kPerDay / 24);
      for (int a = 0; a < big_agents; ++a) {
        ArrayCopy rows;
        for (int p = 0; p < day.ports; ++p) {
          const auto id = static_cast<std::int32_t>(a * day.ports + p + 1);  // identity order
          for (int h = 0; h < 24; ++h) {
            const auto hour = day.start + h * kUsPerHour;
            for (int j = 0; j < kPerDay / 24; ++j) {
              const int k = h * (kPerDay / 24) + j;
              offsets[j] = static_cast<std::int32_t>((day.time(a, k) - hour) / 1000);
              vals[j] = static_cast<float>(day.value(a, p, k));
            }
            rows.row(id, hour, offsets, vals);
          }
        }
        big.copy("COPY samples_hourly (series_id, hour, offsets, vals4) FROM STDIN (FORMAT binary)",
                 rows.finish());
      }
      const double big_load = seconds_since(t0);
      big.exec("VACUUM ANALYZE samples_hourly");
      const std::int64_t big_values = static_cast<std::int64_t>(big_agents) * day.ports * kPerDay;
      const auto big_bytes = partitions_bytes(big, "samples_hourly") + table_bytes(big, "series");
      auto big_reader = store::open_store_reader(big_settings);
      const auto big_q = time_reader(*big_reader, day, big_agents, queries, rng);
      std::printf(
          "  0002 compacted, %d agents (%lld values, loaded in %.1f s): %.1f bytes/value; one "
          "port's day %.2f ms (p90 %.2f)\n",
          big_agents, static_cast<long long>(big_values), big_load,
          static_cast<double>(big_bytes) / big_values, big_q.median_ms, big_q.p90_ms);
    }
    std::printf(
        "summary: bytes/value 0001 %.1f -> 0002 raw %.1f -> compacted %.1f (%.1f%% of 0001); one "
        "port's day 0001 %.2f ms -> raw %.2f ms -> compacted %.2f ms (%.0fx faster)\n",
        static_cast<double>(old_bytes) / values, static_cast<double>(raw_bytes) / values,
        static_cast<double>(compact_bytes) / values,
        100.0 * static_cast<double>(compact_bytes) / static_cast<double>(old_bytes),
        old_q.median_ms, raw_q.median_ms, compact_q.median_ms,
        old_q.median_ms / compact_q.median_ms);
    if (keep_seconds > 0) {
      std::printf("server kept for %d s: %s\n", keep_seconds, server.conninfo("big").c_str());
      std::fflush(stdout);
      std::this_thread::sleep_for(std::chrono::seconds(keep_seconds));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "store_history_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
