#pragma once
// Where the trap engine's notifications go: the Sentry2-MIB sender in the agent
// (agent/snmp/sentry2_traps.h), a recorder in unit tests.

#include "core/ids.h"

namespace netpower::agent::traps {

// The 13 notifications of the Sentry2-MIB, numbered as under sentry2Events (.1718.2.100.0.N).
enum class Sentry2Trap {
  kChainStart = 1,
  kBoardTemperatureHighError = 2,
  kBoardTemperatureLowError = 3,
  kBoardTemperatureNormal = 4,
  kPortControlStatusChange = 5,
  kPortModuleStatusError = 6,
  kPortModuleStatusNormal = 7,
  kPortDeviceLoadHighError = 8,
  kPortDeviceLoadLowError = 9,
  kPortDeviceLoadNormal = 10,
  kBoardInputLoadHighError = 11,
  kBoardInputLoadLowError = 12,
  kBoardInputLoadNormal = 13,
};

const char* to_string(Sentry2Trap trap);
// Board traps carry a board's objects, port traps a port's; ChainStart neither.
bool is_board_trap(Sentry2Trap trap);
bool is_port_trap(Sentry2Trap trap);

struct TrapEvent {
  Sentry2Trap trap = Sentry2Trap::kChainStart;
  core::BoardId board;  // a board trap's board
  core::PortId port;    // a port trap's port

  bool operator==(const TrapEvent&) const = default;
};

class TrapSink {
 public:
  virtual ~TrapSink() = default;
  // True when a trap sent now reaches the master agent (the AgentX session is up). Loop thread.
  virtual bool can_send() const = 0;
  // Sends `event` with the model's values of now (the latest state). Loop thread; only called
  // while can_send().
  virtual void send(const TrapEvent& event) = 0;
};

}  // namespace netpower::agent::traps
