#include "manager/state/fleet_state.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "manager/mib/decode.h"
#include "manager/mib/oids.h"
#include "manager/mib/sentry2.h"
#include "manager/mib/ups_mib.h"

namespace netpower::manager::state {

namespace {

using poller::Oid;
using poller::ValueType;
using poller::Varbind;

Reachability from_poller(poller::AgentState s) {
  switch (s) {
    case poller::AgentState::kUp:
      return Reachability::kUp;
    case poller::AgentState::kDown:
      return Reachability::kDown;
    default:
      return Reachability::kUnknown;
  }
}

void set_reachability(AgentState& a, Reachability r, model::WallTime since) {
  if (a.reachability == r) return;
  a.reachability = r;
  a.reachability_since = since;
}

}  // namespace

const char* to_string(Reachability r) {
  switch (r) {
    case Reachability::kUp:
      return "up";
    case Reachability::kDown:
      return "down";
    default:
      return "unknown";
  }
}

FleetState::FleetState(const std::vector<config::AgentSettings>& agents, std::size_t recent_events)
    : events_max_(recent_events) {
  agents_.reserve(agents.size());
  for (const auto& settings : agents) {
    if (index_.contains(settings.name)) continue;  // the configuration refuses duplicates
    AgentState a;
    a.name = settings.name;
    a.address = settings.address;
    a.port = settings.port;
    a.labels = settings.labels;
    index_.emplace(a.name, agents_.size());
    agents_.push_back(std::move(a));
  }
}

AgentState* FleetState::find(const std::string& name) {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &agents_[it->second];
}

void FleetState::apply_poll(const poller::PollResult& result) {
  if (!result.ok()) {
    apply_poll(result, nullptr);
    return;
  }
  // Decoded before taking the lock: readers are never held up by the decoding.
  auto readings = mib::decode_poll(result.varbinds, result.started);
  apply_poll(result, &readings);
}

void FleetState::apply_poll(const poller::PollResult& result, const mib::AgentReadings* readings) {
  std::unique_lock lock(mutex_);
  AgentState* a = find(result.agent);
  if (a == nullptr) return;
  ++version_;
  ++a->polls_total;
  a->last_poll = result.started;
  a->poll_duration_seconds = std::chrono::duration<double>(result.duration).count();
  a->varbinds_last_poll = result.varbinds.size();
  const model::WallTime ended = result.started + result.duration;
  if (!result.ok() || readings == nullptr) {
    // The last known values stay (stale, not wiped): up/down says whether they are current.
    ++a->poll_failures_total;
    if (!result.ok()) ++a->poll_failures_by_reason[static_cast<std::size_t>(result.error)];
    a->last_error = result.error_text.empty() ? poller::to_string(result.error) : result.error_text;
    set_reachability(*a, Reachability::kDown, ended);
    return;
  }
  a->last_error.clear();
  a->rejected_varbinds_total += readings->rejected;
  set_reachability(*a, Reachability::kUp, ended);
  a->location = readings->chain.location.value_or(std::string());
  a->boards = readings->chain.boards;
  a->ports = readings->chain.ports;
  a->ups = readings->ups;
}

void FleetState::apply_state_change(const poller::StateChange& change) {
  std::unique_lock lock(mutex_);
  AgentState* a = find(change.agent);
  if (a == nullptr) return;
  ++version_;
  a->reachability = from_poller(change.to);
  a->reachability_since = change.time;
}

void FleetState::apply_trap(const traps::DecodedTrap& trap) {
  // The varbinds are the SNMP library's, as a poll's are: applied as they are.
  const std::vector<Varbind>& varbinds = trap.varbinds;
  const auto trap_oid = poller::parse_oid(trap.trap_oid);
  const bool sentry2 = trap_oid && poller::starts_with(*trap_oid, mib::kSentry2Events);
  const bool ups_trap = trap_oid && trap_oid->size() == mib::kUpsTraps.size() + 1 &&
                        poller::starts_with(*trap_oid, mib::kUpsTraps);

  std::unique_lock lock(mutex_);
  ++version_;
  AgentState* a = find(trap.agent);
  if (a == nullptr) {
    ++unknown_traps_;
    return;
  }
  ++a->traps_total;
  a->last_trap = trap.received;

  if (sentry2) {
    mib::ChainReading chain{std::nullopt, std::move(a->boards), std::move(a->ports)};
    a->rejected_varbinds_total += mib::apply_sentry2_notification(chain, varbinds, trap.received);
    if (chain.location) a->location = std::move(*chain.location);
    a->boards = std::move(chain.boards);
    a->ports = std::move(chain.ports);
  } else if (ups_trap) {
    if (!a->ups) a->ups.emplace();
    mib::apply_ups_trap(*a->ups, trap_oid->back(), varbinds);
  }
}

void FleetState::add_event(const model::Event& event) {
  std::unique_lock lock(mutex_);
  ++version_;
  if (events_max_ == 0) return;
  if (events_.size() < events_max_) {
    events_.push_back(event);
  } else {
    events_[events_next_] = event;
  }
  events_next_ = (events_next_ + 1) % events_max_;
}

void FleetState::visit(const std::function<void(const AgentState&)>& fn) const {
  std::shared_lock lock(mutex_);
  for (const auto& a : agents_) fn(a);
}

std::vector<AgentState> FleetState::agents() const {
  std::shared_lock lock(mutex_);
  return agents_;
}

std::optional<AgentState> FleetState::agent(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = index_.find(name);
  if (it == index_.end()) return std::nullopt;
  return agents_[it->second];
}

std::vector<model::Event> FleetState::recent_events(std::size_t max,
                                                    const std::string& agent) const {
  std::shared_lock lock(mutex_);
  std::vector<model::Event> out;
  const std::size_t n = events_.size();
  // events_next_ is the oldest slot once the ring is full, and one past the newest in any case.
  for (std::size_t k = 1; k <= n && out.size() < max; ++k) {
    const auto& e = events_[(events_next_ + events_max_ - k) % events_max_];
    if (agent.empty() || e.agent == agent) out.push_back(e);
  }
  return out;
}

std::uint64_t FleetState::unknown_source_traps() const {
  std::shared_lock lock(mutex_);
  return unknown_traps_;
}

std::uint64_t FleetState::version() const {
  std::shared_lock lock(mutex_);
  return version_;
}

}  // namespace netpower::manager::state
