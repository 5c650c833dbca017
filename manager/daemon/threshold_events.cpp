#include "manager/daemon/threshold_events.h"

#include <nlohmann/json.hpp>

#include <string>

#include "manager/mib/notifications.h"

namespace netpower::manager::daemon {

std::optional<model::Event> threshold_event(const traps::DecodedTrap& trap) {
  const auto crossing = mib::threshold_crossing(trap.trap_oid, trap.varbinds);
  if (!crossing) return std::nullopt;
  model::Event event;
  event.agent = trap.agent;
  event.time = trap.received;
  event.kind = model::EventKind::kThreshold;
  event.oid = trap.trap_oid;
  event.varbinds_json = nlohmann::json{
      {"object", crossing->board ? "board" : "port"},
      {"key", crossing->object},
      {"quantity", crossing->quantity},
      {"crossing", crossing->crossing},
      {"value",
       crossing->value}}.dump();
  event.text = crossing->text();
  return event;
}

}  // namespace netpower::manager::daemon
