#pragma once
// Where the poller's results go in netpower-manager: the fleet state (at once, for the exporter and
// the API) and the store (samples and up/down events, batched by the store's writer).

#include "manager/poller/poller.h"
#include "manager/state/fleet_state.h"
#include "manager/store/store.h"

namespace netpower::manager::daemon {

class PollFeed final : public poller::PollSink {
 public:
  PollFeed(state::FleetState& fleet, store::Store* history) : fleet_(fleet), history_(history) {}

  void on_poll(poller::PollResult result) override;
  void on_state(const poller::StateChange& change) override;

 private:
  state::FleetState& fleet_;
  store::Store* history_;  // may be null (no store)
};

// The store's samples of an agent's UPS-MIB values ("battery.charge", ...), stamped `time`.
std::vector<store::Sample> ups_samples(const state::AgentState& agent, store::WallTime time);

}  // namespace netpower::manager::daemon
