#pragma once
// The action journal's health: its AuditMetrics as the netpower_audit_* families of
// docs/metrics.md.

#include "manager/model/health.h"
#include "manager/store/action_journal.h"

namespace netpower::manager::store {

void write_audit_health(const AuditMetrics& m, model::HealthWriter& out);

// A journal's counters at every scrape. `journal` must outlive it.
class AuditHealth final : public model::HealthSource {
 public:
  explicit AuditHealth(const AuditJournal& journal) : journal_(journal) {}
  void write_health(model::HealthWriter& out) const override {
    write_audit_health(journal_.metrics(), out);
  }

 private:
  const AuditJournal& journal_;
};

}  // namespace netpower::manager::store
