#pragma once
// Where the poller's results go in netpower-manager: the fleet state (at once, for the exporter and
// the API), the store (samples, batched by the store's writer) and the event hub (up/down events,
// which the state and the store take from there).

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "manager/model/event_bus.h"
#include "manager/poller/poller.h"
#include "manager/state/fleet_state.h"
#include "manager/store/store.h"

namespace netpower::manager::daemon {

class PollFeed final : public poller::PollSink {
 public:
  // `history` and `events` may be null (no store, no hub); both must outlive the feed.
  PollFeed(state::FleetState& fleet, store::Store* history, model::EventSink* events)
      : fleet_(fleet), history_(history), events_(events) {}

  void on_poll(poller::PollResult result) override;
  void on_state(const poller::StateChange& change) override;

 private:
  void log_rejected(const std::string& agent, std::uint64_t rejected);

  state::FleetState& fleet_;
  store::Store* history_;     // may be null (no store)
  model::EventSink* events_;  // may be null (no hub)
  std::mutex mutex_;          // the pollers' threads call in at once
  std::map<std::string, std::uint64_t> rejecting_polls_;
};

}  // namespace netpower::manager::daemon
