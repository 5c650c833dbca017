// What the outage tests share: a producer of numbered samples, the spool's files, the check that
// every sample arrived exactly once.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>

#include "manager/store/store.h"
#include "tests/integration/manager/store/store_test_db.h"

namespace netpower::manager::store::testdb {

inline std::size_t spool_files(const std::filesystem::path& dir) {
  std::size_t n = 0;
  if (!std::filesystem::exists(dir)) return 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    n += e.path().extension() == ".npspool" ? 1 : 0;
  }
  return n;
}

// Adds one numbered sample every `period` until stopped; the numbers are the samples' values.
class Producer {
 public:
  Producer(Store& store, std::chrono::microseconds period) : store_(store) {
    thread_ = std::thread([this, period] {
      while (!stop_) {
        const auto i = next_++;
        store_.add_samples({{"pdu-1", ObjectKind::kPort, "A" + std::to_string(i % 4 + 1),
                             "outlet.current", wall_now(), double(i)}});
        std::this_thread::sleep_for(period);
      }
    });
  }
  ~Producer() { stop(); }
  std::int64_t stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return next_;
  }
  std::int64_t produced() const { return next_; }

 private:
  Store& store_;
  std::atomic<bool> stop_{false};
  std::atomic<std::int64_t> next_{0};
  std::thread thread_;
};

// count, distinct values, min, max of the samples.
inline void expect_exactly(const testdb::TestDb& db, std::int64_t produced) {
  auto row =
      db.query("SELECT count(*), count(DISTINCT value), min(value), max(value) FROM samples").at(0);
  EXPECT_EQ(std::stoll(row[0]), produced) << "rows";
  EXPECT_EQ(std::stoll(row[1]), produced) << "distinct values (duplicates?)";
  EXPECT_EQ(row[2], "0");
  EXPECT_EQ(std::stoll(row[3]), produced - 1);
}

}  // namespace netpower::manager::store::testdb
