#include "manager/daemon/poll_feed.h"

#include <spdlog/spdlog.h>

#include "manager/mib/decode.h"
#include "manager/mib/samples.h"

namespace netpower::manager::daemon {

void PollFeed::on_poll(poller::PollResult result) {
  // Decoded once: the state keeps the readings, the store's samples are made from them.
  std::optional<mib::AgentReadings> readings;
  if (result.ok()) readings = mib::decode_poll(result.varbinds, result.started);
  fleet_.apply_poll(result, readings ? &*readings : nullptr);
  if (history_ == nullptr) return;
  const mib::PollFacts facts{result.agent, result.started, result.duration, result.ok()};
  auto samples = mib::poll_samples(facts, readings ? &*readings : nullptr);
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
