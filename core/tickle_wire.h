#pragma once
// The simulated signal wire between the simulator's outlet and a host (docs/tickle.md "The wire
// protocol"): Unix datagrams of 1..32 lines, one line per change of a signal, as text, so that a
// capture is readable:
//
//   "NPW1 <line> <time-ns> <level>"    e.g. "NPW1 T 3600012500000 1"
//
// Lines are separated by '\n' (a trailing one is allowed); the changes are in time order. (A Unix
// datagram socket queues only net.unix.max_dgram_qlen datagrams, 10 by default, so the sender
// batches the changes that are due together.)
// <line> is T (the tickle line) or S (the shutdown signal), <time-ns> the sender's clock in
// nanoseconds since its epoch (decimal, at most 19 digits), <level> 0 or 1. The receiver decodes
// with these times, never its own arrival times, so the sender's scheduling latency is no jitter.
// Parsing does no I/O.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace netpower::core {

enum class WireLine { kTickle, kShutdown };

struct WireEvent {
  WireLine line = WireLine::kTickle;
  TimePoint at{};
  bool level = false;
  bool operator==(const WireEvent&) const = default;
};

inline constexpr std::size_t kMaxWireLine = 64;
inline constexpr std::size_t kMaxWireEventsPerMessage = 32;
inline constexpr std::size_t kMaxWireMessage = kMaxWireEventsPerMessage * (kMaxWireLine + 1);

std::string format_wire_event(const WireEvent& event);

struct WireParseResult {
  std::optional<WireEvent> event;  // set when the message is well formed
  const char* error = "";          // why not, otherwise
};
// Parses one line (from outside the process: never throws). A trailing '\n' is allowed.
WireParseResult parse_wire_event(std::string_view line);
// Parses a datagram of 1..kMaxWireEventsPerMessage lines into `out` (cleared first). All or
// nothing: on any malformed line `out` is left empty and the reason returned; nullptr when good.
const char* parse_wire_message(std::string_view message, std::vector<WireEvent>& out);
// Joins events into one datagram (at most kMaxWireEventsPerMessage; asserted).
std::string format_wire_message(const std::vector<WireEvent>& events);

}  // namespace netpower::core
