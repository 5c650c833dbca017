#pragma once
// The sim's control protocol, without I/O: one command line in, one reply line out. The line comes
// from outside the process, so anything malformed gets an "error: ..." reply and changes nothing.
//
//   state                                       -> JSON object: the whole chain as simulated
//   history [PORT]                              -> JSON array: relay changes, shutdown signals,
//   tickles fault PORT no-response|on-sense|off-fail|none fault BOARD no-response|none load PORT
//   AMPS                              (0..60) temperature BOARD CELSIUS|none (-50..150; none: no
//   probe) unplug | plug                               the collector's link to the chain switch
//   PORT on|off                          a local operator pressing the port's button help ->
//   "commands: ..."
//
// and the wire commands of sim_wire_commands.h (wire, swap, cut, mend, noise, delay, tickle).
// Commands that change something reply "ok". docs/simulator.md has examples.

#include <optional>
#include <string>
#include <string_view>

#include "collectors/sim/sim_chain.h"

namespace netpower::collectors::sim {

// Executes `line` (without its line terminator; a trailing '\r' is ignored) on `chain` and returns
// the reply without a line terminator. Never throws for malformed input; the reply never contains
// '\n'.
std::string execute_control_command(SimChain& chain, std::string_view line);

// The replies of "state" and "history [PORT]".
std::string state_json(const SimChain& chain);
std::string history_json(const SimChain& chain, std::optional<core::PortId> port);

}  // namespace netpower::collectors::sim
