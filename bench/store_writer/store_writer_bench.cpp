// store_writer_bench: samples/s into PostgreSQL through the manager's store (open_store +
// add_samples from a producer, until flush() says everything is committed) against a raw binary
// COPY of the same rows into the same table (libpq, samples_raw with the series ids already
// known, one COPY per transaction of the same batch size, and one COPY of everything), alternated
// in the same run on the same server. The writer also maps each sample to its series id. The goal
// (DESIGN.md): the writer >= 70% of the raw COPY's rows/s.
//
//   store_writer_bench [--rows 1000000] [--rounds 3] [--chunk 100]

#include <arpa/inet.h>
#include <libpq-fe.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "manager/store/soci_store.h"
#include "tests/support/manager/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace {

namespace model = netpower::manager::model;
namespace store = netpower::manager::store;
namespace config = netpower::manager::config;
using Clock = std::chrono::steady_clock;

// Rows as a poller produces them: per agent and poll, a few dozen port/board samples.
std::vector<model::Sample> make_samples(std::size_t rows) {
  std::vector<model::Sample> out;
  out.reserve(rows);
  const auto t0 = model::wall_now();
  static const char* kMetrics[] = {"outlet.current", "outlet.on", "ambient.temperature",
                                   "input.current"};
  for (std::size_t i = 0; i < rows; ++i) {
    const auto m = i % 4;
    out.push_back({"pdu-" + std::to_string(i / 64 % 10000),
                   m < 2 ? model::ObjectKind::kPort : model::ObjectKind::kBoard,
                   m < 2
                       ? std::string(1, static_cast<char>('A' + i % 4)) + std::to_string(i % 8 + 1)
                       : std::string(1, static_cast<char>('A' + i % 4)),
                   kMetrics[m], t0 + std::chrono::microseconds(i / 64 * 1000), 0.01 * (i % 997)});
  }
  return out;
}

class Copier {
 public:
  explicit Copier(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_));
  }
  ~Copier() { PQfinish(conn_); }
  Copier(const Copier&) = delete;
  Copier& operator=(const Copier&) = delete;

  void exec(const char* sql) {
    PGresult* r = PQexec(conn_, sql);
    const auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string msg = PQerrorMessage(conn_);
      PQclear(r);
      throw std::runtime_error(std::string(sql) + ": " + msg);
    }
    PQclear(r);
  }

  std::vector<std::vector<std::string>> query(const char* sql) {
    PGresult* r = PQexec(conn_, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::string msg = PQerrorMessage(conn_);
      PQclear(r);
      throw std::runtime_error(std::string(sql) + ": " + msg);
    }
    std::vector<std::vector<std::string>> rows(static_cast<std::size_t>(PQntuples(r)));
    for (int i = 0; i < PQntuples(r); ++i) {
      for (int c = 0; c < PQnfields(r); ++c) rows[i].emplace_back(PQgetvalue(r, i, c));
    }
    PQclear(r);
    return rows;
  }

  // One transaction: COPY samples_raw FROM STDIN (FORMAT binary) of rows [begin, end), whose
  // series ids are known (`ids`, in the order of the rows): the writer's work minus its own.
  void copy(const std::vector<model::Sample>& rows, const std::vector<std::int32_t>& ids,
            std::size_t begin, std::size_t end) {
    buf_.clear();
    static const char kHeader[] = "PGCOPY\n\377\r\n\0";
    buf_.append(kHeader, 11);
    put32(0);
    put32(0);
    for (std::size_t i = begin; i < end; ++i) {
      const auto& s = rows[i];
      put16(3);
      put32(4);
      put32(static_cast<std::uint32_t>(ids[i]));
      put32(8);
      put64(static_cast<std::uint64_t>(s.time.time_since_epoch().count()));
      put32(8);
      put64(std::bit_cast<std::uint64_t>(s.value));
    }
    put16(0xFFFF);
    exec("BEGIN");
    PGresult* r =
        PQexec(conn_, "COPY samples_raw (series_id, time, value) FROM STDIN (FORMAT binary)");
    if (PQresultStatus(r) != PGRES_COPY_IN) throw std::runtime_error(PQerrorMessage(conn_));
    PQclear(r);
    if (PQputCopyData(conn_, buf_.data(), static_cast<int>(buf_.size())) != 1 ||
        PQputCopyEnd(conn_, nullptr) != 1) {
      throw std::runtime_error(PQerrorMessage(conn_));
    }
    while ((r = PQgetResult(conn_)) != nullptr) {
      if (PQresultStatus(r) != PGRES_COMMAND_OK) throw std::runtime_error(PQerrorMessage(conn_));
      PQclear(r);
    }
    exec("COMMIT");
  }

 private:
  void put16(std::uint16_t v) {
    v = htons(v);
    buf_.append(reinterpret_cast<const char*>(&v), 2);
  }
  void put32(std::uint32_t v) {
    v = htonl(v);
    buf_.append(reinterpret_cast<const char*>(&v), 4);
  }
  void put64(std::uint64_t v) {
    put32(static_cast<std::uint32_t>(v >> 32));
    put32(static_cast<std::uint32_t>(v));
  }
  void text(std::string_view s) {
    put32(static_cast<std::uint32_t>(s.size()));
    buf_.append(s);
  }

  PGconn* conn_;
  std::string buf_;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t rows = 1'000'000;
  int rounds = 3;
  std::size_t chunk = 100;
  std::size_t batch_size = config::StoreSettings{}.batch_size;
  CLI::App app{"store_writer_bench: the store's writer vs a raw binary COPY (PostgreSQL)"};
  app.add_option("--rows", rows, "samples per measurement")->capture_default_str();
  app.add_option("--rounds", rounds, "alternated rounds (the median is reported)")
      ->capture_default_str();
  app.add_option("--chunk", chunk, "samples per add_samples() call (one poll's worth)")
      ->capture_default_str();
  app.add_option("--batch-size", batch_size, "store batch_size = raw COPY rows per transaction")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    netpower::testing::TempDir dir("np-sbench");
    netpower::testing::PostgresServer server;
    server.start();
    server.create_database("bench");
    config::StoreSettings settings;
    settings.backend = config::StoreBackend::kPostgresql;
    settings.postgresql.host = "127.0.0.1";
    settings.postgresql.port = server.port();
    settings.postgresql.dbname = "bench";
    settings.postgresql.user = server.superuser();
    settings.spool_dir = dir.file("spool").string();
    settings.batch_size = batch_size;
    settings.memory_buffer_rows = rows * 2;
    // The server runs with fsync=off and synchronous_commit=off (the fixture); the store sets
    // synchronous_commit=local for its own session, so the raw COPY does the same.
    const auto samples = make_samples(rows);
    Copier raw(server.conninfo("bench"));
    raw.exec("SET synchronous_commit = local");

    std::vector<double> writer_rates, raw_rates, raw_one_rates;
    std::vector<std::int32_t> ids;  // of each sample, known after the writer's first round
    {
      auto warm = store::open_store(settings);  // migrations, partitions, connection
      warm->add_samples({samples.begin(), samples.begin() + 1000});
      if (!warm->flush(std::chrono::seconds(60))) throw std::runtime_error("warm-up not flushed");
    }
    for (int round = 0; round < rounds; ++round) {
      raw.exec("TRUNCATE samples_raw");
      {
        // Chunks prepared before the clock starts: the producer's cost is not the writer's.
        std::vector<std::vector<model::Sample>> chunks;
        for (std::size_t i = 0; i < rows; i += chunk) {
          chunks.emplace_back(
              samples.begin() + static_cast<std::ptrdiff_t>(i),
              samples.begin() + static_cast<std::ptrdiff_t>(std::min(rows, i + chunk)));
        }
        auto history = store::open_store(settings);
        history->flush(std::chrono::seconds(30));  // connected
        const auto t0 = Clock::now();
        for (auto& c : chunks) history->add_samples(std::move(c));
        if (!history->flush(std::chrono::seconds(600))) throw std::runtime_error("not flushed");
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        writer_rates.push_back(static_cast<double>(rows) / s);
        const auto m = history->metrics();
        if (m.samples_written_total != rows) {
          std::fprintf(stderr, "writer wrote %llu of %zu samples\n",
                       static_cast<unsigned long long>(m.samples_written_total), rows);
        }
      }
      const auto stored = std::stoull(server.scalar("bench", "SELECT count(*) FROM samples_raw"));
      if (ids.empty()) {
        std::map<std::string, std::int32_t> by_name;
        for (const auto& r : raw.query("SELECT id, agent, kind, key, metric FROM series")) {
          by_name[r[1] + '\0' + r[2] + '\0' + r[3] + '\0' + r[4]] = std::stoi(r[0]);
        }
        for (const auto& s : samples) {
          ids.push_back(by_name.at(s.agent + '\0' + model::to_string(s.kind) + '\0' + s.key + '\0' +
                                   s.metric));
        }
      }
      raw.exec("TRUNCATE samples_raw");
      auto t0 = Clock::now();
      for (std::size_t i = 0; i < rows; i += batch_size)
        raw.copy(samples, ids, i, std::min(rows, i + batch_size));
      raw_rates.push_back(static_cast<double>(rows) /
                          std::chrono::duration<double>(Clock::now() - t0).count());
      raw.exec("TRUNCATE samples_raw");
      t0 = Clock::now();
      raw.copy(samples, ids, 0, rows);
      raw_one_rates.push_back(static_cast<double>(rows) /
                              std::chrono::duration<double>(Clock::now() - t0).count());
      std::printf(
          "round %d: writer %.0f rows/s (%llu rows in the table), raw COPY per %zu rows %.0f, "
          "raw COPY of all %.0f\n",
          round + 1, writer_rates.back(), static_cast<unsigned long long>(stored), batch_size,
          raw_rates.back(), raw_one_rates.back());
      std::fflush(stdout);
    }
    const double w = median(writer_rates), r = median(raw_rates), r1 = median(raw_one_rates);
    std::printf(
        "samples/s into PostgreSQL (%zu rows, median of %d rounds, samples_raw: hourly partitions, "
        "btree (series_id, time)):\n"
        "  store writer (open_store + add_samples of %zu, until flushed) %10.0f\n"
        "  raw binary COPY, %zu rows per transaction                    %10.0f\n"
        "  raw binary COPY, one transaction                             %10.0f\n"
        "  writer / raw COPY = %.0f%% (goal >= 70%%); writer / one COPY = %.0f%%\n",
        rows, rounds, chunk, w, batch_size, r, r1, 100 * w / r, 100 * w / r1);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "store_writer_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
