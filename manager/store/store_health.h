#pragma once
// The store's health as the exporter publishes it: StoreMetrics as netpower_store_* families
// (the names and help texts dashboards already use; docs/metrics.md).

#include <functional>

#include "manager/model/health.h"
#include "manager/store/store.h"

namespace netpower::manager::store {

// Writes one snapshot of `m`. netpower_store_down_since_timestamp_seconds is written only while
// the database is unreachable.
void write_store_health(const StoreMetrics& m, model::HealthWriter& out);

// A HealthSource over a store (or anything that returns StoreMetrics): each write_health() takes
// a fresh snapshot. The store must outlive the source.
class StoreHealth final : public model::HealthSource {
 public:
  explicit StoreHealth(const Store& store) : metrics_([&store] { return store.metrics(); }) {}
  explicit StoreHealth(std::function<StoreMetrics()> metrics) : metrics_(std::move(metrics)) {}
  void write_health(model::HealthWriter& out) const override {
    write_store_health(metrics_(), out);
  }

 private:
  std::function<StoreMetrics()> metrics_;
};

}  // namespace netpower::manager::store
