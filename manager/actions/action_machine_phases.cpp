// The action machine after the identity: switching, verifying, the host's silence and hello,
// and time (action_machine.h).
#include <algorithm>

#include "manager/actions/action_machine.h"
#include "manager/mib/sentry2.h"

namespace netpower::manager::actions {

using model::ActionKind;
using model::ActionResult;
using model::StepOutcome;

// --- switching and verifying -------------------------------------------------------------------

std::vector<OutletCommand> ActionMachine::begin_switch(bool on) {
  phase_ = on ? Phase::kSwitchOn : Phase::kSwitchOff;
  switch_sent_ = true;
  if (on) switch_on_sent_ = now();
  phase_deadline_ = now() + settings_.switch_timeout;
  std::vector<OutletCommand> out;
  for (std::size_t i = 0; i < outlets_.size(); ++i) {
    auto& o = outlets_[i];
    o.step = open_step("switch " + outlet_text(i), on ? "powerOn" : "powerOff");
    o.set_pending = true;
    o.set_sent = now();
    OutletCommand c{OutletCommand::Kind::kSwitch, i};
    c.on = on;
    out.push_back(c);
  }
  return out;
}

std::vector<OutletCommand> ActionMachine::begin_verify(bool on) {
  phase_ = on ? Phase::kVerifyOn : Phase::kVerifyOff;
  phase_started_ = now();
  phase_deadline_ = now() + settings_.verify_timeout;
  for (std::size_t i = 0; i < outlets_.size(); ++i) {
    auto& o = outlets_[i];
    o.verified = false;
    o.last_read.reset();
    o.next_read = now();
    o.step = open_step((on ? "verify-on " : "verify-off ") + outlet_text(i),
                       on ? "waiting for the relay on and the load back"
                          : "waiting for the relay off and no load");
  }
  return read_due();
}

std::vector<OutletCommand> ActionMachine::read_due() {
  std::vector<OutletCommand> out;
  if (phase_ != Phase::kVerifyOff && phase_ != Phase::kVerifyOn) return out;
  for (std::size_t i = 0; i < outlets_.size(); ++i) {
    auto& o = outlets_[i];
    if (o.verified || o.read_pending || !o.next_read || *o.next_read > now()) continue;
    o.read_pending = true;
    o.next_read.reset();
    out.push_back({OutletCommand::Kind::kRead, i});
  }
  return out;
}

std::vector<OutletCommand> ActionMachine::after_verify(bool on) {
  if (!on) {
    if (record_.kind == ActionKind::kReboot) {
      phase_ = Phase::kOffTime;
      phase_step_ = open_step("off-time", "waiting " + seconds(settings_.off_time));
      phase_deadline_ = now() + settings_.off_time;
      return on_time();
    }
    if (!watches_heartbeat()) {
      finish(ActionResult::kSucceeded, "", "");
      return {};
    }
    phase_ = Phase::kHeartbeat;
    phase_started_ = now();
    if (auto st = presence_.status(host_->name); st && st->last_seen) {
      last_heard_ = last_heard_ ? std::max(*last_heard_, *st->last_seen) : *st->last_seen;
    }
    phase_step_ =
        open_step("heartbeat-stopped", "waiting until " + host_->name + " is silent for " +
                                           seconds(inventory_.heartbeat_timeout(*host_)));
    return on_time();
  }
  if (watches_heartbeat() && (record_.kind == ActionKind::kReboot || was_off_)) {
    return begin_hello();
  }
  finish(ActionResult::kSucceeded, "", "");
  return {};
}

std::vector<OutletCommand> ActionMachine::begin_hello() {
  phase_ = Phase::kHello;
  phase_started_ = now();
  phase_deadline_ = now() + settings_.boot_timeout;
  phase_step_ = open_step("hello", "waiting up to " + seconds(settings_.boot_timeout) +
                                       " for a hello with a new boot id" +
                                       (boot_before_.empty() ? "" : " (was " + boot_before_ + ")"));
  return on_time();
}

// --- the host's notifications ------------------------------------------------------------------

std::vector<OutletCommand> ActionMachine::on_host(const Observation& o) {
  if (phase_ == Phase::kDone || host_ == nullptr || o.host != host_->name) return {};
  if (o.kind == Observation::Kind::kTrapAnswer) {
    if (phase_ != Phase::kTickle) return {};
    auto cmds = on_time();
    if (phase_ != Phase::kTickle) return cmds;
    for (std::size_t i = 0; i < outlets_.size(); ++i) {
      auto& x = outlets_[i];
      if (x.answer_closed || x.answer || !x.set_sent) continue;
      x.answer = o;
      if (x.tickle_acked) {
        x.answer_closed = true;
        close_step(x.step, StepOutcome::kOk,
                   "answered by the trap " + host_->trap_oid + " from " + o.notification.address +
                       " in " + seconds(o.notification.received - *x.tickle_acked));
      }
    }
    auto more = check_answers();
    cmds.insert(cmds.end(), more.begin(), more.end());
    return cmds;
  }
  if (o.kind != Observation::Kind::kHost || !o.verified) return {};
  auto cmds = on_time();  // what was due before this notification comes first
  if (phase_ == Phase::kDone) return cmds;
  note_host(o);
  auto more = on_time();
  cmds.insert(cmds.end(), more.begin(), more.end());
  return cmds;
}

void ActionMachine::note_host(const Observation& o) {
  const auto& n = o.notification;
  if (phase_ == Phase::kHeartbeat && phase_started_ &&
      n.received - *phase_started_ >= settings_.answer_timeout) {
    close_step(phase_step_, StepOutcome::kFailed,
               std::string("a ") + to_string(n.kind) + " from " + host_->name + " (boot " +
                   n.boot_id + ") came " + seconds(n.received - *phase_started_) +
                   " after its outlets were verified off");
    finish(ActionResult::kFailed, "heartbeat-continues",
           host_->name +
               " is still heard after its outlets were switched off: it has power "
               "from elsewhere (another outlet, a wrong inventory)");
    return;
  }
  last_heard_ = last_heard_ ? std::max(*last_heard_, n.received) : n.received;
  if (!switch_on_sent_ || n.received < *switch_on_sent_) return;
  const bool new_boot = boot_before_.empty() || n.boot_id != boot_before_;
  if (new_boot && n.kind != HostNotification::Kind::kAnswer) {
    if (!hello_) hello_ = o;
  } else if (!new_boot && same_boot_.empty()) {
    same_boot_ = std::string("a ") + to_string(n.kind) + " with the old boot id " + n.boot_id +
                 " came " + seconds(n.received - *switch_on_sent_) + " after power-on";
  }
}

// --- time --------------------------------------------------------------------------------------

std::vector<OutletCommand> ActionMachine::on_time() {
  const auto t = now();
  switch (phase_) {
    case Phase::kStatus:
      if (phase_deadline_ && t >= *phase_deadline_) {
        for (std::size_t i = 0; i < outlets_.size(); ++i) {
          if (!outlets_[i].read_pending) continue;
          close_step(outlets_[i].step, StepOutcome::kFailed,
                     "no answer within " + seconds(settings_.switch_timeout));
          finish(ActionResult::kRefused, "status-unknown",
                 "the status of " + outlet_text(i) + " could not be read");
        }
      }
      return {};
    case Phase::kTickle: {
      for (std::size_t i = 0; i < outlets_.size() && phase_ == Phase::kTickle; ++i) {
        auto& o = outlets_[i];
        if (o.set_pending && o.set_sent && t - *o.set_sent >= settings_.switch_timeout) {
          o.set_pending = false;
          close_step(o.step, StepOutcome::kFailed,
                     "the agent did not answer within " + seconds(settings_.switch_timeout));
          finish(ActionResult::kRefused, "tickle-refused",
                 "the agent did not acknowledge the tickle on " + outlet_text(i));
          return {};
        }
        if (o.tickle_acked && !o.answer_closed && t - *o.tickle_acked >= settings_.answer_timeout) {
          o.answer_closed = true;
          const std::string text = "no answer to the tickle on " + outlet_text(i) + " within " +
                                   seconds(settings_.answer_timeout);
          if (!record_.force) {
            close_step(o.step, StepOutcome::kFailed, text);
            finish(ActionResult::kRefused, "no-answer", text);
            return {};
          }
          close_step(o.step, StepOutcome::kFailed,
                     text + "; forced by " + record_.principal + ": going on without it");
        }
      }
      if (phase_ != Phase::kTickle) return {};
      if (auto next = tickle_next(); !next.empty()) return next;
      for (const auto& o : outlets_) {
        if (!o.answer_closed) return {};
      }
      return check_answers();
    }
    case Phase::kSwitchOff:
    case Phase::kSwitchOn:
      if (phase_deadline_ && t >= *phase_deadline_) {
        for (std::size_t i = 0; i < outlets_.size(); ++i) {
          if (!outlets_[i].set_pending) continue;
          outlets_[i].set_pending = false;
          close_step(outlets_[i].step, StepOutcome::kFailed,
                     "not acknowledged within " + seconds(settings_.switch_timeout));
          finish(ActionResult::kFailed, "switch-timeout",
                 "switching " + outlet_text(i) + " was not acknowledged within " +
                     seconds(settings_.switch_timeout));
        }
      }
      return {};
    case Phase::kVerifyOff:
    case Phase::kVerifyOn: {
      if (phase_deadline_ && t >= *phase_deadline_) {
        const bool on = phase_ == Phase::kVerifyOn;
        for (std::size_t i = 0; i < outlets_.size(); ++i) {
          const auto& o = outlets_[i];
          if (o.verified) continue;
          const auto& r = o.last_read;
          const auto relay = r && r->ok ? mib::relay_on(r->control) : std::nullopt;
          const bool status_ok = relay && *relay == on;
          const std::string seen = !r      ? "no read-back answered"
                                   : r->ok ? r->control + ", load " + r->load_text
                                           : r->error;
          const std::string text =
              outlet_text(i) + " is not " + (on ? "on" : "off") +
              (status_ok ? (on ? " with its load back" : " without load") : "") + " after " +
              seconds(settings_.verify_timeout) + ": " + seen;
          close_step(o.step, StepOutcome::kFailed, text);
          finish(ActionResult::kFailed, status_ok ? "verify-load" : "verify-status", text);
          return {};
        }
      }
      return read_due();
    }
    case Phase::kHeartbeat: {
      const auto timeout = inventory_.heartbeat_timeout(*host_);
      if (!last_heard_ || t - *last_heard_ >= timeout) {
        close_step(phase_step_, StepOutcome::kOk,
                   last_heard_ ? host_->name + " silent for " + seconds(t - *last_heard_)
                               : host_->name + " was never heard");
        finish(ActionResult::kSucceeded, "", "");
      }
      return {};
    }
    case Phase::kOffTime:
      if (phase_deadline_ && t >= *phase_deadline_) {
        close_step(phase_step_, StepOutcome::kOk, "waited " + seconds(settings_.off_time));
        return begin_switch(true);
      }
      return {};
    case Phase::kHello:
      if (!same_boot_.empty()) {
        close_step(phase_step_, StepOutcome::kFailed, same_boot_);
        finish(ActionResult::kFailed, "same-boot-id",
               host_->name + " did not restart: " + same_boot_);
      } else if (hello_) {
        const auto& n = hello_->notification;
        close_step(phase_step_, StepOutcome::kOk,
                   std::string(n.kind == HostNotification::Kind::kHello
                                   ? "hello"
                                   : "a heartbeat (its hello was not heard)") +
                       " with the new boot id " + n.boot_id + " " +
                       seconds(n.received - switch_on_sent_.value_or(n.received)) +
                       " after power-on");
        finish(ActionResult::kSucceeded, "", "");
      } else if (phase_deadline_ && t >= *phase_deadline_) {
        const std::string text = "no hello from " + host_->name + " with a new boot id within " +
                                 seconds(settings_.boot_timeout) + " of power-on";
        close_step(phase_step_, StepOutcome::kFailed, text);
        finish(ActionResult::kFailed, "no-hello", text);
      }
      return {};
    case Phase::kDone:
      return {};
  }
  return {};
}

std::optional<core::TimePoint> ActionMachine::wake() const {
  auto earliest = [](std::optional<core::TimePoint>& best, core::TimePoint t) {
    if (!best || t < *best) best = t;
  };
  std::optional<core::TimePoint> out;
  switch (phase_) {
    case Phase::kTickle:
      for (const auto& o : outlets_) {
        if (o.set_pending && o.set_sent) earliest(out, *o.set_sent + settings_.switch_timeout);
        if (o.tickle_acked && !o.answer_closed) {
          earliest(out, *o.tickle_acked + settings_.answer_timeout);
        }
      }
      return out;
    case Phase::kVerifyOff:
    case Phase::kVerifyOn:
      if (phase_deadline_) earliest(out, *phase_deadline_);
      for (const auto& o : outlets_) {
        if (!o.verified && !o.read_pending && o.next_read) earliest(out, *o.next_read);
      }
      return out;
    case Phase::kHeartbeat:
      if (last_heard_) return *last_heard_ + inventory_.heartbeat_timeout(*host_);
      return now();
    case Phase::kDone:
      return std::nullopt;
    default:
      return phase_deadline_;
  }
}

void ActionMachine::abort(const std::string& text) {
  if (phase_ == Phase::kDone) return;
  finish(switch_sent_ ? ActionResult::kFailed : ActionResult::kRefused, "stopping", text);
}

}  // namespace netpower::manager::actions
