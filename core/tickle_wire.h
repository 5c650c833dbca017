#pragma once
// The simulated signal wire between the simulator's outlet and a host (docs/tickle.md "The wire
// protocol"): one Unix datagram per change of a line, as text, so that a capture is readable:
//
//   "NPW1 <line> <time-ns> <level>"    e.g. "NPW1 T 3600012500000 1"
//
// <line> is T (the tickle line) or S (the shutdown signal), <time-ns> the sender's clock in
// nanoseconds since its epoch (decimal, at most 19 digits), <level> 0 or 1. The receiver decodes
// with these times, never its own arrival times, so the sender's scheduling latency is no jitter.
// Parsing does no I/O.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace netpower::core {

enum class WireLine { kTickle, kShutdown };

struct WireEvent {
  WireLine line = WireLine::kTickle;
  TimePoint at{};
  bool level = false;
  bool operator==(const WireEvent&) const = default;
};

inline constexpr std::size_t kMaxWireMessage = 64;

std::string format_wire_event(const WireEvent& event);

struct WireParseResult {
  std::optional<WireEvent> event;  // set when the message is well formed
  const char* error = "";          // why not, otherwise
};
// Parses one datagram (from outside the process: never throws). A trailing '\n' is allowed.
WireParseResult parse_wire_event(std::string_view message);

}  // namespace netpower::core
