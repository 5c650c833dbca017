#include "agent/traps/trap_sink.h"

namespace netpower::agent::traps {

const char* to_string(Sentry2Trap trap) {
  switch (trap) {
    case Sentry2Trap::kChainStart:
      return "sentry2ChainStart";
    case Sentry2Trap::kBoardTemperatureHighError:
      return "sentry2BoardTemperatureHighError";
    case Sentry2Trap::kBoardTemperatureLowError:
      return "sentry2BoardTemperatureLowError";
    case Sentry2Trap::kBoardTemperatureNormal:
      return "sentry2BoardTemperatureNormal";
    case Sentry2Trap::kPortControlStatusChange:
      return "sentry2PortControlStatusChange";
    case Sentry2Trap::kPortModuleStatusError:
      return "sentry2PortModuleStatusError";
    case Sentry2Trap::kPortModuleStatusNormal:
      return "sentry2PortModuleStatusNormal";
    case Sentry2Trap::kPortDeviceLoadHighError:
      return "sentry2PortDeviceLoadHighError";
    case Sentry2Trap::kPortDeviceLoadLowError:
      return "sentry2PortDeviceLoadLowError";
    case Sentry2Trap::kPortDeviceLoadNormal:
      return "sentry2PortDeviceLoadNormal";
    case Sentry2Trap::kBoardInputLoadHighError:
      return "sentry2BoardInputLoadHighError";
    case Sentry2Trap::kBoardInputLoadLowError:
      return "sentry2BoardInputLoadLowError";
    case Sentry2Trap::kBoardInputLoadNormal:
      return "sentry2BoardInputLoadNormal";
  }
  return "sentry2Unknown";
}

bool is_board_trap(Sentry2Trap trap) {
  switch (trap) {
    case Sentry2Trap::kBoardTemperatureHighError:
    case Sentry2Trap::kBoardTemperatureLowError:
    case Sentry2Trap::kBoardTemperatureNormal:
    case Sentry2Trap::kBoardInputLoadHighError:
    case Sentry2Trap::kBoardInputLoadLowError:
    case Sentry2Trap::kBoardInputLoadNormal:
      return true;
    default:
      return false;
  }
}

bool is_port_trap(Sentry2Trap trap) {
  return trap != Sentry2Trap::kChainStart && !is_board_trap(trap);
}

}  // namespace netpower::agent::traps
