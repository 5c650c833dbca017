#pragma once
// The poller's own health: PollerMetrics (summed over the pool's pollers) as the
// netpower_poller_* families of docs/metrics.md.

#include "manager/model/health.h"
#include "manager/poller/poller.h"

namespace netpower::manager::daemon {

void write_poller_health(const poller::PollerMetrics& m, model::HealthWriter& out);

}  // namespace netpower::manager::daemon
