#include "agent/model/chain_model.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace netpower::agent {

using collectors::PduFault;
using collectors::PduResult;
using core::PortId;

ChainModel::ChainModel(core::EventLoop& loop, collectors::PduCollector& pdu, ChainSettings settings)
    : loop_(loop), pdu_(pdu), settings_(std::move(settings)) {}

ChainModel::~ChainModel() {
  if (poll_timer_ != 0) loop_.cancel(poll_timer_);
  for (auto& port : ports_) cancel_reboot(port);
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
  if (count != board_count_) {
    spdlog::info("chain has {} board(s), A..{}", count,
                 count > 0 ? static_cast<char>('A' + count - 1) : '-');
    // Ports that left the chain stop any action in progress.
    for (int flat = count * core::kPortsPerBoard; flat < core::kMaxPorts; ++flat) {
      cancel_reboot(ports_[static_cast<std::size_t>(flat)]);
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
      bool first = !read_once_ || port.reading.responding != reading.responding;
      port.reading = reading;
      if (!reading.responding) continue;
      // The hardware is the truth: a relay switched at the unit (its button, a local console) is
      // adopted, and ends any action of ours in progress on that port.
      bool expected_on = port.control == ControlState::kOn;
      if (first || reading.relay_on != expected_on) {
        ControlState adopted = reading.relay_on ? ControlState::kOn : ControlState::kOff;
        if (port.control != adopted) {
          if (!first) {
            spdlog::info("port .{} was switched {} at the unit", id.str(),
                         reading.relay_on ? "on" : "off");
          }
          cancel_reboot(port);
          set_control(id, adopted);
        }
      }
    }
  }
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
  if (!link_up_ || id.board.index >= board_count_) {
    view.module = ModuleStatus::kNoResponse;
    return view;
  }
  view.module = module_status_of(port.reading);
  if (port.reading.responding) view.load_amps = port.reading.load_amps;
  return view;
}

PduResult ChainModel::switch_relay(PortId id, bool on) {
  auto result = pdu_.switch_port(id, on);
  auto& port = state(id);
  if (result.ok()) {
    port.reading.relay_on = on;
  } else {
    spdlog::warn("port .{}: switching {} failed: {}: {}", id.str(), on ? "on" : "off",
                 collectors::to_string(result.fault), result.detail);
  }
  return result;
}

void ChainModel::set_control(PortId id, ControlState next) {
  auto& port = state(id);
  if (port.control == next) return;
  port.control = next;
  if (control_listener_) control_listener_(id, next);
}

void ChainModel::cancel_reboot(PortState& port) {
  if (port.reboot_timer != 0) {
    loop_.cancel(port.reboot_timer);
    port.reboot_timer = 0;
  }
}

ActionResult ChainModel::act(PortId id, PowerAction action) {
  auto result = apply(id, action);
  // Collectors reflect a command in their next read (pdu.h): the load and sensed power of the new
  // state show at once instead of after the next poll.
  if (result.ok() && action != PowerAction::kNoop) refresh();
  return result;
}

ActionResult ChainModel::apply(PortId id, PowerAction action) {
  if (!has_port(id)) {
    return {PduResult{PduFault::kNoSuchPort, "port ." + id.str() + " is not in the chain"}};
  }
  if (!link_up_) return {PduResult{PduFault::kLinkDown, "the chain does not answer"}};
  auto& port = state(id);
  switch (action) {
    case PowerAction::kNoop:
      return {};
    case PowerAction::kOff: {
      if (port.control == ControlState::kReboot) {
        // The relay is already off: the reboot simply does not come back on.
        cancel_reboot(port);
        set_control(id, ControlState::kOff);
        spdlog::info("port .{}: reboot cancelled, stays off", id.str());
        return {};
      }
      auto r = switch_relay(id, false);
      if (!r.ok()) return {r};
      set_control(id, ControlState::kOff);
      spdlog::info("port .{} ({}) turned off", id.str(), settings_.port(id).name);
      return {};
    }
    case PowerAction::kOn: {
      cancel_reboot(port);
      auto r = switch_relay(id, true);
      if (!r.ok()) return {r};
      set_control(id, ControlState::kOn);
      spdlog::info("port .{} ({}) turned on", id.str(), settings_.port(id).name);
      return {};
    }
    case PowerAction::kReboot: {
      if (port.control == ControlState::kReboot) {
        spdlog::info("port .{}: reboot already in progress; not stacked", id.str());
        return {};
      }
      if (port.control == ControlState::kOff) {
        // The patent: a reboot of a port that is off turns it on at once.
        auto r = switch_relay(id, true);
        if (!r.ok()) return {r};
        set_control(id, ControlState::kOn);
        spdlog::info("port .{} was off; reboot turned it on", id.str());
        return {};
      }
      auto r = switch_relay(id, false);
      if (!r.ok()) return {r};
      auto delay = std::max(kRebootMinDelay, settings_.port(id).min_off);
      set_control(id, ControlState::kReboot);
      port.reboot_timer = loop_.call_after(delay, [this, id]() { finish_reboot(id); });
      spdlog::info("port .{} ({}) rebooting: off, back on in {} ms", id.str(),
                   settings_.port(id).name,
                   std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
      return {};
    }
  }
  return {};
}

void ChainModel::finish_reboot(PortId id) {
  auto& port = state(id);
  port.reboot_timer = 0;
  auto r = switch_relay(id, true);
  if (!r.ok()) {
    spdlog::error("port .{}: reboot could not turn the port back on; it stays off", id.str());
    set_control(id, ControlState::kOff);
    return;
  }
  set_control(id, ControlState::kOn);
  spdlog::info("port .{} ({}) back on after reboot", id.str(), settings_.port(id).name);
  refresh();
}

}  // namespace netpower::agent
