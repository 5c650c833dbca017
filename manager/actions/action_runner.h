#pragma once
// Runs the action machines (action_machine.h) on one thread with its own io_context and SNMP
// client: sends what each machine asks for to its outlets' agents, arms a timer at its wake(),
// hands it the hosts' notifications (answers by nonce, hellos and heartbeats by host), and tells
// its owner of every change and of the end. At most `max_in_flight` machines run; the others wait
// in order. A finished machine lingers a while so that a late answer is noted in its record.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "manager/actions/action_machine.h"
#include "manager/config/manager_config.h"
#include "manager/snmp/client.h"

namespace netpower::manager::actions {

class ActionRunner {
 public:
  struct Hooks {
    // On the runner's thread; must not block for long.
    std::function<void(const model::ActionRecord&)> changed;   // each change of a record
    std::function<void(const model::ActionRecord&)> finished;  // once, after the last change
    // An answer carrying the nonce of `outlet` of this action (in time or late).
    std::function<void(const model::ActionRecord&, std::size_t outlet, const Observation&)>
        answered;
  };

  // Builds the SNMP targets of `config`'s agents (std::invalid_argument for bad credentials).
  ActionRunner(const config::ManagerConfig& config, const Inventory& inventory,
               const HostPresence& presence, const core::Clock& clock, NonceSource nonces,
               Hooks hooks);
  ~ActionRunner();  // stop()
  ActionRunner(const ActionRunner&) = delete;
  ActionRunner& operator=(const ActionRunner&) = delete;

  void start();
  // Ends every action still running or waiting (ActionMachine::abort with `text`), reports them,
  // and joins the thread. Idempotent.
  void stop(const std::string& text);

  // Any thread. `hold` is kept until the action ends.
  void run(model::ActionRecord record, const HostSettings* host, std::shared_ptr<void> hold);
  // Any thread: a host's notification (Observation::Kind kHost or kTrapAnswer).
  void deliver(Observation observation);

  // Answers whose nonce matched no tickle (replays, strays). Any thread.
  std::uint64_t unmatched_answers() const { return unmatched_.load(); }

 private:
  struct Running {
    std::unique_ptr<ActionMachine> machine;
    std::unique_ptr<boost::asio::steady_timer> timer;
    std::shared_ptr<void> hold;
    std::string host;
    std::uint64_t journaled = static_cast<std::uint64_t>(-1);
    bool started = false;
    bool reported = false;
  };

  void launch(std::uint64_t id);
  void execute(std::uint64_t id, const std::vector<OutletCommand>& commands);
  void settle(std::uint64_t id, const std::vector<OutletCommand>& commands);
  void arm(std::uint64_t id);
  void erase(std::uint64_t id);
  void start_waiting();

  const Inventory& inventory_;
  const HostPresence& presence_;
  const core::Clock& clock_;
  NonceSource nonces_;
  Hooks hooks_;
  std::map<std::string, snmp::TargetPtr> targets_;
  core::Duration linger_;

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  snmp::ClientPtr client_;
  std::thread thread_;
  bool stopped_ = false;

  // The runner thread's own.
  std::map<std::uint64_t, Running> actions_;
  std::deque<std::uint64_t> waiting_;
  std::size_t in_flight_ = 0;
  std::map<std::uint64_t, std::pair<std::uint64_t, std::size_t>> by_nonce_;  // -> action, outlet
  std::atomic<std::uint64_t> unmatched_{0};
};

}  // namespace netpower::manager::actions
