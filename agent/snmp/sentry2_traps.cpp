#include "agent/snmp/sentry2_traps.h"

#include "agent/snmp/notifier.h"
#include "agent/snmp/sentry2_index.h"
#include "agent/snmp/sentry2_mib.h"

namespace netpower::agent::snmp {

namespace {

using traps::Sentry2Trap;

const Oid kChainLocation = kSentry2Root + Oid{1, 1, 0};
const Oid kBoardEntry = kSentry2Root + Oid{1, 3, 1};
const Oid kPortEntry = kSentry2Root + Oid{1, 4, 1};
const Oid kEvents = kSentry2Root + Oid{100, 0};

enum BoardColumn : oid { kBoardIndex = 1, kPageName = 2, kTemperature = 4, kInputLoad = 5 };
enum PortColumn : oid {
  kPortIndex = 1,
  kDeviceName = 3,
  kControlStatus = 4,
  kModuleStatus = 5,
  kDeviceLoad = 6
};

void add_board(const ChainModel& model, Sentry2Trap trap, core::BoardId board, Varbinds& out) {
  auto index = board_index(board);
  auto view = model.board(board);
  out.emplace_back(kBoardEntry + Oid{kBoardIndex} + index, Value::string(board.str()));
  out.emplace_back(kBoardEntry + Oid{kPageName} + index, Value::string(view.page_name));
  switch (trap) {
    case Sentry2Trap::kBoardInputLoadHighError:
    case Sentry2Trap::kBoardInputLoadLowError:
    case Sentry2Trap::kBoardInputLoadNormal:
      out.emplace_back(kBoardEntry + Oid{kInputLoad} + index,
                       Value::string(input_load_text(view.input_load_amps)));
      break;
    default:
      out.emplace_back(kBoardEntry + Oid{kTemperature} + index,
                       Value::string(temperature_text(view.temperature_c)));
  }
}

void add_port(const ChainModel& model, Sentry2Trap trap, core::PortId port, Varbinds& out) {
  auto index = port_index(port);
  auto view = model.port(port);
  out.emplace_back(kPortEntry + Oid{kPortIndex} + index, Value::string(port.str()));
  out.emplace_back(kPortEntry + Oid{kDeviceName} + index, Value::string(view.name));
  switch (trap) {
    case Sentry2Trap::kPortControlStatusChange:
      out.emplace_back(kPortEntry + Oid{kControlStatus} + index,
                       Value::string(control_status_text(view.control)));
      break;
    case Sentry2Trap::kPortModuleStatusError:
    case Sentry2Trap::kPortModuleStatusNormal:
      out.emplace_back(kPortEntry + Oid{kModuleStatus} + index,
                       Value::string(module_status_text(view.module)));
      break;
    default:
      // As sentry2PortDeviceLoad serves it (sentry2_mib.cpp).
      out.emplace_back(kPortEntry + Oid{kDeviceLoad} + index,
                       Value::string(device_load_text(view.load_amps, view.relay_on)));
  }
}

}  // namespace

Oid sentry2_trap_oid(Sentry2Trap trap) { return kEvents + Oid{static_cast<oid>(trap)}; }

Varbinds sentry2_trap_varbinds(const ChainModel& model, const traps::TrapEvent& event) {
  Varbinds out;
  out.emplace_back(kChainLocation, Value::string(model.settings().location));
  if (traps::is_board_trap(event.trap)) add_board(model, event.trap, event.board, out);
  if (traps::is_port_trap(event.trap)) add_port(model, event.trap, event.port, out);
  return out;
}

void Sentry2TrapSender::send(const traps::TrapEvent& event) {
  std::string name = traps::to_string(event.trap);
  if (traps::is_board_trap(event.trap)) name += " ." + event.board.str();
  if (traps::is_port_trap(event.trap)) name += " ." + event.port.str();
  send_notification(name, sentry2_trap_oid(event.trap), sentry2_trap_varbinds(model_, event));
}

}  // namespace netpower::agent::snmp
