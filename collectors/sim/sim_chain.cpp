#include "collectors/sim/sim_chain.h"

#include <utility>

namespace netpower::collectors::sim {

const char* to_string(PortFault fault) {
  switch (fault) {
    case PortFault::kNone:
      return "none";
    case PortFault::kNoResponse:
      return "no-response";
    case PortFault::kOnSense:
      return "on-sense";
    case PortFault::kOffFail:
      return "off-fail";
  }
  return "unknown";
}

const char* to_string(BoardFault fault) {
  switch (fault) {
    case BoardFault::kNone:
      return "none";
    case BoardFault::kNoResponse:
      return "no-response";
  }
  return "unknown";
}

std::optional<PortFault> parse_port_fault(std::string_view text) {
  for (auto fault :
       {PortFault::kNone, PortFault::kNoResponse, PortFault::kOnSense, PortFault::kOffFail}) {
    if (text == to_string(fault)) return fault;
  }
  return std::nullopt;
}

std::optional<BoardFault> parse_board_fault(std::string_view text) {
  for (auto fault : {BoardFault::kNone, BoardFault::kNoResponse}) {
    if (text == to_string(fault)) return fault;
  }
  return std::nullopt;
}

const char* to_string(HistoryEntry::Kind kind) {
  switch (kind) {
    case HistoryEntry::Kind::kRelay:
      return "relay";
    case HistoryEntry::Kind::kShutdown:
      return "shutdown";
    case HistoryEntry::Kind::kTickle:
      return "tickle";
  }
  return "unknown";
}

const char* to_string(HistoryEntry::Source source) {
  switch (source) {
    case HistoryEntry::Source::kInitial:
      return "initial";
    case HistoryEntry::Source::kCollector:
      return "collector";
    case HistoryEntry::Source::kLocal:
      return "local";
  }
  return "unknown";
}

SimChain::SimChain(const SimSettings& settings, const core::Clock& clock)
    : clock_(clock),
      code_version_(settings.code_version),
      load_sense_(settings.load_sense),
      on_sense_(settings.on_sense),
      boards_(static_cast<std::size_t>(settings.boards)) {
  for (int b = 0; b < board_count(); ++b) {
    boards_[static_cast<std::size_t>(b)].temperature_c =
        settings.temperatures[static_cast<std::size_t>(b)];
  }
  for (int flat = 0; flat < board_count() * core::kPortsPerBoard; ++flat) {
    auto id = core::PortId::from_flat(flat);
    mutable_port(id).appliance_amps = settings.appliance_amps[static_cast<std::size_t>(flat)];
    mutable_port(id).cable.endpoint = settings.wires[static_cast<std::size_t>(flat)];
    set_relay(id, settings.initially_on[static_cast<std::size_t>(flat)] && !settings.cold_start,
              HistoryEntry::Source::kInitial);
  }
  if (settings.cold_start) {
    for (auto& board : boards_) board.powered_up = true;
  }
}

bool SimChain::power_loss(std::optional<core::BoardId> which) {
  if (which && !contains(*which)) return false;
  for (int b = 0; b < board_count(); ++b) {
    if (which && which->index != b) continue;
    boards_[static_cast<std::size_t>(b)].powered_up = true;
    for (int n = 1; n <= core::kPortsPerBoard; ++n) {
      core::PortId id{core::BoardId{b}, n};
      set_relay(id, false, HistoryEntry::Source::kLocal);
      if (port(id).shutdown_asserted) {
        mutable_port(id).shutdown_asserted = false;
        if (sink_ != nullptr) sink_->shutdown_signal(id, false);
        record({clock_.now(),
                id,
                HistoryEntry::Kind::kShutdown,
                HistoryEntry::Source::kLocal,
                false,
                {}});
      }
    }
  }
  return true;
}

PduResult SimChain::acknowledge_power_up(core::BoardId board) {
  if (unplugged_) return {PduFault::kLinkDown, "sim: the chain is unplugged"};
  if (!contains(board)) return {PduFault::kNoSuchPort, "sim: no board " + board.str()};
  if (boards_[static_cast<std::size_t>(board.index)].fault == BoardFault::kNoResponse) {
    return {PduFault::kNoResponse, "sim: board " + board.str() + " does not respond"};
  }
  boards_[static_cast<std::size_t>(board.index)].powered_up = false;
  return PduResult::success();
}

bool SimChain::contains(core::BoardId board) const {
  return board.index >= 0 && board.index < board_count();
}

bool SimChain::contains(core::PortId port) const {
  return contains(port.board) && port.number >= 1 && port.number <= core::kPortsPerBoard;
}

bool SimChain::powered(core::PortId id) const { return supplied() && switched_through(id); }

bool SimChain::switched_through(core::PortId id) const {
  const auto& p = port(id);
  switch (p.fault) {
    case PortFault::kOnSense:
      return false;
    case PortFault::kOffFail:
      return true;
    case PortFault::kNone:
    case PortFault::kNoResponse:
      break;
  }
  return p.relay_on;
}

double SimChain::load_amps(core::PortId id) const { return load_amps(id, supplied()); }

double SimChain::load_amps(core::PortId id, bool chain_supplied) const {
  return chain_supplied && switched_through(id) ? port(id).appliance_amps : 0.0;
}

double SimChain::input_load_amps(core::BoardId board) const {
  bool on = supplied();
  double sum = 0.0;
  for (int n = 1; n <= core::kPortsPerBoard; ++n) sum += load_amps(core::PortId{board, n}, on);
  return sum;
}

double SimChain::demand_amps() const {
  double sum = 0.0;
  for (int flat = 0; flat < board_count() * core::kPortsPerBoard; ++flat) {
    sum += load_amps(core::PortId::from_flat(flat), true);
  }
  return sum;
}

ChainReadResult SimChain::read() const {
  ChainReadResult result;
  if (unplugged_) {
    result.status = {PduFault::kLinkDown, "sim: the chain is unplugged"};
    return result;
  }
  result.chain.boards.resize(boards_.size());
  bool on = supplied();  // once: one read sees one state of the supply
  for (int b = 0; b < board_count(); ++b) {
    const core::BoardId board_id{b};
    const auto& board = boards_[static_cast<std::size_t>(b)];
    auto& out = result.chain.boards[static_cast<std::size_t>(b)];
    if (board.fault == BoardFault::kNoResponse) {
      out.responding = false;
      for (auto& port_out : out.ports) port_out.responding = false;
      continue;
    }
    out.code_version = code_version_;
    out.temperature_c = board.temperature_c;
    out.powered_up = board.powered_up;
    if (load_sense_) {
      double sum = 0.0;
      for (int n = 1; n <= core::kPortsPerBoard; ++n) sum += load_amps({board_id, n}, on);
      out.input_load_amps = sum;
    }
    for (int n = 1; n <= core::kPortsPerBoard; ++n) {
      const core::PortId id{board_id, n};
      auto& port_out = out.ports[static_cast<std::size_t>(n - 1)];
      if (port(id).fault == PortFault::kNoResponse) {
        port_out.responding = false;
        continue;
      }
      port_out.relay_on = port(id).relay_on;
      if (on_sense_) port_out.power_sensed = on && switched_through(id);
      if (load_sense_) port_out.load_amps = load_amps(id, on);
    }
  }
  return result;
}

PduResult SimChain::reachable(core::PortId id) const {
  if (unplugged_) return {PduFault::kLinkDown, "sim: the chain is unplugged"};
  if (!contains(id)) {
    return {PduFault::kNoSuchPort, "sim: port " + id.str() + " is not in a chain of " +
                                       std::to_string(board_count()) + " boards"};
  }
  if (board(id.board).fault == BoardFault::kNoResponse) {
    return {PduFault::kNoResponse, "sim: board " + id.board.str() + " does not respond"};
  }
  if (port(id).fault == PortFault::kNoResponse) {
    return {PduFault::kNoResponse, "sim: port " + id.str() + " does not respond"};
  }
  return PduResult::success();
}

PduResult SimChain::switch_port(core::PortId id, bool on) {
  auto status = reachable(id);
  if (status.ok()) set_relay(id, on, HistoryEntry::Source::kCollector);
  return status;
}

PduResult SimChain::set_shutdown_signal(core::PortId id, bool asserted) {
  auto status = reachable(id);
  if (!status.ok()) return status;
  mutable_port(id).shutdown_asserted = asserted;
  record({clock_.now(),
          id,
          HistoryEntry::Kind::kShutdown,
          HistoryEntry::Source::kCollector,
          asserted,
          {}});
  if (sink_ != nullptr) sink_->shutdown_signal(id, asserted);
  return status;
}

PduResult SimChain::tickle(core::PortId id, const std::vector<std::uint8_t>& pattern) {
  auto status = reachable(id);
  if (!status.ok()) return status;
  record({clock_.now(), id, HistoryEntry::Kind::kTickle, HistoryEntry::Source::kCollector, false,
          pattern});
  if (sink_ != nullptr) {
    if (auto parsed = core::parse_tickle_pattern(pattern)) sink_->tickle(id, *parsed);
  }
  return status;
}

bool SimChain::set_cable_endpoint(core::PortId id, std::string endpoint) {
  if (!contains(id)) return false;
  mutable_port(id).cable.endpoint = std::move(endpoint);
  return true;
}

bool SimChain::swap_cables(core::PortId a, core::PortId b) {
  if (!contains(a) || !contains(b)) return false;
  std::swap(mutable_port(a).cable, mutable_port(b).cable);
  return true;
}

bool SimChain::set_cable_cut(core::PortId id, bool cut) {
  if (!contains(id)) return false;
  mutable_port(id).cable.cut = cut;
  return true;
}

bool SimChain::set_cable_noise(core::PortId id, int glitches) {
  if (!contains(id) || glitches < 0) return false;
  mutable_port(id).cable.noise = glitches;
  return true;
}

bool SimChain::set_cable_delay(core::PortId id, core::Duration delay) {
  if (!contains(id) || delay < core::Duration(0)) return false;
  mutable_port(id).cable.delay = delay;
  return true;
}

bool SimChain::set_port_fault(core::PortId id, PortFault fault) {
  if (!contains(id)) return false;
  before_demand_change();
  mutable_port(id).fault = fault;
  return true;
}

bool SimChain::set_board_fault(core::BoardId id, BoardFault fault) {
  if (!contains(id)) return false;
  boards_[static_cast<std::size_t>(id.index)].fault = fault;
  return true;
}

bool SimChain::set_appliance_load(core::PortId id, double amps) {
  if (!contains(id)) return false;
  before_demand_change();
  mutable_port(id).appliance_amps = amps;
  return true;
}

bool SimChain::set_temperature(core::BoardId id, std::optional<double> celsius) {
  if (!contains(id)) return false;
  boards_[static_cast<std::size_t>(id.index)].temperature_c = celsius;
  return true;
}

bool SimChain::press_button(core::PortId id, bool on) {
  if (!contains(id)) return false;
  set_relay(id, on, HistoryEntry::Source::kLocal);
  return true;
}

void SimChain::set_relay(core::PortId id, bool on, HistoryEntry::Source source) {
  auto& p = mutable_port(id);
  if (p.relay_on == on && source != HistoryEntry::Source::kInitial) return;
  before_demand_change();
  p.relay_on = on;
  record({clock_.now(), id, HistoryEntry::Kind::kRelay, source, on, {}});
}

void SimChain::record(HistoryEntry entry) {
  history_.push_back(std::move(entry));
  while (history_.size() > kMaxHistory) history_.pop_front();
}

}  // namespace netpower::collectors::sim
