#include "agent/traps/trap_engine.h"

#include <spdlog/spdlog.h>

#include <cmath>

namespace netpower::agent::traps {

namespace {

using core::BoardId;
using core::PortId;

// A measured value against whole-unit limits: above the high limit or below the low one is out
// of range. nullopt (no probe, no sensor, no reading) stays unknown.
std::optional<Level> band(std::optional<double> value, int low, int high) {
  if (!value || !std::isfinite(*value)) return std::nullopt;
  if (*value > high) return Level::kHigh;
  if (*value < low) return Level::kLow;
  return Level::kNormal;
}

Sentry2Trap trap_for(Sentry2Trap high, Level level) {
  // The High, Low and Normal notifications of a kind are numbered in that order.
  int base = static_cast<int>(high);
  switch (level) {
    case Level::kHigh:
    case Level::kError:
      return high;
    case Level::kLow:
      return static_cast<Sentry2Trap>(base + 1);
    case Level::kNormal:
      break;
  }
  return static_cast<Sentry2Trap>(base + 2);
}

std::string subject_text(const TrapEvent& event) {
  if (is_board_trap(event.trap)) return "." + event.board.str();
  if (is_port_trap(event.trap)) return "." + event.port.str();
  return "chain";
}

}  // namespace

TrapEngine::TrapEngine(core::EventLoop& loop, const ChainModel& model, TrapSink& sink,
                       core::Duration period)
    : loop_(loop), model_(model), sink_(sink), period_(period) {
  for (int b = 0; b < core::kMaxBoards; ++b) {
    temperature_[static_cast<std::size_t>(b)] = make_tracker(Family::kTemperature, b);
    input_load_[static_cast<std::size_t>(b)] = make_tracker(Family::kInputLoad, b);
  }
  for (int flat = 0; flat < core::kMaxPorts; ++flat) {
    module_[static_cast<std::size_t>(flat)] = make_tracker(Family::kModule, flat);
    load_[static_cast<std::size_t>(flat)] = make_tracker(Family::kLoad, flat);
  }
}

TrapEngine::~TrapEngine() {
  if (flush_timer_ != 0) loop_.cancel(flush_timer_);
}

TrapEngine::TrackerPtr TrapEngine::make_tracker(Family family, int target) {
  return std::make_unique<ConditionTracker>(
      loop_, period_, [this, family, target](Level level) { announce(family, target, level); });
}

TrapEngine::Family TrapEngine::family_of(Sentry2Trap trap) {
  switch (trap) {
    case Sentry2Trap::kChainStart:
      return Family::kStart;
    case Sentry2Trap::kBoardTemperatureHighError:
    case Sentry2Trap::kBoardTemperatureLowError:
    case Sentry2Trap::kBoardTemperatureNormal:
      return Family::kTemperature;
    case Sentry2Trap::kBoardInputLoadHighError:
    case Sentry2Trap::kBoardInputLoadLowError:
    case Sentry2Trap::kBoardInputLoadNormal:
      return Family::kInputLoad;
    case Sentry2Trap::kPortControlStatusChange:
      return Family::kControl;
    case Sentry2Trap::kPortModuleStatusError:
    case Sentry2Trap::kPortModuleStatusNormal:
      return Family::kModule;
    case Sentry2Trap::kPortDeviceLoadHighError:
    case Sentry2Trap::kPortDeviceLoadLowError:
    case Sentry2Trap::kPortDeviceLoadNormal:
      return Family::kLoad;
  }
  return Family::kStart;
}

bool TrapEngine::same_subject(const TrapEvent& a, const TrapEvent& b) {
  if (family_of(a.trap) != family_of(b.trap)) return false;
  if (is_board_trap(a.trap)) return a.board == b.board;
  if (is_port_trap(a.trap)) return a.port == b.port;
  return true;
}

ConditionTracker* TrapEngine::tracker_of(const TrapEvent& event) {
  auto board = static_cast<std::size_t>(event.board.index);
  auto port = static_cast<std::size_t>(event.port.flat());
  switch (family_of(event.trap)) {
    case Family::kTemperature:
      return temperature_[board].get();
    case Family::kInputLoad:
      return input_load_[board].get();
    case Family::kModule:
      return module_[port].get();
    case Family::kLoad:
      return load_[port].get();
    case Family::kStart:
    case Family::kControl:
      break;
  }
  return nullptr;
}

bool TrapEngine::enabled(const TrapEvent& event) const {
  const auto& settings = model_.settings();
  switch (family_of(event.trap)) {
    case Family::kStart:
      // The patent: "start up traps are generated on the first board".
      return settings.board(BoardId{0}).trap_start;
    case Family::kTemperature:
      return settings.board(event.board).trap_temp;
    case Family::kInputLoad:
      return settings.board(event.board).trap_input_load;
    case Family::kControl:
      return settings.port(event.port).trap_control;
    case Family::kModule:
      return settings.port(event.port).trap_module;
    case Family::kLoad:
      return settings.port(event.port).trap_load;
  }
  return false;
}

void TrapEngine::on_refreshed() {
  const auto& settings = model_.settings();
  bool link = model_.link_up();
  if (link && !link_up_) {
    started_ = true;
    hold({Sentry2Trap::kChainStart, BoardId{0}, PortId{}});
  }
  link_up_ = link;
  // While the link is down every value is unknown: conditions freeze.
  int boards = link ? model_.board_count() : 0;
  for (int b = 0; b < core::kMaxBoards; ++b) {
    BoardId id{b};
    const auto& s = settings.board(id);
    std::optional<BoardView> view;
    if (b < boards) view = model_.board(id);
    watch(*temperature_[static_cast<std::size_t>(b)], s.trap_temp,
          view ? band(view->temperature_c, s.temp_low, s.temp_high) : std::nullopt);
    watch(*input_load_[static_cast<std::size_t>(b)], s.trap_input_load,
          view ? band(view->input_load_amps, s.input_load_low, s.input_load_high) : std::nullopt);
  }
  for (int flat = 0; flat < boards * core::kPortsPerBoard; ++flat) {
    auto id = PortId::from_flat(flat);
    const auto& s = settings.port(id);
    auto view = model_.port(id);
    watch(*module_[static_cast<std::size_t>(flat)], s.trap_module,
          view.module == ModuleStatus::kNormal ? Level::kNormal : Level::kError);
    // A port's load has limits only while it is powered; off, its condition waits.
    watch(*load_[static_cast<std::size_t>(flat)], s.trap_load,
          view.relay_on ? band(view.load_amps, s.load_low, s.load_high) : std::nullopt);
  }
  for (int flat = boards * core::kPortsPerBoard; flat < core::kMaxPorts; ++flat) {
    auto id = PortId::from_flat(flat);
    const auto& s = settings.port(id);
    watch(*module_[static_cast<std::size_t>(flat)], s.trap_module, std::nullopt);
    watch(*load_[static_cast<std::size_t>(flat)], s.trap_load, std::nullopt);
  }
  if (!held_.empty()) schedule_flush();
}

void TrapEngine::watch(ConditionTracker& tracker, bool enabled, std::optional<Level> level) {
  if (enabled) {
    tracker.observe(level);
  } else {
    tracker.reset();
  }
}

void TrapEngine::on_control_change(PortId port) {
  // The first reading adopts the relays as they are: that is no change.
  if (!started_) return;
  hold({Sentry2Trap::kPortControlStatusChange, port.board, port});
}

void TrapEngine::on_sendable() {
  if (!held_.empty()) schedule_flush();
}

void TrapEngine::announce(Family family, int target, Level level) {
  TrapEvent event;
  switch (family) {
    case Family::kTemperature:
      event.trap = trap_for(Sentry2Trap::kBoardTemperatureHighError, level);
      event.board = BoardId{target};
      break;
    case Family::kInputLoad:
      event.trap = trap_for(Sentry2Trap::kBoardInputLoadHighError, level);
      event.board = BoardId{target};
      break;
    case Family::kModule:
      event.trap = level == Level::kNormal ? Sentry2Trap::kPortModuleStatusNormal
                                           : Sentry2Trap::kPortModuleStatusError;
      event.port = PortId::from_flat(target);
      event.board = event.port.board;
      break;
    case Family::kLoad:
      event.trap = trap_for(Sentry2Trap::kPortDeviceLoadHighError, level);
      event.port = PortId::from_flat(target);
      event.board = event.port.board;
      break;
    case Family::kStart:
    case Family::kControl:
      return;
  }
  hold(event);
}

void TrapEngine::hold(const TrapEvent& event) {
  if (!enabled(event)) {
    // Disabled since the last evaluation: forget the condition, send nothing.
    if (auto* tracker = tracker_of(event)) tracker->reset();
    return;
  }
  bool replaced = false;
  for (auto& held : held_) {
    if (same_subject(held, event)) {
      held = event;  // coalesced: the latest state of this kind and board/port
      replaced = true;
      break;
    }
  }
  if (!replaced) held_.push_back(event);
  if (!sink_.can_send()) {
    spdlog::debug("{} {} held until traps can be sent ({} held)", to_string(event.trap),
                  subject_text(event), held_.size());
  }
  schedule_flush();
}

void TrapEngine::schedule_flush() {
  if (flush_timer_ != 0) return;
  flush_timer_ = loop_.call_after(core::Duration{0}, [this]() {
    flush_timer_ = 0;
    flush();
  });
}

void TrapEngine::flush() {
  if (held_.empty()) return;
  if (!sink_.can_send()) {
    if (!held_while_unsendable_) {
      spdlog::warn("Sentry2 traps cannot be sent (no AgentX session to the master); holding them");
      held_while_unsendable_ = true;
    }
    return;
  }
  if (held_while_unsendable_) {
    spdlog::info("AgentX session is up: sending {} held Sentry2 trap(s)", held_.size());
    held_while_unsendable_ = false;
  }
  auto batch = std::move(held_);
  held_.clear();
  for (const auto& event : batch) {
    if (enabled(event)) sink_.send(event);
  }
}

}  // namespace netpower::agent::traps
