#pragma once
// Threshold events: the Sentry2 notifications that say a value crossed one of the agent's limits
// (board temperature and input load, port device load: HighError, LowError, Normal) are kept,
// besides the trap event the receiver stores, as an event of kind `threshold` that names the
// object, the limit and the value ("port A1 device load above its high limit: 5.20A"), so that
// history queries and the API can ask for crossings without knowing the Sentry2-MIB's OIDs.

#include <optional>

#include "manager/store/store.h"
#include "manager/traps/decoded_trap.h"

namespace netpower::manager::daemon {

// The threshold event for `trap`, or nullopt when it is no threshold notification.
std::optional<model::Event> threshold_event(const traps::DecodedTrap& trap);

}  // namespace netpower::manager::daemon
