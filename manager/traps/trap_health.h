#pragma once
// The trap receiver's own health: its TrapCounters as the netpower_traps_* families of
// docs/metrics.md.

#include "manager/model/health.h"
#include "manager/traps/trap_receiver.h"

namespace netpower::manager::traps {

void write_trap_health(const TrapCounters& t, model::HealthWriter& out);

// A running receiver's counters at every scrape. `receiver` must outlive it.
class TrapHealth final : public model::HealthSource {
 public:
  explicit TrapHealth(const TrapReceiver& receiver) : receiver_(receiver) {}
  void write_health(model::HealthWriter& out) const override {
    write_trap_health(receiver_.counters(), out);
  }

 private:
  const TrapReceiver& receiver_;
};

}  // namespace netpower::manager::traps
