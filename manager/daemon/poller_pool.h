#pragma once
// The poller on N I/O threads: one io_context and one poller per thread, the agents dealt out
// round-robin (a poller is single-threaded by design: docs/poller.md).

#include <boost/asio/io_context.hpp>

#include <memory>
#include <thread>
#include <vector>

#include "manager/config/manager_config.h"
#include "manager/model/health.h"
#include "manager/poller/poller.h"

namespace netpower::manager::daemon {

class PollerPool final : public model::HealthSource {
 public:
  PollerPool(const config::ManagerConfig& config, poller::PollSink& sink);
  ~PollerPool() override;  // stop()
  PollerPool(const PollerPool&) = delete;
  PollerPool& operator=(const PollerPool&) = delete;

  // Starts the threads and the first polls.
  void start();
  // Ends polls in flight and joins the threads. Idempotent.
  void stop();
  // The sum over the pollers.
  poller::PollerMetrics metrics() const;
  // metrics() as the netpower_poller_* families.
  void write_health(model::HealthWriter& out) const override;

 private:
  struct Worker {
    boost::asio::io_context io;
    poller::PollerPtr poller;
    std::thread thread;
  };
  std::vector<std::unique_ptr<Worker>> workers_;
  bool started_ = false;
};

}  // namespace netpower::manager::daemon
