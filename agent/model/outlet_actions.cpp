// The per-port state machine of ChainModel: power actions under the patent's outlet rules (see
// chain_model.h for the rules; docs/agent.md "Outlet rules" for what an operator sees).

#include <spdlog/spdlog.h>

#include <algorithm>

#include "agent/model/chain_model.h"

namespace netpower::agent {

using collectors::PduFault;
using collectors::PduResult;
using core::PortId;

namespace {
long long millis(core::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}
ActionResult failed(PduResult why) { return {ActionResult::Outcome::kFailed, std::move(why)}; }
ActionResult done() { return {}; }
}  // namespace

const char* to_string(PowerAction action) {
  switch (action) {
    case PowerAction::kOff:
      return "powerOff";
    case PowerAction::kOn:
      return "powerOn";
    case PowerAction::kReboot:
      return "reboot";
    case PowerAction::kNoop:
      return "noop";
  }
  return "unknown";
}

ActionResult ChainModel::act(PortId id, PowerAction action) {
  auto result = apply(id, action);
  // Collectors reflect a command in their next read (pdu.h): the load and sensed power of the new
  // state show at once instead of after the next poll.
  if (result.outcome == ActionResult::Outcome::kDone && action != PowerAction::kNoop) refresh();
  return result;
}

ActionResult ChainModel::apply(PortId id, PowerAction action) {
  if (!has_port(id)) {
    return failed({PduFault::kNoSuchPort, "port ." + id.str() + " is not in the chain"});
  }
  if (!link_up_) return failed({PduFault::kLinkDown, "the chain does not answer"});
  if (settings_.port(id).locked) {
    if (action == PowerAction::kNoop) return done();
    spdlog::warn("port .{} ({}) is locked: {} refused", id.str(), settings_.port(id).name,
                 to_string(action));
    return {ActionResult::Outcome::kLocked, {PduFault::kRejected, "the port is locked"}};
  }
  auto& port = state(id);
  if (action == PowerAction::kNoop) return done();
  if (port.phase == Phase::kPending) {
    // A new action replaces the one that a hold deferred.
    spdlog::info("port .{}: deferred {} replaced by {}", id.str(), to_string(port.pending),
                 to_string(action));
    loop_.cancel(port.timer);
    port.timer = 0;
    port.phase = Phase::kIdle;
    port.pending = PowerAction::kNoop;
  }
  ActionResult result =
      action == PowerAction::kOn ? turn_on(id) : turn_off(id, action == PowerAction::kReboot);
  if (!result.ok() && port.phase == Phase::kIdle) {
    // A deferred action that now failed leaves the port showing what it is.
    set_control(id, port.relay_expected ? ControlState::kOn : ControlState::kOff);
  }
  return result;
}

std::optional<core::TimePoint> ChainModel::hold_until(PortId id) const {
  const auto& port = state(id);
  if (!port.switched_at) return std::nullopt;
  const auto& settings = settings_.port(id);
  auto end = *port.switched_at + (port.relay_expected ? settings.min_on : settings.min_off);
  if (end > loop_.clock().now()) return end;
  return std::nullopt;
}

ActionResult ChainModel::defer(PortId id, PowerAction action, core::TimePoint until) {
  auto& port = state(id);
  port.phase = Phase::kPending;
  port.pending = action;
  port.timer = loop_.call_at(until, [this, id]() { run_pending(id); });
  set_control(id, action == PowerAction::kOn       ? ControlState::kPendingOn
                  : action == PowerAction::kReboot ? ControlState::kPendingReboot
                                                   : ControlState::kPendingOff);
  spdlog::info("port .{} ({}): {} held by the minimum-{} time; carried out in {} ms", id.str(),
               settings_.port(id).name, to_string(action), port.relay_expected ? "on" : "off",
               millis(until - loop_.clock().now()));
  return {ActionResult::Outcome::kDeferred, {}};
}

void ChainModel::run_pending(PortId id) {
  auto& port = state(id);
  port.timer = 0;
  auto action = port.pending;
  port.phase = Phase::kIdle;
  port.pending = PowerAction::kNoop;
  spdlog::info("port .{}: the hold ended; carrying out the deferred {}", id.str(),
               to_string(action));
  auto result = act(id, action);
  if (!result.ok()) {
    spdlog::warn("port .{}: the deferred {} failed: {}", id.str(), to_string(action),
                 result.hardware.detail);
  }
}

ActionResult ChainModel::turn_on(PortId id) {
  auto& port = state(id);
  switch (port.phase) {
    case Phase::kShutdownOff:
    case Phase::kShutdownReboot:
      reset_phase(id);  // releases the shutdown signal; the power was never cut
      set_control(id, ControlState::kOn);
      spdlog::info("port .{} ({}): powerOn during the shutdown delay: cancelled, stays on",
                   id.str(), settings_.port(id).name);
      return done();
    case Phase::kRebootOff:
      loop_.cancel(port.timer);
      port.timer = 0;
      port.phase = Phase::kIdle;
      spdlog::info("port .{}: reboot cancelled by powerOn", id.str());
      break;
    default:
      break;
  }
  if (port.relay_expected) {
    set_control(id, ControlState::kOn);
    return done();
  }
  if (auto until = hold_until(id)) return defer(id, PowerAction::kOn, *until);
  auto r = switch_relay(id, true);
  if (!r.ok()) return failed(r);
  set_control(id, ControlState::kOn);
  spdlog::info("port .{} ({}) turned on", id.str(), settings_.port(id).name);
  return done();
}

ActionResult ChainModel::turn_off(PortId id, bool reboot) {
  auto& port = state(id);
  switch (port.phase) {
    case Phase::kRebootOff:
      if (reboot) {
        spdlog::info("port .{}: reboot already in progress; not stacked", id.str());
        return done();
      }
      // The relay is already off: the reboot simply does not come back on.
      loop_.cancel(port.timer);
      port.timer = 0;
      port.phase = Phase::kIdle;
      set_control(id, ControlState::kOff);
      spdlog::info("port .{}: reboot cancelled, stays off", id.str());
      return done();
    case Phase::kShutdownReboot:
      if (reboot) {
        spdlog::info("port .{}: reboot already in progress; not stacked", id.str());
        return done();
      }
      port.phase = Phase::kShutdownOff;
      spdlog::info("port .{}: the reboot under way will stay off", id.str());
      return done();
    case Phase::kShutdownOff:
      if (reboot) {
        port.phase = Phase::kShutdownReboot;
        spdlog::info("port .{}: the shutdown under way becomes a reboot", id.str());
      }
      return done();
    default:
      break;
  }
  if (!port.relay_expected) {
    // The patent: a reboot of a port that is off turns it on at once.
    if (reboot) {
      spdlog::info("port .{} is off: reboot turns it on", id.str());
      return turn_on(id);
    }
    set_control(id, ControlState::kOff);
    return done();
  }
  if (auto until = hold_until(id)) {
    return defer(id, reboot ? PowerAction::kReboot : PowerAction::kOff, *until);
  }
  auto delay = settings_.port(id).shutdown_delay;
  if (delay <= core::Duration::zero()) return cut_power(id, reboot);
  set_signal(id, true);
  port.phase = reboot ? Phase::kShutdownReboot : Phase::kShutdownOff;
  port.timer = loop_.call_after(delay, [this, id]() {
    auto& p = state(id);
    p.timer = 0;
    auto r = cut_power(id, p.phase == Phase::kShutdownReboot);
    if (r.ok()) refresh();
  });
  set_control(id, ControlState::kShutdown);
  spdlog::info("port .{} ({}): shutdown signal asserted; power {} in {} ms", id.str(),
               settings_.port(id).name, reboot ? "cycled" : "cut", millis(delay));
  return done();
}

ActionResult ChainModel::cut_power(PortId id, bool reboot) {
  auto& port = state(id);
  auto r = switch_relay(id, false);
  set_signal(id, false);  // the host is off (or the cut failed): the signal has done its work
  port.phase = Phase::kIdle;
  if (!r.ok()) {
    set_control(id, port.relay_expected ? ControlState::kOn : ControlState::kOff);
    return failed(r);
  }
  if (!reboot) {
    set_control(id, ControlState::kOff);
    spdlog::info("port .{} ({}) turned off", id.str(), settings_.port(id).name);
    return done();
  }
  auto delay = std::max(kRebootMinDelay, settings_.port(id).min_off);
  port.phase = Phase::kRebootOff;
  port.timer = loop_.call_after(delay, [this, id]() { finish_reboot(id); });
  set_control(id, ControlState::kReboot);
  spdlog::info("port .{} ({}) rebooting: off, back on in {} ms", id.str(), settings_.port(id).name,
               millis(delay));
  return done();
}

void ChainModel::finish_reboot(PortId id) {
  auto& port = state(id);
  port.timer = 0;
  port.phase = Phase::kIdle;
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

PduResult ChainModel::switch_relay(PortId id, bool on) {
  auto result = pdu_.switch_port(id, on);
  auto& port = state(id);
  if (result.ok()) {
    if (port.relay_expected != on) port.switched_at = loop_.clock().now();
    port.reading.relay_on = on;
    port.relay_expected = on;
  } else {
    spdlog::warn("port .{}: switching {} failed: {}: {}", id.str(), on ? "on" : "off",
                 collectors::to_string(result.fault), result.detail);
  }
  return result;
}

void ChainModel::set_signal(PortId id, bool asserted) {
  auto& port = state(id);
  if (port.shutdown_signal == asserted) return;
  auto r = pdu_.set_shutdown_signal(id, asserted);
  if (!r.ok()) {
    spdlog::warn("port .{}: cannot {} the shutdown signal: {}", id.str(),
                 asserted ? "assert" : "release", r.detail);
    return;
  }
  port.shutdown_signal = asserted;
}

void ChainModel::set_control(PortId id, ControlState next) {
  auto& port = state(id);
  if (port.control == next) return;
  port.control = next;
  if (control_listener_) control_listener_(id, next);
}

void ChainModel::reset_phase(PortId id) {
  auto& port = state(id);
  if (port.timer != 0) {
    loop_.cancel(port.timer);
    port.timer = 0;
  }
  if (port.shutdown_signal) set_signal(id, false);
  port.phase = Phase::kIdle;
  port.pending = PowerAction::kNoop;
}

}  // namespace netpower::agent
