#pragma once
// The poller's integration tests' harness: a sink that records what the poller reports, a poller
// on its own I/O thread, and agents as the configuration would give them (through
// daemon::polled_agent). Shared by poller_test.cpp (real snmpd and netpower-agent) and
// poller_bounds_test.cpp (scripted hostile agents).

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "manager/daemon/polled_agent.h"
#include "manager/poller/poller.h"

namespace netpower::manager::poller {

using namespace std::chrono_literals;

inline const char* const kSentry2Chain = "1.3.6.1.4.1.1718.2.1";
inline const char* const kUpsMib = "1.3.6.1.2.1.33.1";

// Records everything the poller reports, in order.
class RecordingSink : public PollSink {
 public:
  struct Entry {
    bool is_state = false;
    PollResult poll;
    StateChange state;
  };
  void on_poll(PollResult result) override {
    std::lock_guard lock(mutex_);
    entries_.push_back({false, std::move(result), {}});
  }
  void on_state(const StateChange& change) override {
    std::lock_guard lock(mutex_);
    entries_.push_back({true, {}, change});
  }
  std::vector<Entry> entries() const {
    std::lock_guard lock(mutex_);
    return entries_;
  }
  std::vector<PollResult> polls(const std::string& agent) const {
    std::vector<PollResult> out;
    for (auto& e : entries()) {
      if (!e.is_state && e.poll.agent == agent) out.push_back(e.poll);
    }
    return out;
  }
  std::vector<StateChange> states(const std::string& agent) const {
    std::vector<StateChange> out;
    for (auto& e : entries()) {
      if (e.is_state && e.state.agent == agent) out.push_back(e.state);
    }
    return out;
  }
  std::size_t count(const std::string& agent, bool ok) const {
    std::size_t n = 0;
    for (auto& p : polls(agent)) n += p.ok() == ok;
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
};

// A poller on its own I/O thread.
class PollerRun {
 public:
  explicit PollerRun(PollerOptions options) : poller_(make_poller(io_, std::move(options), sink)) {}
  ~PollerRun() {
    if (thread_.joinable()) {
      poller_->stop();
      work_.reset();
      io_.stop();
      thread_.join();
    }
  }
  void add(const config::AgentSettings& a) { poller_->add_agent(daemon::polled_agent(a)); }
  void start() {
    poller_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  Poller& poller() { return *poller_; }
  RecordingSink sink;

 private:
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      boost::asio::make_work_guard(io_)};
  PollerPtr poller_;
  std::thread thread_;
};

inline PollerOptions test_options(std::vector<const char*> subtrees = {kSentry2Chain, kUpsMib}) {
  PollerOptions o;
  o.spread_start = false;
  o.subtrees.clear();
  for (auto* s : subtrees) o.subtrees.push_back(*parse_oid(s));
  o.max_backoff = 1s;
  return o;
}

inline config::AgentSettings v2c_agent(const std::string& name, std::uint16_t port,
                                       const std::string& community) {
  config::AgentSettings a;
  a.name = name;
  a.address = "127.0.0.1";
  a.port = port;
  a.version = config::SnmpVersion::kV2c;
  a.community = config::Secret(community, "test");
  a.poll_interval = 200ms;
  a.timeout = 1s;
  a.retries = 1;
  return a;
}

inline config::AgentSettings v3_agent(const std::string& name, std::uint16_t port,
                                      const std::string& user, const std::string& auth,
                                      const std::string& priv) {
  config::AgentSettings a = v2c_agent(name, port, "");
  a.version = config::SnmpVersion::kV3;
  a.community = {};
  a.usm.user = user;
  a.usm.auth_key = config::Secret(auth, "test");
  a.usm.priv_key = config::Secret(priv, "test");
  return a;
}

}  // namespace netpower::manager::poller
