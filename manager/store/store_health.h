#pragma once
// The store's own health: its StoreMetrics as the netpower_store_* families of docs/metrics.md.

#include "manager/model/health.h"
#include "manager/store/store.h"

namespace netpower::manager::store {

void write_store_health(const StoreMetrics& s, model::HealthWriter& out);

// A store's counters at every scrape. `store` must outlive it.
class StoreHealth final : public model::HealthSource {
 public:
  explicit StoreHealth(const Store& store) : store_(store) {}
  void write_health(model::HealthWriter& out) const override {
    write_store_health(store_.metrics(), out);
  }

 private:
  const Store& store_;
};

}  // namespace netpower::manager::store
