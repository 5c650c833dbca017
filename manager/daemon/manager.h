#pragma once
// netpower-manager assembled: the store, the event hub, the fleet state, the trap receiver, the
// pollers, the exporter and the HTTP server, started and stopped in order. main.cpp only parses
// options and waits for a signal; tests build a Manager in-process.
//
// Start order (each part exists before anything that feeds it): store -> hub (subscribers: state,
// store) -> state -> actions -> trap receiver (its on_trap feeds the actions' host presence) ->
// pollers' feed -> exporter -> HTTP -> pollers.
// Stop order (producers first, then what they feed): pollers -> HTTP -> the gate (work in flight,
// power actions included) -> actions (what is still in flight ends "stopping") -> trap receiver ->
// hub (delivers what was published) -> store (flushes, or spools the rest).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "manager/actions/action_service.h"
#include "manager/config/manager_config.h"
#include "manager/daemon/gate.h"
#include "manager/model/action_journal.h"
#include "manager/model/event_bus.h"
#include "manager/state/fleet_state.h"
#include "manager/store/store.h"
#include "manager/traps/trap_settings.h"

namespace netpower::manager::daemon {

struct ManagerOptions {
  config::ManagerConfig config;
  std::optional<traps::TrapSettings> traps;  // absent or disabled: no trap receiver
  // How long stop() waits for work in flight, and for the store to write what is queued.
  std::chrono::milliseconds stop_timeout{5000};
  std::string version = "dev";  // netpower_build_info's version label
  // The audit trail of power actions (not owned; must outlive the Manager). Null: the store's
  // (store::open_action_journal on the configured database).
  model::ActionJournal* action_journal = nullptr;
};

class Manager {
 public:
  // Reads nothing and starts nothing yet. Throws nothing.
  explicit Manager(ManagerOptions options);
  // stop().
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Starts every part. Throws std::system_error when a socket cannot be bound (HTTP, traps) and
  // std::runtime_error for other start-up failures; what was started is stopped again.
  void start();
  // Stops in order (see above) and logs what each part did. Idempotent; any thread.
  void stop();

  // After start(): the bound ports (0 when the part is not running).
  std::uint16_t http_port() const;
  std::uint16_t trap_port() const;

  // The parts, for tests and for the acting rooms to come (valid between start() and stop()).
  state::FleetState& fleet();
  model::EventBus& hub();
  store::Store& store();
  Gate& gate();
  // Verified power actions (docs/actions.md), for the HTTP API; null without an action journal.
  actions::ActionService* actions();

 private:
  struct Parts;
  ManagerOptions options_;
  std::unique_ptr<Parts> parts_;
  bool stopped_ = false;
};

}  // namespace netpower::manager::daemon
