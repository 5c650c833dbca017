#include "manager/daemon/poll_feed.h"

#include <spdlog/spdlog.h>

#include "manager/poller/sentry2_samples.h"

namespace netpower::manager::daemon {

std::vector<model::Sample> ups_samples(const state::AgentState& agent, model::WallTime time) {
  std::vector<model::Sample> out;
  if (!agent.ups) return out;
  out.reserve(agent.ups->values.size());
  for (const auto& [metric, value] : agent.ups->values) {
    out.push_back({agent.name, model::ObjectKind::kUps, "", metric, time, value});
  }
  return out;
}

void PollFeed::on_poll(poller::PollResult result) {
  fleet_.apply_poll(result);
  if (history_ == nullptr) return;
  auto samples = poller::sentry2_samples(result);
  if (result.ok()) {
    if (auto agent = fleet_.agent(result.agent)) {
      auto ups = ups_samples(*agent, result.started);
      samples.insert(samples.end(), ups.begin(), ups.end());
    }
  }
  if (!samples.empty()) history_->add_samples(std::move(samples));
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
