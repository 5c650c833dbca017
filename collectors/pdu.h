#pragma once
// The PDU collector interface: one chain of 1..26 boards with 4 switched, sensed ports each.
//
// A collector is driven from the agent's loop thread: every call must return without blocking. A
// driver for hardware behind a slow link keeps its own cache (refreshed by I/O on the loop) and
// returns it from read(). A command that returns success is reflected by the next read() (a driver
// that completes it asynchronously updates its cache at once and reports a later failure through
// the module status).

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"

namespace netpower::collectors {

// When `responding` is false the other fields carry no information (the agent shows "No
// Rspns"/"N/A").
struct PortReading {
  bool responding = true;            // false: the port's module does not answer ("No Rspns")
  bool relay_on = false;             // the state the module reports its relay is set to
  std::optional<bool> power_sensed;  // on-sense: power at the outlet; nullopt without a sensor
  std::optional<double> load_amps;   // load-sense; nullopt without a sensor
};

struct BoardReading {
  bool responding = true;
  std::string code_version;               // firmware of the board, "" if unknown
  std::optional<double> temperature_c;    // nullopt without a probe
  std::optional<double> input_load_amps;  // nullopt without an input sensor
  // The board lost its power and came back (every relay off) and the agent has not yet applied
  // the ports' wake-up states; acknowledge_power_up() clears it.
  bool powered_up = false;
  std::array<PortReading, core::kPortsPerBoard> ports;
};

// boards[0] is board A; the chain's last board is boards.size() - 1.
struct ChainReading {
  std::vector<BoardReading> boards;
};

// Why a read or command failed; maps onto the Sentry2 error codes (sentry2ErrorCode).
enum class PduFault {
  kNone = 0,
  kLinkDown,     // the collector cannot reach the chain at all (unplugged cable, dead controller)
  kNoResponse,   // the addressed board or module does not answer
  kRejected,     // the hardware answered no
  kBadResponse,  // the hardware answered something unintelligible
  kNoSuchPort,   // the port is not in the chain
};

struct PduResult {
  PduFault fault = PduFault::kNone;
  std::string detail;  // for logs: what went wrong, in words
  bool ok() const { return fault == PduFault::kNone; }
  static PduResult success() { return {}; }
};

struct ChainReadResult {
  PduResult status;
  ChainReading chain;  // valid only when status.ok()
};

class PduCollector {
 public:
  virtual ~PduCollector() = default;
  // A short name for logs ("sim", "sentry-serial", ...).
  virtual std::string name() const = 0;
  // The current state of the whole chain, or why it cannot be read. Loop thread; must not block.
  virtual ChainReadResult read() = 0;
  // Sets a port's relay. Loop thread; must not block.
  virtual PduResult switch_port(core::PortId port, bool on) = 0;
  // Asserts or releases the port's shutdown signal to the attached host. A no-op success on
  // hardware without the line.
  virtual PduResult set_shutdown_signal(core::PortId port, bool asserted) = 0;
  // Sends a tickle pattern on the port's signal line (the nonce encoded by the caller). A no-op
  // success on hardware without the line.
  virtual PduResult tickle(core::PortId port, const std::vector<std::uint8_t>& pattern) = 0;
  // The agent has applied the wake-up states of a board that reported powered_up. A no-op success
  // on hardware that applies them itself (and never reports powered_up).
  virtual PduResult acknowledge_power_up(core::BoardId /*board*/) { return PduResult::success(); }
};
using PduCollectorPtr = std::unique_ptr<PduCollector>;

const char* to_string(PduFault fault);

}  // namespace netpower::collectors
