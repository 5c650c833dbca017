#pragma once
// A poll's varbinds, decoded once into the agent's readings. Pure, no I/O; safe on any thread.

#include <vector>

#include "manager/mib/readings.h"
#include "manager/mib/varbind.h"

namespace netpower::manager::mib {

// Every Sentry2 chain object, NETPOWER-MIB port setting and UPS-MIB value of `varbinds` (other
// OIDs are ignored); port rows are stamped `time`. `ups` is set when any UPS-MIB object had a
// value.
AgentReadings decode_poll(const std::vector<Varbind>& varbinds, model::WallTime time);

}  // namespace netpower::manager::mib
