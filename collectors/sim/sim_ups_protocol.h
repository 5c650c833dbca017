#pragma once
// The simulated UPS's control protocol, without I/O: one command line in, one reply line out.
// Malformed lines get an "error: ..." reply and change nothing.
//
//   state                     -> JSON: {"link": ..., "output_on": ..., "vars": {NUT name: value}}
//   commands                  -> JSON array of the instant commands received: [{"at_ms",
//   "command"}] mains on|off              utility power present or failed input VOLTS the mains
//   voltage while present (0..600) load PERCENT              output load (0..150) charge PERCENT
//   battery charge (0..100) temperature CELSIUS       UPS temperature (-40..125) battery-bad on|off
//   the battery needs replacing (RB; tests then fail) fault on|off              a general UPS fault
//   (ALARM) silence on|off            the UPS stops answering its driver (stale, then lost) help
//
// docs/simulator.md has examples.

#include <string>
#include <string_view>

#include "collectors/sim/sim_ups.h"

namespace netpower::collectors::sim {

std::string execute_ups_control_command(SimUps& ups, std::string_view line);

}  // namespace netpower::collectors::sim
