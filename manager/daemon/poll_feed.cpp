#include "manager/daemon/poll_feed.h"

#include <spdlog/spdlog.h>

#include "manager/mib/decode.h"
#include "manager/mib/samples.h"

namespace netpower::manager::daemon {

void PollFeed::on_poll(poller::PollResult result) {
  // Decoded once: the state keeps the readings, the store's samples are made from them.
  std::optional<mib::AgentReadings> readings;
  if (result.ok()) readings = mib::decode_poll(result.varbinds, result.started);
  if (readings && readings->rejected > 0) log_rejected(result.agent, readings->rejected);
  fleet_.apply_poll(result, readings ? &*readings : nullptr);
  if (history_ == nullptr) return;
  const mib::PollFacts facts{result.agent, result.started, result.duration, result.ok()};
  auto samples = mib::poll_samples(facts, readings ? &*readings : nullptr);
  if (!samples.empty()) history_->add_samples(std::move(samples));
}

void PollFeed::log_rejected(const std::string& agent, std::uint64_t rejected) {
  std::uint64_t polls = 0;
  {
    std::lock_guard lock(mutex_);
    polls = ++rejecting_polls_[agent];
  }
  // The first such poll of an agent, then one in 1000: a misbehaving agent cannot flood the log.
  if (polls == 1 || polls % 1000 == 0) {
    spdlog::warn(
        "agent {}: {} varbind(s) refused in one poll (rows the MIBs cannot have: boards outside "
        "A..Z, ports outside A1..Z4, more than 64 UPS alarms); {} poll(s) so far with refusals, "
        "see netpower_agent_rejected_varbinds_total",
        agent, rejected, polls);
  }
}

void PollFeed::on_state(const poller::StateChange& change) {
  if (change.to == poller::AgentState::kDown) {
    spdlog::warn("agent {}: {}", change.agent, change.text);
  } else {
    spdlog::info("agent {}: {}", change.agent, change.text);
  }
  fleet_.apply_state_change(change);
  if (events_ != nullptr) events_->publish(poller::to_event(change));
}

}  // namespace netpower::manager::daemon
