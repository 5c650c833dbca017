#include "manager/daemon/poller_pool.h"

#include "manager/daemon/polled_agent.h"
#include "manager/daemon/poller_health.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace netpower::manager::daemon {

PollerPool::PollerPool(const config::ManagerConfig& config, poller::PollSink& sink) {
  poller::PollerOptions options;
  options.max_repetitions = config.poller.max_repetitions;
  options.max_backoff = config.poller.max_backoff;
  options.spread_start = config.poller.spread_start;
  // No more threads than agents (and at least one, so that metrics() has something to sum).
  auto threads = std::max<std::size_t>(
      1,
      std::min<std::size_t>(static_cast<std::size_t>(config.poller.threads), config.agents.size()));
  for (std::size_t i = 0; i < threads; ++i) {
    auto worker = std::make_unique<Worker>();
    worker->poller = poller::make_poller(worker->io, options, sink);
    workers_.push_back(std::move(worker));
  }
  for (std::size_t i = 0; i < config.agents.size(); ++i) {
    workers_[i % workers_.size()]->poller->add_agent(polled_agent(config.agents[i]));
  }
}

PollerPool::~PollerPool() { stop(); }

void PollerPool::start() {
  if (started_) return;
  started_ = true;
  for (auto& worker : workers_) {
    worker->poller->start();
    auto* w = worker.get();
    w->thread = std::thread([w]() {
      auto guard = boost::asio::make_work_guard(w->io);
      try {
        w->io.run();
      } catch (const std::exception& e) {
        spdlog::critical("poller thread stopped: {}", e.what());
      }
    });
  }
  spdlog::info("poller running on {} thread(s)", workers_.size());
}

void PollerPool::stop() {
  if (!started_) return;
  started_ = false;
  for (auto& worker : workers_) {
    worker->poller->stop();
    worker->io.stop();
  }
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
  }
}

poller::PollerMetrics PollerPool::metrics() const {
  poller::PollerMetrics sum;
  for (const auto& worker : workers_) {
    auto m = worker->poller->metrics();
    sum.agents += m.agents;
    sum.agents_up += m.agents_up;
    sum.agents_down += m.agents_down;
    sum.polls_total += m.polls_total;
    sum.poll_failures_total += m.poll_failures_total;
    sum.requests_total += m.requests_total;
    sum.retries_total += m.retries_total;
    sum.varbinds_total += m.varbinds_total;
    sum.responses_total += m.responses_total;
    sum.unmatched_responses_total += m.unmatched_responses_total;
    sum.malformed_responses_total += m.malformed_responses_total;
    sum.bad_digest_responses_total += m.bad_digest_responses_total;
    sum.overruns_total += m.overruns_total;
    sum.deadline_failures_total += m.deadline_failures_total;
    sum.limit_failures_total += m.limit_failures_total;
    sum.held_bytes += m.held_bytes;
  }
  return sum;
}

void PollerPool::write_health(model::HealthWriter& out) const {
  write_poller_health(metrics(), out);
}

}  // namespace netpower::manager::daemon
