// Rows per second into PostgreSQL: the store's batch write with binary COPY and with text COPY,
// against SOCI's bulk insert (vector use), on the same schema and server. Not a timed test: label
// "bench", excluded from normal runs (ctest -LE bench); run ./manager_store_bench directly.

#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <chrono>
#include <cstdio>

#include "manager/store/detail/backend.h"
#include "manager/store/soci_store.h"
#include "tests/integration/manager/store/store_test_db.h"

namespace netpower::manager::store {
namespace {

constexpr int kBatches = 20;
constexpr int kBatchRows = 10000;

detail::Batch make_batch(int n) {
  detail::Batch b;
  b.seq = static_cast<std::uint64_t>(n + 1);
  b.id = "bench-" + std::to_string(n) + "-" + std::to_string(wall_now().time_since_epoch().count());
  const auto t0 = wall_now();
  for (int i = 0; i < kBatchRows; ++i) {
    b.samples.push_back({"rack-" + std::to_string(i % 50), ObjectKind::kPort,
                         std::string(1, char('A' + i % 26)) + std::to_string(i % 4 + 1),
                         "outlet.current", t0 + std::chrono::microseconds(i), 0.01 * i});
  }
  return b;
}

double rows_per_second(const std::function<void(const detail::Batch&)>& write) {
  std::vector<detail::Batch> batches;
  for (int i = 0; i < kBatches; ++i) batches.push_back(make_batch(i));
  const auto start = std::chrono::steady_clock::now();
  for (const auto& b : batches) write(b);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return kBatches * kBatchRows / took.count();
}

TEST(StoreBench, CopyBinaryVersusTextVersusSociBulk) {
  testing::TempDir dir("np-bench");
  testing::PostgresServer server;
  server.start();
  auto db = testdb::make_postgres(server, "bench", dir);
  auto settings = db->settings();
  migrate_database(settings);

  settings.copy_format = config::CopyFormat::kBinary;
  auto binary = detail::make_postgresql_backend(settings);
  binary->connect();
  binary->write(make_batch(1000));  // warm-up: partitions, caches
  const double binary_rate = rows_per_second([&](const detail::Batch& b) { binary->write(b); });

  settings.copy_format = config::CopyFormat::kText;
  auto text = detail::make_postgresql_backend(settings);
  text->connect();
  const double text_rate = rows_per_second([&](const detail::Batch& b) { text->write(b); });

  soci::session sql(soci::postgresql,
                    settings.postgresql.connection_string(std::chrono::seconds(5)));
  const double soci_rate = rows_per_second([&](const detail::Batch& b) {
    // The same rows into the same table; the series ids are the ones the COPY runs created.
    std::vector<long long> time;
    std::vector<std::string> agent, kind, key, metric;
    std::vector<double> value;
    for (const auto& s : b.samples) {
      time.push_back(s.time.time_since_epoch().count());
      agent.push_back(s.agent);
      kind.push_back(to_string(s.kind));
      key.push_back(s.key);
      metric.push_back(s.metric);
      value.push_back(s.value);
    }
    soci::transaction tx(sql);
    sql << "INSERT INTO samples_raw (series_id, time, value) SELECT id, :t, :v FROM series "
           "WHERE agent = :a AND kind = :k AND key = :y AND metric = :m",
        soci::use(time), soci::use(value), soci::use(agent), soci::use(kind), soci::use(key),
        soci::use(metric);
    tx.commit();
  });

  std::printf(
      "rows/s into samples_raw (%d batches of %d rows, btree (series_id, time), hourly "
      "partitions):\n"
      "  COPY binary     %10.0f\n  COPY text       %10.0f\n  SOCI bulk insert %9.0f\n"
      "  binary/text %.2fx, binary/SOCI %.1fx\n",
      kBatches, kBatchRows, binary_rate, text_rate, soci_rate, binary_rate / text_rate,
      binary_rate / soci_rate);
  RecordProperty("copy_binary_rows_per_s", static_cast<int>(binary_rate));
  RecordProperty("copy_text_rows_per_s", static_cast<int>(text_rate));
  RecordProperty("soci_bulk_rows_per_s", static_cast<int>(soci_rate));
  EXPECT_EQ(db->count("samples"), (3 * kBatches + 1) * kBatchRows);
}

}  // namespace
}  // namespace netpower::manager::store
