#pragma once
// The control protocol's wire commands (docs/simulator.md "Wires"), without I/O:
//
//   wire PORT ENDPOINT|none          plug the port's cable into a host endpoint (or unplug it)
//   swap PORT PORT                   exchange two ports' cables (a mis-wired rack)
//   cut PORT | mend PORT             nothing reaches the endpoint / the cable works again
//   noise PORT GLITCHES              glitches (0..1000) added to every tickle on the cable
//   delay PORT MS                    the cable delays every edge by MS (0..60000) milliseconds
//   tickle PORT NONCE [BIT_TIME]     send a tickle as the agent would: NONCE 1..16 hex digits,
//                                    BIT_TIME a duration (default 10ms)

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/sim/sim_chain.h"

namespace netpower::collectors::sim {

// The reply to a wire command, or nullopt when `words[0]` is not one.
std::optional<std::string> execute_wire_command(SimChain& chain,
                                                const std::vector<std::string_view>& words);

inline constexpr const char* kWireCommandsHelp =
    "wire PORT ENDPOINT|none | swap PORT PORT | cut PORT | mend PORT | noise PORT GLITCHES | "
    "delay PORT MS | tickle PORT NONCE [BIT_TIME]";

}  // namespace netpower::collectors::sim
