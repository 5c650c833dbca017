#pragma once
// The UPS-MIB (RFC 1628), varbind by varbind into a UpsReading in base units (NUT's names), and
// what its notifications change. Pure functions, no I/O.

#include <vector>

#include "manager/mib/readings.h"
#include "manager/mib/varbind.h"

namespace netpower::manager::mib {

// One UPS-MIB varbind into `ups`. Table columns take the first line (the first row the walk
// returns); scalars overwrite. kNotMine for other OIDs and for exceptions (an agent that answers
// noSuchObject does not serve the UPS-MIB); kRejected for an alarm beyond kMaxUpsAlarms.
Applied apply_ups(UpsReading& ups, const Varbind& vb);

// A UPS-MIB notification (upsTraps.<which>) with its varbinds into `ups`: the objects it carries,
// the alarm added or removed, the output source on battery and back.
void apply_ups_trap(UpsReading& ups, std::uint32_t which, const std::vector<Varbind>& varbinds);

}  // namespace netpower::manager::mib
