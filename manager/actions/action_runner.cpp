#include "manager/actions/action_runner.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <future>

#include "manager/config/agent_target.h"

namespace netpower::manager::actions {

namespace {

// How long a finished action keeps listening for late answers (noted, never acted on).
core::Duration linger_of(const ActionSettings& s) {
  return std::max<core::Duration>(std::chrono::seconds(30), s.answer_timeout * 4);
}

}  // namespace

ActionRunner::ActionRunner(const config::ManagerConfig& config, const Inventory& inventory,
                           const HostPresence& presence, const core::Clock& clock,
                           NonceSource nonces, Hooks hooks)
    : inventory_(inventory),
      presence_(presence),
      clock_(clock),
      nonces_(std::move(nonces)),
      hooks_(std::move(hooks)),
      linger_(linger_of(inventory.settings)),
      work_(boost::asio::make_work_guard(io_)) {
  for (const auto& a : config.agents) {
    try {
      targets_[a.name] = config::agent_target(a);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("actions: " + std::string(e.what()));
    }
  }
  client_ = snmp::make_client(io_);
}

ActionRunner::~ActionRunner() { stop("the manager is stopping"); }

void ActionRunner::start() {
  thread_ = std::thread([this] { io_.run(); });
}

void ActionRunner::stop(const std::string& text) {
  if (stopped_) return;
  stopped_ = true;
  if (thread_.joinable()) {
    std::promise<void> aborted;
    boost::asio::post(io_, [&] {
      for (auto& [id, r] : actions_) {
        if (r.reported) continue;
        r.machine->abort(text);
        settle(id, {});
      }
      client_->stop();
      for (auto& [id, r] : actions_) r.timer->cancel();
      aborted.set_value();
    });
    aborted.get_future().wait();
    work_.reset();
    io_.stop();
    thread_.join();
  } else {
    client_->stop();
  }
  actions_.clear();
}

void ActionRunner::run(model::ActionRecord record, const HostSettings* host,
                       std::shared_ptr<void> hold) {
  boost::asio::post(io_,
                    [this, record = std::move(record), host, hold = std::move(hold)]() mutable {
                      const auto id = record.id;
                      Running r;
                      r.host = host ? host->name : "";
                      r.hold = std::move(hold);
                      r.timer = std::make_unique<boost::asio::steady_timer>(io_);
                      r.machine = std::make_unique<ActionMachine>(
                          std::move(record), host, inventory_, presence_, clock_, nonces_);
                      actions_.emplace(id, std::move(r));
                      waiting_.push_back(id);
                      start_waiting();
                    });
}

void ActionRunner::start_waiting() {
  while (!waiting_.empty() && in_flight_ < inventory_.settings.max_in_flight) {
    const auto id = waiting_.front();
    waiting_.pop_front();
    launch(id);
  }
}

void ActionRunner::launch(std::uint64_t id) {
  auto it = actions_.find(id);
  if (it == actions_.end() || it->second.started) return;
  it->second.started = true;
  ++in_flight_;
  settle(id, it->second.machine->start());
}

// After any input to a machine: send what it asks for, journal a change, report its end, and
// arm its timer.
void ActionRunner::settle(std::uint64_t id, const std::vector<OutletCommand>& commands) {
  auto it = actions_.find(id);
  if (it == actions_.end()) return;
  auto& r = it->second;
  const auto& nonces = r.machine->nonces();
  for (std::size_t i = 0; i < nonces.size(); ++i) {
    if (nonces[i] != 0) by_nonce_.emplace(nonces[i], std::make_pair(id, i));
  }
  execute(id, commands);
  if (r.machine->version() != r.journaled) {
    r.journaled = r.machine->version();
    if (hooks_.changed) hooks_.changed(r.machine->record());
  }
  if (r.machine->done() && !r.reported) {
    r.reported = true;
    if (r.started) --in_flight_;
    if (hooks_.finished) hooks_.finished(r.machine->record());
    r.hold.reset();
    start_waiting();
  }
  arm(id);
}

void ActionRunner::execute(std::uint64_t id, const std::vector<OutletCommand>& commands) {
  auto& r = actions_.at(id);
  for (const auto& c : commands) {
    const auto& outlet = r.machine->record().outlets.at(c.outlet);
    auto target = targets_.find(outlet.agent);
    if (target == targets_.end()) {
      // The resolver only names configured agents; answer as the agent would not.
      snmp::Response none;
      none.error = snmp::Error::kResolve;
      none.error_text = "no configured agent " + outlet.agent;
      boost::asio::post(io_, [this, id, c, none] {
        auto it = actions_.find(id);
        if (it == actions_.end()) return;
        auto more = c.kind == OutletCommand::Kind::kRead
                        ? it->second.machine->on_read(c.outlet, read_result(none))
                        : it->second.machine->on_set(c, set_result(c, none));
        settle(id, more);
      });
      continue;
    }
    client_->request(target->second, request_for(c, outlet.port),
                     [this, id, c](snmp::Response response) {
                       auto it = actions_.find(id);
                       if (it == actions_.end()) return;
                       auto& m = *it->second.machine;
                       auto more = c.kind == OutletCommand::Kind::kRead
                                       ? m.on_read(c.outlet, read_result(response))
                                       : m.on_set(c, set_result(c, response));
                       settle(id, more);
                     });
  }
}

void ActionRunner::arm(std::uint64_t id) {
  auto& r = actions_.at(id);
  if (!r.started && !r.reported) return;
  std::optional<core::TimePoint> wake = r.machine->wake();
  bool lingering = false;
  if (r.reported) {
    wake = clock_.now() + linger_;
    lingering = true;
  }
  r.timer->cancel();
  if (!wake) return;
  const auto wait = clock_.real_wait(*wake);
  if (wait == core::Duration::max()) return;  // a manual clock: the test drives it
  r.timer->expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(wait));
  r.timer->async_wait([this, id, lingering](const boost::system::error_code& ec) {
    if (ec) return;
    auto it = actions_.find(id);
    if (it == actions_.end()) return;
    if (lingering) {
      erase(id);
      return;
    }
    settle(id, it->second.machine->on_time());
  });
}

void ActionRunner::erase(std::uint64_t id) {
  auto it = actions_.find(id);
  if (it == actions_.end()) return;
  for (auto nonce : it->second.machine->nonces()) by_nonce_.erase(nonce);
  actions_.erase(it);
}

void ActionRunner::deliver(Observation o) {
  boost::asio::post(io_, [this, o = std::move(o)] {
    std::uint64_t answered = 0;
    if (o.kind == Observation::Kind::kHost && o.notification.nonce) {
      auto it = by_nonce_.find(*o.notification.nonce);
      if (it == by_nonce_.end()) {
        ++unmatched_;
      } else {
        const auto [id, outlet] = it->second;
        auto& r = actions_.at(id);
        answered = id;
        if (hooks_.answered) hooks_.answered(r.machine->record(), outlet, o);
        settle(id, r.machine->on_answer(outlet, o));
      }
    }
    if (o.host.empty()) return;
    std::vector<std::uint64_t> ids;
    for (const auto& [id, r] : actions_) {
      if (id != answered && r.started && !r.reported && r.host == o.host) ids.push_back(id);
    }
    for (auto id : ids) settle(id, actions_.at(id).machine->on_host(o));
  });
}

}  // namespace netpower::manager::actions
