#include "manager/actions/action_machine.h"

#include <algorithm>
#include <cstdio>

#include "manager/mib/sentry2.h"

namespace netpower::manager::actions {

using model::ActionKind;
using model::ActionResult;
using model::StepOutcome;

ActionMachine::ActionMachine(model::ActionRecord record, const HostSettings* host,
                             const Inventory& inventory, const HostPresence& presence,
                             const core::Clock& clock, NonceSource nonces)
    : record_(std::move(record)),
      host_(host),
      inventory_(inventory),
      settings_(inventory.settings),
      presence_(presence),
      clock_(clock),
      next_nonce_(std::move(nonces)),
      origin_(clock.now()) {
  outlets_.resize(record_.outlets.size());
  nonces_.assign(record_.outlets.size(), 0);
}

// --- helpers ---------------------------------------------------------------------------------

model::WallTime ActionMachine::wall(core::TimePoint t) const {
  return record_.requested + std::chrono::duration_cast<std::chrono::microseconds>(t - origin_);
}

std::string ActionMachine::seconds(core::Duration d) const {
  char buffer[32];
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms < 1000) {
    std::snprintf(buffer, sizeof buffer, "%lld ms", static_cast<long long>(ms));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.2f s", static_cast<double>(ms) / 1000.0);
  }
  return buffer;
}

bool ActionMachine::tickles() const {
  return host_ != nullptr ? host_->can_answer() : record_.kind == ActionKind::kTickle;
}
bool ActionMachine::answers_by_nonce() const {
  return host_ == nullptr || host_->answer == AnswerMode::kNetpowerHost;
}
bool ActionMachine::watches_heartbeat() const {
  return host_ != nullptr && host_->answer == AnswerMode::kNetpowerHost;
}

std::size_t ActionMachine::open_step(const std::string& name, const std::string& detail) {
  model::ActionStep step;
  step.name = name;
  step.started = wall(now());
  step.detail = detail;
  record_.steps.push_back(std::move(step));
  ++version_;
  return record_.steps.size() - 1;
}

void ActionMachine::close_step(std::size_t index, StepOutcome outcome, const std::string& detail) {
  auto& step = record_.steps.at(index);
  step.ended = wall(now());
  step.outcome = outcome;
  step.detail = detail;
  ++version_;
}

void ActionMachine::finish(ActionResult result, const std::string& failure,
                           const std::string& text) {
  if (phase_ == Phase::kDone) return;
  for (auto& step : record_.steps) {
    if (step.outcome != StepOutcome::kRunning) continue;
    step.outcome = StepOutcome::kSkipped;
    step.ended = wall(now());
    step.detail += (step.detail.empty() ? "" : "; ") + std::string("not finished: ") +
                   (failure.empty() ? "the action ended" : failure);
  }
  phase_ = Phase::kDone;
  record_.result = result;
  record_.failure = failure;
  record_.failure_text = text;
  record_.finished = wall(now());
  ++version_;
}

namespace {

std::string describe(const HostNotification& n, const Inventory& inventory) {
  const auto* known = inventory.host_by_id(n.host_id);
  std::string out = known ? known->name : "a host not in the inventory";
  out += " (id " + n.host_id;
  if (!n.hostname.empty()) out += ", hostname " + n.hostname;
  if (!n.boot_id.empty()) out += ", boot " + n.boot_id;
  out += ", user " + (n.user.empty() ? std::string("none") : n.user) + ")";
  return out;
}

}  // namespace

// --- start -------------------------------------------------------------------------------------

std::vector<OutletCommand> ActionMachine::start() {
  if (!tickles()) {
    const std::string who = host_ ? "host " + host_->name : "outlet " + outlet_text(0);
    if (record_.kind == ActionKind::kTickle) {
      finish(ActionResult::kRefused, "not-permitted",
             who + " cannot answer a tickle (answer: none in the inventory)");
      return {};
    }
    if (!record_.force) {
      if (host_ == nullptr) {
        finish(ActionResult::kRefused, "no-host",
               "no inventory host is on " + outlet_text(0) +
                   ": nothing can answer its tickle; only an admin's --force switches it");
      } else {
        finish(ActionResult::kRefused, "not-permitted",
               who + " cannot answer a tickle; only an admin's --force switches it");
      }
      return {};
    }
  }
  if (host_ != nullptr) {
    if (auto st = presence_.status(host_->name)) {
      boot_before_ = st->boot_id;
      last_heard_ = st->last_seen;
    }
  }
  if (record_.kind == ActionKind::kOn) {
    phase_ = Phase::kStatus;
    phase_deadline_ = now() + settings_.switch_timeout;
    std::vector<OutletCommand> out;
    for (std::size_t i = 0; i < outlets_.size(); ++i) {
      outlets_[i].step = open_step("status " + outlet_text(i), "reading the relay");
      outlets_[i].read_pending = true;
      out.push_back({OutletCommand::Kind::kRead, i});
    }
    return out;
  }
  if (tickles()) return begin_tickle();
  open_step("tickle", "");
  close_step(record_.steps.size() - 1, StepOutcome::kSkipped,
             "forced by " + record_.principal + ": " +
                 (host_ ? "host " + host_->name : outlet_text(0)) + " cannot answer a tickle");
  return after_identity();
}

std::vector<OutletCommand> ActionMachine::begin_tickle() {
  phase_ = Phase::kTickle;
  for (std::size_t i = 0; i < outlets_.size(); ++i) {
    std::uint64_t nonce = 0;
    while (nonce == 0 || std::count(nonces_.begin(), nonces_.end(), nonce) > 0) {
      nonce = next_nonce_();
    }
    nonces_[i] = nonce;
    outlets_[i].nonce = nonce;
  }
  return tickle_next();
}

// The outlets of one host are tickled one after another: a dual-corded host may hear both of its
// outlets on one signal line, where two frames at once would garble each other.
std::vector<OutletCommand> ActionMachine::tickle_next() {
  if (phase_ != Phase::kTickle) return {};
  for (std::size_t i = 0; i < outlets_.size(); ++i) {
    auto& o = outlets_[i];
    if (o.set_sent) {
      if (!o.answer_closed) return {};  // still waiting for this one
      continue;
    }
    char hex[24];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(o.nonce));
    o.step = open_step("tickle " + outlet_text(i), std::string("nonce ") + hex);
    o.set_pending = true;
    o.set_sent = now();
    return {{OutletCommand::Kind::kTickle, i, o.nonce}};
  }
  return {};
}

// --- SNMP answers ------------------------------------------------------------------------------

std::vector<OutletCommand> ActionMachine::on_set(const OutletCommand& command,
                                                 const SetResult& result) {
  if (command.outlet >= outlets_.size()) return {};
  auto& o = outlets_[command.outlet];
  if (!o.set_pending || phase_ == Phase::kDone) return {};
  o.set_pending = false;
  const bool ok = result.kind == SetResult::Kind::kOk;
  const auto& step_detail = record_.steps.at(o.step).detail;
  if (command.kind == OutletCommand::Kind::kTickle) {
    if (phase_ != Phase::kTickle) return {};
    if (!ok) {
      close_step(o.step, StepOutcome::kFailed, step_detail + ": " + result.text);
      finish(ActionResult::kRefused, "tickle-refused",
             "the agent did not start the tickle on " + outlet_text(command.outlet) + ": " +
                 result.text);
      return {};
    }
    close_step(o.step, StepOutcome::kOk, step_detail + ": sent");
    o.tickle_acked = now();
    o.step = open_step("answer " + outlet_text(command.outlet),
                       "waiting up to " + seconds(settings_.answer_timeout));
    o.answer_step = o.step;
    if (o.answer) {
      o.answer_closed = true;
      close_step(o.step, StepOutcome::kOk,
                 "answered by " + describe(o.answer->notification, inventory_) +
                     " before the agent acknowledged the tickle");
    }
    if (!o.answer_closed) return {};
    auto next = tickle_next();
    return next.empty() ? check_answers() : next;
  }
  if (command.kind != OutletCommand::Kind::kSwitch) return {};
  if (phase_ != Phase::kSwitchOff && phase_ != Phase::kSwitchOn) return {};
  if (!ok) {
    close_step(o.step, StepOutcome::kFailed, step_detail + ": " + result.text);
    const bool timeout = result.kind == SetResult::Kind::kTimeout;
    finish(ActionResult::kFailed, timeout ? "switch-timeout" : "switch-refused",
           "switching " + outlet_text(command.outlet) + (command.on ? " on" : " off") +
               (timeout ? " was not acknowledged: " : " was refused: ") + result.text);
    return {};
  }
  close_step(o.step, StepOutcome::kOk, step_detail + " accepted");
  for (const auto& other : outlets_) {
    if (other.set_pending) return {};
  }
  return begin_verify(phase_ == Phase::kSwitchOn);
}

std::vector<OutletCommand> ActionMachine::on_read(std::size_t index, const ReadResult& r) {
  if (index >= outlets_.size() || phase_ == Phase::kDone) return {};
  auto& o = outlets_[index];
  if (!o.read_pending) return {};
  o.read_pending = false;
  const std::string seen = r.ok ? r.control + ", load " + r.load_text : r.error;
  if (phase_ == Phase::kStatus) {
    const auto relay = r.ok ? mib::relay_on(r.control) : std::nullopt;
    if (!relay) {
      close_step(o.step, StepOutcome::kFailed, seen);
      finish(ActionResult::kRefused, "status-unknown",
             "the status of " + outlet_text(index) + " could not be read: " + seen);
      return {};
    }
    o.relay_before = *relay;
    close_step(o.step, StepOutcome::kOk, seen);
    for (const auto& other : outlets_) {
      if (!other.relay_before) return {};
    }
    was_off_ = std::none_of(outlets_.begin(), outlets_.end(),
                            [](const Outlet& x) { return *x.relay_before; });
    if (was_off_) {
      open_step("tickle");
      close_step(record_.steps.size() - 1, StepOutcome::kSkipped,
                 "every outlet is off: the host cannot answer" +
                     std::string(watches_heartbeat() ? "; its hello after power-on will" : ""));
      return after_identity();
    }
    if (tickles()) return begin_tickle();
    open_step("tickle");
    close_step(record_.steps.size() - 1, StepOutcome::kSkipped,
               "forced by " + record_.principal + ": the host cannot answer a tickle");
    return after_identity();
  }
  if (phase_ != Phase::kVerifyOff && phase_ != Phase::kVerifyOn) return {};
  const bool on = phase_ == Phase::kVerifyOn;
  o.last_read = r;
  if (!o.verified && verify_met(r, on)) {
    o.verified = true;
    std::string detail = seen;
    if (!r.load_amps) detail += " (no load sensor: the relay alone)";
    close_step(o.step, StepOutcome::kOk, detail);
    for (const auto& other : outlets_) {
      if (!other.verified) return read_due();
    }
    return after_verify(on);
  }
  o.next_read = now() + settings_.verify_interval;
  return {};
}

bool ActionMachine::verify_met(const ReadResult& r, bool on) const {
  if (!r.ok) return false;
  const auto relay = mib::relay_on(r.control);
  if (!relay || *relay != on) return false;
  if (!r.load_amps) return true;  // no sensor
  return on ? *r.load_amps > settings_.load_threshold : *r.load_amps <= settings_.load_threshold;
}

// --- answers and identity ----------------------------------------------------------------------

std::vector<OutletCommand> ActionMachine::on_answer(std::size_t index, const Observation& answer) {
  if (index >= outlets_.size()) return {};
  auto& o = outlets_[index];
  const auto& n = answer.notification;
  if (answer.verified && host_ != nullptr && answer.host == host_->name) note_host(answer);
  std::vector<OutletCommand> cmds;
  if (phase_ == Phase::kTickle) {
    cmds = on_time();  // an answer at or after its deadline is a late one
    if (phase_ == Phase::kTickle && !o.answer_closed && !o.answer && o.set_sent) {
      o.answer = answer;
      if (o.tickle_acked) {
        o.answer_closed = true;
        close_step(o.step, StepOutcome::kOk,
                   "answered by " + describe(n, inventory_) + " in " +
                       seconds(n.received - *o.tickle_acked));
        auto more = tickle_next();
        if (more.empty()) more = check_answers();
        cmds.insert(cmds.end(), more.begin(), more.end());
      }
      return cmds;
    }
  }
  if (o.answer) {
    if (phase_ == Phase::kTickle && o.answer->notification.host_id != n.host_id) {
      conflicting_ = "a second answer to the tickle on " + outlet_text(index) + " came from " +
                     describe(n, inventory_);
    }
    return cmds;
  }
  if (o.answer_closed && o.answer_step < record_.steps.size()) {
    // A late answer is noted beside the refusal; it never revives the action.
    auto& step = record_.steps[o.answer_step];
    step.detail += "; late answer from " + describe(n, inventory_) + " after " +
                   seconds(n.received - o.tickle_acked.value_or(n.received)) + ": ignored";
    ++version_;
  }
  return cmds;
}

std::vector<OutletCommand> ActionMachine::check_answers() {
  for (const auto& o : outlets_) {
    if (!o.answer_closed) return {};
  }
  identity();
  return after_identity();
}

void ActionMachine::identity() {
  if (phase_ == Phase::kDone) return;
  const auto step = open_step("identity");
  std::vector<const Observation*> answers;
  for (const auto& o : outlets_) {
    if (o.answer) answers.push_back(&*o.answer);
  }
  if (answers.empty()) {
    close_step(step, StepOutcome::kSkipped,
               "no answer; forced by " + record_.principal + ": switched without an identity");
    return;
  }
  auto refuse = [&](const char* reason, const std::string& text) {
    close_step(step, StepOutcome::kFailed, text);
    finish(ActionResult::kRefused, reason, text);
  };
  std::string boot;
  for (std::size_t i = 0; i < outlets_.size(); ++i) {
    if (!outlets_[i].answer) continue;
    const auto& a = *outlets_[i].answer;
    const auto& n = a.notification;
    if (host_ == nullptr) continue;
    if (host_->answer == AnswerMode::kTrap) {
      if (!a.verified) {
        return refuse("unverified-sender", "the answer trap for " + host_->name +
                                               " came from user '" + n.user + "', not '" +
                                               host_->user + "'");
      }
      continue;
    }
    if (n.host_id != host_->id) {
      return refuse("wrong-host", outlet_text(i) + " was answered by " + describe(n, inventory_) +
                                      ", not by " + host_->name + " (id " + host_->id + ")");
    }
    if (n.user != host_->user) {
      return refuse("unverified-sender", "the answer on " + outlet_text(i) + " names " +
                                             host_->name + " but came from user '" + n.user +
                                             "', not from its user '" + host_->user + "'");
    }
    if (!boot.empty() && n.boot_id != boot) {
      return refuse("host-conflict", "the outlets of " + host_->name +
                                         " were answered by two boots (" + boot + ", " + n.boot_id +
                                         "): two machines claim its id");
    }
    boot = n.boot_id;
  }
  if (!conflicting_.empty()) return refuse("host-conflict", conflicting_);
  if (host_ != nullptr) {
    if (auto st = presence_.status(host_->name); st && st->conflict) {
      return refuse("host-conflict", "two machines claim the id " + host_->id + " of " +
                                         host_->name + " (boot ids alive at once)");
    }
  }
  if (!boot.empty()) boot_before_ = boot;
  const auto& first = answers.front()->notification;
  std::string detail = host_ == nullptr ? "answered by " + describe(first, inventory_) +
                                              " (the inventory has no host here)"
                                        : "verified: " + describe(first, inventory_);
  if (answers.size() < outlets_.size()) detail += "; some outlets did not answer (forced)";
  close_step(step, StepOutcome::kOk, detail);
}

std::vector<OutletCommand> ActionMachine::after_identity() {
  if (phase_ == Phase::kDone) return {};
  if (record_.kind == ActionKind::kTickle) {
    finish(ActionResult::kSucceeded, "", "");
    return {};
  }
  if (record_.dry_run) {
    open_step("switch");
    close_step(record_.steps.size() - 1, StepOutcome::kSkipped, "dry run: nothing switched");
    finish(ActionResult::kSucceeded, "", "");
    return {};
  }
  return begin_switch(record_.kind == ActionKind::kOn);
}

}  // namespace netpower::manager::actions
