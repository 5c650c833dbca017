#include "manager/actions/action_manager.h"

#include <spdlog/spdlog.h>

#include <random>

#include "manager/actions/action_events.h"

namespace netpower::manager::actions {

namespace {

// Finished records kept in memory for action(id) until the journal surely has them.
constexpr std::size_t kRecentFinished = 4096;
// Discovery reports kept in memory (their tickles are in the journal either way).
constexpr std::size_t kDiscoveries = 64;

NonceSource random_nonces() {
  auto device = std::make_shared<std::random_device>();
  return [device] {
    const std::uint64_t hi = (*device)();
    const std::uint64_t lo = (*device)();
    return (hi << 32) ^ lo;
  };
}

model::WallTime now_wall() { return model::wall_now(); }

}  // namespace

ActionManager::ActionManager(ActionManagerOptions options)
    : options_(std::move(options)),
      own_clock_(options_.clock ? nullptr : std::make_unique<core::SteadyClock>()),
      clock_(options_.clock ? options_.clock : own_clock_.get()),
      inventory_(read_inventory(*options_.config, options_.traps)),
      presence_(std::make_unique<HostPresence>(inventory_, *clock_)),
      resolver_(*options_.config, inventory_, options_.fleet),
      bindings_(inventory_) {
  if (options_.journal == nullptr) throw std::invalid_argument("actions: no journal");
  if (!options_.nonces) options_.nonces = random_nonces();
  last_id_ = options_.journal->last_action_id();
  bindings_.load(options_.journal->bindings());
  ActionRunner::Hooks hooks;
  hooks.changed = [this](const model::ActionRecord& r) { changed(r); };
  hooks.finished = [this](const model::ActionRecord& r) { finished(r); };
  hooks.answered = [this](const model::ActionRecord& r, std::size_t outlet, const Observation& o) {
    answered(r, outlet, o);
  };
  runner_ = std::make_unique<ActionRunner>(*options_.config, inventory_, *presence_, *clock_,
                                           options_.nonces, std::move(hooks));
}

ActionManager::~ActionManager() { stop(); }

void ActionManager::start() {
  runner_->start();
  started_ = true;
}

void ActionManager::stop() {
  if (stopping_.exchange(true)) return;
  runner_->stop("the manager stopped before the action ended");
}

void ActionManager::on_trap(const traps::DecodedTrap& trap) {
  auto o = presence_->observe(trap);
  if (o.kind != Observation::Kind::kHost && o.kind != Observation::Kind::kTrapAnswer) return;
  if (o.conflict_began) {
    publish(conflict_event(o.host, o.notification.host_id, o.notification.boot_id,
                           o.notification.address, o.notification.received_wall));
  }
  runner_->deliver(std::move(o));
}

void ActionManager::publish(model::Event event) {
  if (options_.events != nullptr) options_.events->publish(std::move(event));
}

std::uint64_t ActionManager::next_id() {
  std::lock_guard lock(mutex_);
  return ++last_id_;
}

model::ActionRecord ActionManager::new_record(const ActionSpec& spec, const model::Principal& who,
                                              std::uint64_t request_id, const std::string& target) {
  model::ActionRecord r;
  r.id = next_id();
  r.request_id = request_id == 0 ? r.id : request_id;
  r.kind = spec.kind;
  r.source = spec.source;
  r.principal = who.name;
  r.reason = spec.reason;
  r.target = target;
  r.dry_run = spec.dry_run;
  r.force = spec.force;
  r.requested = now_wall();
  return r;
}

void ActionManager::refuse(model::ActionRecord& r, const std::string& failure,
                           const std::string& text) {
  r.result = model::ActionResult::kRefused;
  r.failure = failure;
  r.failure_text = text;
  r.finished = now_wall();
  for (auto& s : r.steps) {
    if (s.outcome != model::StepOutcome::kRunning) continue;
    s.outcome = model::StepOutcome::kFailed;
    s.ended = r.finished;
    s.detail = text;
  }
  changed(r);
  finished(r);
}

void ActionManager::launch(model::ActionRecord& r, const HostSettings* host,
                           const std::string& detail) {
  model::ActionStep resolve;
  resolve.name = "resolve";
  resolve.started = r.requested;
  resolve.detail = detail;
  r.steps.push_back(resolve);
  std::shared_ptr<void> hold;
  if (!stopping_ && options_.hold) hold = options_.hold();
  if (!options_.hold && !stopping_) hold = std::make_shared<int>(0);
  if (!hold || !started_) {
    refuse(r, "stopping", "the manager is stopping");
    return;
  }
  {
    std::lock_guard lock(mutex_);
    for (const auto& o : r.outlets) {
      if (busy_.count(o)) {
        std::uint64_t other = 0;
        for (const auto& [id, live] : live_) {
          if (live.result == model::ActionResult::kPending &&
              std::count(live.outlets.begin(), live.outlets.end(), o) > 0) {
            other = id;
          }
        }
        r.steps.back().ended = now_wall();
        r.steps.back().outcome = model::StepOutcome::kFailed;
        r.steps.back().detail = detail + ": " + o.text() + " is busy";
        r.result = model::ActionResult::kRefused;
        r.failure = "outlet-busy";
        r.failure_text = o.text() + " is busy with action " + std::to_string(other);
        r.finished = now_wall();
        break;
      }
    }
    if (r.result == model::ActionResult::kPending) {
      for (const auto& o : r.outlets) busy_.insert(o);
      holding_.insert(r.id);
    }
  }
  if (r.result != model::ActionResult::kPending) {
    changed(r);
    finished(r);
    return;
  }
  r.steps.back().ended = now_wall();
  r.steps.back().outcome = model::StepOutcome::kOk;
  changed(r);
  runner_->run(r, host, std::move(hold));
}

Submitted ActionManager::refuse_request(model::ActionRecord first, const std::string& failure,
                                        const std::string& text) {
  refuse(first, failure, text);
  Submitted out;
  out.request_id = first.request_id;
  out.actions.push_back(std::move(first));
  return out;
}

Submitted ActionManager::submit(const ActionSpec& spec, const model::Principal& who) {
  Submitted out;
  const auto target = spec.target.text();
  auto first = new_record(spec, who, 0, target);
  out.request_id = first.request_id;
  auto refuse_all = [&](const std::string& failure, const std::string& text) {
    return refuse_request(first, failure, text);
  };
  if (!who.may(model::Role::kOperator)) {
    return refuse_all("not-permitted", who.name + " is a " + model::to_string(who.role) +
                                           ": acting on outlets needs an operator");
  }
  if (spec.force && !who.may(model::Role::kAdmin)) {
    return refuse_all("not-permitted", "--force needs an admin; " + who.name + " is a " +
                                           model::to_string(who.role));
  }
  if (spec.force && spec.kind == model::ActionKind::kTickle) {
    return refuse_all("not-permitted", "a tickle cannot be forced");
  }
  if (stopping_) return refuse_all("stopping", "the manager is stopping");
  auto resolution = resolver_.resolve(spec.target);
  if (resolution.actions.empty()) return refuse_all("unknown-target", resolution.error);
  for (std::size_t i = 0; i < resolution.actions.size(); ++i) {
    const auto& a = resolution.actions[i];
    auto r = i == 0 ? first : new_record(spec, who, out.request_id, target);
    r.host = a.host ? a.host->name : "";
    r.outlets = a.outlets;
    launch(r, a.host, a.detail);
    out.actions.push_back(r);
  }
  return out;
}

Submitted ActionManager::discover(const DiscoverySpec& spec, const model::Principal& who) {
  ActionSpec as;
  as.kind = model::ActionKind::kTickle;
  as.reason = spec.reason;
  as.source = spec.source;
  const std::string target = "discover " + (!spec.agent.empty()      ? spec.agent
                                            : !spec.selector.empty() ? spec.selector
                                                                     : std::string("all agents"));
  Submitted out;
  auto first = new_record(as, who, 0, target);
  out.request_id = first.request_id;
  auto refuse_all = [&](const std::string& failure, const std::string& text) {
    return refuse_request(first, failure, text);
  };
  if (!who.may(model::Role::kOperator)) {
    return refuse_all("not-permitted", who.name + " is a " + model::to_string(who.role) +
                                           ": discovery tickles outlets and needs an operator");
  }
  if (stopping_) return refuse_all("stopping", "the manager is stopping");
  std::string error;
  std::vector<model::OutletRef> outlets;
  for (const auto& agent : resolver_.agents(spec, error)) {
    // Every port of the chain, as its last poll says: before the first poll only the inventory's
    // outlets are known, and a discovery of those alone would miss exactly what it looks for.
    if (!resolver_.polled(agent)) {
      return refuse_all("unknown-target", agent +
                                              " has not been polled yet, so its ports are not "
                                              "known; discover it after its first poll");
    }
    for (const auto& port : resolver_.ports_of(agent)) outlets.push_back({agent, port});
  }
  if (outlets.empty()) {
    return refuse_all("unknown-target", error.empty() ? "the ports of " + target.substr(9) +
                                                            " are not known yet (not polled)"
                                                      : error);
  }
  Discovery d;
  std::vector<model::ActionRecord> records;
  for (std::size_t i = 0; i < outlets.size(); ++i) {
    auto r = i == 0 ? first : new_record(as, who, out.request_id, target);
    r.outlets = {outlets[i]};
    const auto* believed = inventory_.host_on(outlets[i]);
    r.host = believed ? believed->name : "";
    d.entries.push_back({outlets[i], r.host, r.id, std::nullopt});
    records.push_back(std::move(r));
  }
  {
    std::lock_guard lock(mutex_);
    discoveries_[out.request_id] = std::move(d);
    while (discoveries_.size() > kDiscoveries) discoveries_.erase(discoveries_.begin());
  }
  for (auto& r : records) {
    const auto* believed = inventory_.host_on(r.outlets[0]);
    // Whoever answers is reported; the identity is checked against a netpower-host believed here.
    const auto* host =
        believed && believed->answer == AnswerMode::kNetpowerHost ? believed : nullptr;
    launch(r, host, "discovery of " + r.outlets[0].text());
    out.actions.push_back(r);
  }
  return out;
}

void ActionManager::changed(const model::ActionRecord& r) {
  {
    std::lock_guard lock(mutex_);
    live_[r.id] = r;
  }
  options_.journal->record(r);
}

void ActionManager::finished(const model::ActionRecord& r) {
  {
    std::lock_guard lock(mutex_);
    live_[r.id] = r;
    if (holding_.erase(r.id) > 0) {
      for (const auto& o : r.outlets) busy_.erase(o);
    }
    finished_order_.push_back(r.id);
    while (finished_order_.size() > kRecentFinished) {
      live_.erase(finished_order_.front());
      finished_order_.pop_front();
    }
  }
  publish(action_event(r));
}

void ActionManager::answered(const model::ActionRecord& r, std::size_t outlet,
                             const Observation& o) {
  if (outlet >= r.outlets.size()) return;
  const auto learned = bindings_.learn(r.outlets[outlet], o.notification, r.id);
  options_.journal->bind(learned.binding);
  if (learned.disagrees) publish(binding_event(learned.binding, learned.believed));
  std::lock_guard lock(mutex_);
  auto it = discoveries_.find(r.request_id);
  if (it == discoveries_.end()) return;
  for (auto& e : it->second.entries) {
    if (e.action_id == r.id && !e.found) e.found = o.notification;
  }
}

std::optional<model::ActionRecord> ActionManager::action(std::uint64_t id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = live_.find(id); it != live_.end()) return it->second;
  }
  return options_.journal->action(id);
}

std::vector<model::ActionRecord> ActionManager::actions(const model::ActionQuery& query) {
  return options_.journal->actions(query);
}

std::optional<DiscoveryReport> ActionManager::discovery(std::uint64_t request_id) {
  Discovery d;
  {
    std::lock_guard lock(mutex_);
    auto it = discoveries_.find(request_id);
    if (it == discoveries_.end()) return std::nullopt;
    d = it->second;
  }
  DiscoveryReport report;
  report.request_id = request_id;
  report.complete = true;
  for (const auto& e : d.entries) {
    DiscoveryEntry out;
    out.outlet = e.outlet;
    out.believed_host = e.believed;
    out.action_id = e.action_id;
    const auto record = action(e.action_id);
    const bool pending = !record || record->result == model::ActionResult::kPending;
    if (e.found) {
      out.found_host_id = e.found->host_id;
      out.hostname = e.found->hostname;
      if (const auto* h = inventory_.host_by_id(e.found->host_id); h && h->user == e.found->user) {
        out.found_host = h->name;
      }
      out.verdict = e.believed.empty()             ? "unexpected"
                    : out.found_host == e.believed ? "match"
                                                   : "mismatch";
    } else if (pending) {
      out.verdict = "pending";
      report.complete = false;
    } else if (record->failure != "no-answer") {
      out.verdict = "refused";
    } else {
      out.verdict = e.believed.empty() ? "empty" : "missing";
    }
    report.entries.push_back(std::move(out));
  }
  return report;
}

std::vector<BindingView> ActionManager::bindings() { return bindings_.views(); }

std::vector<HostView> ActionManager::hosts() {
  std::vector<HostView> out;
  const auto statuses = presence_->hosts();
  for (std::size_t i = 0; i < inventory_.hosts.size(); ++i) {
    const auto& h = inventory_.hosts[i];
    HostView v;
    v.name = h.name;
    v.host_id = h.id;
    v.user = h.answer == AnswerMode::kNetpowerHost ? h.user : "";
    v.outlets = h.outlets;
    v.answers = h.can_answer();
    if (i < statuses.size()) {
      const auto& st = statuses[i];
      v.last_seen = st.last_seen_wall;
      v.boot_id = st.boot_id;
      v.address = st.address;
      v.up = st.up;
      v.conflict = st.conflict;
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace netpower::manager::actions
