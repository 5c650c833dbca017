#include "agent/model/chain_model.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

namespace netpower::agent {

using core::PortId;

ChainModel::ChainModel(core::EventLoop& loop, collectors::PduCollector& pdu, ChainSettings settings,
                       core::Duration tickle_bit_time)
    : loop_(loop),
      pdu_(pdu),
      settings_(std::move(settings)),
      tickle_bit_time_(tickle_bit_time),
      started_(loop.clock().now()) {
  if (tickle_bit_time < kMinTickleBitTime || tickle_bit_time > kMaxTickleBitTime) {
    throw std::invalid_argument("the tickle bit time must be between 1us and 10s");
  }
}

ChainModel::~ChainModel() {
  if (poll_timer_ != 0) loop_.cancel(poll_timer_);
  for (auto& port : ports_) {
    if (port.timer != 0) loop_.cancel(port.timer);
  }
  for (auto& tickle : tickles_) {
    if (tickle.timer != 0) loop_.cancel(tickle.timer);
  }
}

void ChainModel::start_polling(core::Duration interval) {
  poll_interval_ = interval;
  if (poll_timer_ != 0) loop_.cancel(poll_timer_);
  poll_tick();
}

void ChainModel::poll_tick() {
  refresh();
  poll_timer_ = loop_.call_after(poll_interval_, [this]() { poll_tick(); });
}

void ChainModel::refresh() {
  auto result = pdu_.read();
  if (!result.status.ok()) {
    if (link_up_ || !read_once_) {
      spdlog::warn(
          "PDU collector '{}' cannot read the chain ({}: {}); ports read No Rspns until it "
          "answers again",
          pdu_.name(), collectors::to_string(result.status.fault), result.status.detail);
    }
    link_up_ = false;
    read_once_ = true;
    if (refresh_listener_) refresh_listener_();
    return;
  }
  if (!link_up_ && read_once_) spdlog::info("PDU collector '{}' answers again", pdu_.name());
  link_up_ = true;
  adopt(result.chain);
  read_once_ = true;
  if (refresh_listener_) refresh_listener_();
}

void ChainModel::adopt(const collectors::ChainReading& chain) {
  int count = std::clamp(static_cast<int>(chain.boards.size()), 0, core::kMaxBoards);
  int previous = read_once_ ? board_count_ : 0;  // boards beyond it are new: adopted, not changed
  if (count != board_count_) {
    spdlog::info("chain has {} board(s), A..{}", count,
                 count > 0 ? static_cast<char>('A' + count - 1) : '-');
    // Ports that left the chain stop any action in progress.
    for (int flat = count * core::kPortsPerBoard; flat < core::kMaxPorts; ++flat) {
      reset_phase(PortId::from_flat(flat));
    }
    board_count_ = count;
    ++shape_generation_;
  }
  boards_.assign(chain.boards.begin(), chain.boards.begin() + count);
  for (int b = 0; b < count; ++b) {
    // The firmware version does not change while a board is silent: keep the last one known.
    const auto& version = boards_[static_cast<std::size_t>(b)].code_version;
    if (!version.empty()) code_versions_[static_cast<std::size_t>(b)] = version;
  }
  for (int b = 0; b < count; ++b) {
    for (int p = 0; p < core::kPortsPerBoard; ++p) {
      PortId id{core::BoardId{b}, p + 1};
      auto& port = state(id);
      const auto& reading = boards_[static_cast<std::size_t>(b)].ports[static_cast<std::size_t>(p)];
      bool first = b >= previous || port.reading.responding != reading.responding;
      port.reading = reading;
      if (!reading.responding) continue;
      // The hardware is the truth: a relay switched at the unit (its button, a local console) is
      // adopted, and ends any action of ours in progress on that port.
      bool changed = reading.relay_on != port.relay_expected;
      if (changed) {
        if (!first) {
          spdlog::info("port .{} was switched {} at the unit", id.str(),
                       reading.relay_on ? "on" : "off");
          port.switched_at = loop_.clock().now();
        }
        if (port.phase != Phase::kIdle) reset_phase(id);
        port.relay_expected = reading.relay_on;
        set_control(id, reading.relay_on ? ControlState::kOn : ControlState::kOff);
      } else if (first && port.phase == Phase::kIdle) {
        set_control(id, reading.relay_on ? ControlState::kOn : ControlState::kOff);
      }
    }
  }
  for (int b = 0; b < count; ++b) {
    if (boards_[static_cast<std::size_t>(b)].responding &&
        boards_[static_cast<std::size_t>(b)].powered_up) {
      apply_wake_up(core::BoardId{b});
    }
  }
}

void ChainModel::apply_wake_up(core::BoardId board) {
  // The board lost its power and came back with every relay off: each port takes its wake-up
  // state, as the original's controller did by itself. Locks do not apply: this is the unit
  // powering up, not a remote change.
  int on = 0;
  int off = 0;
  for (int p = 1; p <= core::kPortsPerBoard; ++p) {
    PortId id{board, p};
    auto& port = state(id);
    if (!port.reading.responding) continue;
    reset_phase(id);
    bool want_on = settings_.port(id).wake_up == WakeUpState::kOn;
    if (port.reading.relay_on != want_on && !switch_relay(id, want_on).ok()) continue;
    port.relay_expected = want_on;
    port.switched_at = loop_.clock().now();
    set_control(id, want_on ? ControlState::kOn : ControlState::kOff);
    ++(want_on ? on : off);
  }
  auto ack = pdu_.acknowledge_power_up(board);
  if (!ack.ok()) {
    spdlog::warn(
        "board .{}: cannot acknowledge its power-up ({}); the wake-up states will be "
        "applied again on the next read",
        board.str(), ack.detail);
  }
  spdlog::info("board .{} powered up after losing power: wake-up states applied ({} on, {} off)",
               board.str(), on, off);
}

BoardView ChainModel::board(core::BoardId id) const {
  BoardView view;
  view.id = id;
  view.page_name = settings_.board(id).page_name;
  if (id.index < board_count_) {
    const auto& reading = boards_[static_cast<std::size_t>(id.index)];
    view.code_version = code_versions_[static_cast<std::size_t>(id.index)];
    if (link_up_ && reading.responding) {
      view.temperature_c = reading.temperature_c;
      view.input_load_amps = reading.input_load_amps;
    }
  }
  return view;
}

PortView ChainModel::port(PortId id) const {
  const auto& port = state(id);
  PortView view;
  view.id = id;
  view.name = settings_.port(id).name;
  view.control = port.control;
  view.relay_on = port.relay_expected;
  view.locked = settings_.port(id).locked;
  view.shutdown_signal = port.shutdown_signal;
  if (!link_up_ || id.board.index >= board_count_) {
    view.module = ModuleStatus::kNoResponse;
    return view;
  }
  view.module = module_status_of(port.reading);
  if (port.reading.responding) view.load_amps = port.reading.load_amps;
  return view;
}

void ChainModel::update_settings(const ChainSettings& next) {
  for (int flat = 0; flat < core::kMaxPorts; ++flat) {
    auto id = PortId::from_flat(flat);
    bool locking = next.port(id).locked && !settings_.port(id).locked;
    if (locking && state(id).phase == Phase::kPending) {
      spdlog::info("port .{} locked: its deferred {} is cancelled", id.str(),
                   to_string(state(id).pending));
      reset_phase(id);
      set_control(id, state(id).relay_expected ? ControlState::kOn : ControlState::kOff);
    }
  }
  settings_ = next;
  if (settings_listener_) settings_listener_(settings_);
}

}  // namespace netpower::agent
