#include "manager/poller/poller.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "manager/mib/oids.h"
#include "manager/poller/poll_walk.h"
#include "manager/snmp/ber.h"
#include "manager/snmp/client.h"

namespace netpower::manager::poller {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

const char* to_string(AgentState state) {
  switch (state) {
    case AgentState::kUnknown:
      return "unknown";
    case AgentState::kUp:
      return "up";
    case AgentState::kDown:
      return "down";
  }
  return "?";
}

const char* to_string(PollError error) {
  switch (error) {
    case PollError::kNone:
      return "ok";
    case PollError::kTimeout:
      return "timeout";
    case PollError::kUnknownUser:
      return "unknown user";
    case PollError::kWrongAuthKey:
      return "wrong auth key";
    case PollError::kWrongPrivKey:
      return "wrong priv key";
    case PollError::kUnsupportedSecLevel:
      return "unsupported security level";
    case PollError::kNotInTimeWindow:
      return "not in time window";
    case PollError::kReport:
      return "report";
    case PollError::kErrorStatus:
      return "error-status";
    case PollError::kMalformed:
      return "malformed response";
    case PollError::kResolve:
      return "resolve";
    case PollError::kNetwork:
      return "network";
    case PollError::kStopped:
      return "stopped";
    case PollError::kDeadline:
      return "deadline exceeded";
    case PollError::kTooManyVarbinds:
      return "too many varbinds";
    case PollError::kTooManyBytes:
      return "too many bytes";
  }
  return "?";
}

const char* reason_label(PollError error) {
  switch (error) {
    case PollError::kNone:
      return "none";
    case PollError::kTimeout:
      return "timeout";
    case PollError::kUnknownUser:
      return "unknown_user";
    case PollError::kWrongAuthKey:
      return "wrong_auth_key";
    case PollError::kWrongPrivKey:
      return "wrong_priv_key";
    case PollError::kUnsupportedSecLevel:
      return "unsupported_security_level";
    case PollError::kNotInTimeWindow:
      return "not_in_time_window";
    case PollError::kReport:
      return "report";
    case PollError::kErrorStatus:
      return "error_status";
    case PollError::kMalformed:
      return "malformed_response";
    case PollError::kResolve:
      return "resolve";
    case PollError::kNetwork:
      return "network";
    case PollError::kStopped:
      return "stopped";
    case PollError::kDeadline:
      return "deadline";
    case PollError::kTooManyVarbinds:
      return "max_varbinds";
    case PollError::kTooManyBytes:
      return "max_bytes";
  }
  return "other";
}

std::size_t poll_bytes(const Varbind& vb) {
  return sizeof(Varbind) + vb.oid.size() * sizeof(Oid::value_type) + vb.octets.size();
}

core::Duration default_poll_deadline(core::Duration poll_interval, core::Duration request_time) {
  // The margin over request_time: when both end at once, the request's timeout is the reason.
  return std::clamp(request_time + poll_interval / 20, poll_interval * 4 / 5,
                    poll_interval * 19 / 20);
}

model::Event to_event(const StateChange& change) {
  model::Event e;
  e.agent = change.agent;
  e.time = change.time;
  e.kind = change.to == AgentState::kUp ? model::EventKind::kUp : model::EventKind::kDown;
  e.text = change.text;
  return e;
}

std::vector<Oid> PollerOptions::default_subtrees() {
  return {std::begin(mib::kDefaultPollSubtrees), std::end(mib::kDefaultPollSubtrees)};
}

namespace {

// One agent: its schedule, its state and the poll in progress. Lives on the I/O thread only.
struct Session {
  PolledAgent settings;
  snmp::TargetPtr target;
  asio::steady_timer timer;
  asio::steady_timer deadline_timer;  // the poll in progress's deadline
  AgentState state = AgentState::kUnknown;
  int failed_polls = 0;  // consecutive, for the backoff
  std::uint64_t polls = 0;
  Clock::time_point next_due;
  std::uint64_t generation = 0;  // invalidates timer handlers of an earlier step

  // The poll in progress. Answers to the requests of an earlier poll (ended at its deadline while
  // a request was in flight) carry another poll number and are ignored.
  bool polling = false;
  PollResult result;
  Clock::time_point poll_start;
  std::optional<detail::Walk> walk;

  Session(asio::io_context& io, PolledAgent s)
      : settings(std::move(s)), timer(io), deadline_timer(io) {}
};

class PollerImpl final : public Poller {
 public:
  PollerImpl(asio::io_context& io, PollerOptions options, PollSink& sink)
      : io_(io), options_(std::move(options)), sink_(sink) {
    for (const auto& root : options_.subtrees) {
      snmp::BerEncoder probe;
      if (!probe.oid(root)) throw std::invalid_argument("poller: subtree OID cannot be encoded");
    }
    if (options_.max_repetitions < 1) options_.max_repetitions = 1;
    snmp::ClientOptions client_options;
    client_options.receive_buffer_bytes = options_.receive_buffer_bytes;
    client_ = snmp::make_client(io_, std::move(client_options));
  }

  ~PollerImpl() override {
    for (auto& s : sessions_) {
      s->timer.cancel();
      s->deadline_timer.cancel();
    }
  }

  void add_agent(PolledAgent agent) override {
    if (!agent.target)
      throw std::invalid_argument("poller: agent " + agent.name + " has no target");
    if (agent.poll_deadline <= core::Duration::zero()) {
      const auto& t = *agent.target;
      agent.poll_deadline = default_poll_deadline(agent.poll_interval, t.timeout * (t.retries + 1));
    }
    if (agent.poll_deadline >= agent.poll_interval) {
      throw std::invalid_argument("poller: agent " + agent.name +
                                  ": the poll deadline must be shorter than the poll interval");
    }
    if (agent.limits.max_varbinds == 0 || agent.limits.max_bytes == 0) {
      throw std::invalid_argument("poller: agent " + agent.name + ": a poll limit is zero");
    }
    for (const auto& s : sessions_) {
      if (s->settings.name == agent.name) {
        throw std::invalid_argument("poller: duplicate agent name " + agent.name);
      }
    }
    const std::string name = agent.name;
    auto s = std::make_unique<Session>(io_, std::move(agent));
    s->target = s->settings.target;
    Session* raw = s.get();
    {
      std::lock_guard lock(mutex_);
      sessions_.push_back(std::move(s));
      states_[name] = AgentState::kUnknown;
      ++metrics_.agents;
    }
    if (started_) schedule_first(*raw);
  }

  void start() override {
    asio::post(io_, [this] {
      if (started_) return;
      started_ = true;
      for (auto& s : sessions_) schedule_first(*s);
    });
  }

  void stop() override {
    if (io_.get_executor().running_in_this_thread()) {
      do_stop();
      return;
    }
    std::promise<void> done;
    auto future = done.get_future();
    asio::post(io_, [this, &done] {
      do_stop();
      done.set_value();
    });
    future.wait();
  }

  PollerMetrics metrics() const override {
    PollerMetrics m;
    {
      std::lock_guard lock(mutex_);
      m = metrics_;
    }
    const auto c = client_->metrics();
    m.requests_total = c.requests_total;
    m.retries_total = c.retries_total;
    m.responses_total = c.responses_total;
    m.unmatched_responses_total = c.unmatched_responses_total;
    m.malformed_responses_total = c.malformed_responses_total;
    m.bad_digest_responses_total = c.bad_digest_responses_total;
    m.held_bytes = held_bytes_.load(std::memory_order_relaxed);
    return m;
  }

  AgentState state(const std::string& agent) const override {
    std::lock_guard lock(mutex_);
    auto it = states_.find(agent);
    return it == states_.end() ? AgentState::kUnknown : it->second;
  }

 private:
  void do_stop() {
    stopped_ = true;
    for (auto& s : sessions_) {
      ++s->generation;
      s->timer.cancel();
      s->deadline_timer.cancel();
    }
    // Ends the requests in flight: their callbacks finish those polls with kStopped.
    client_->stop();
    for (auto& s : sessions_) {
      if (s->polling) finish(*s, PollError::kStopped, "the poller stopped");
    }
  }

  // --- scheduling -------------------------------------------------------------------------------

  void schedule_first(Session& s) {
    if (stopped_) return;
    Clock::duration delay{0};
    if (options_.spread_start) {
      const auto interval = std::chrono::duration_cast<Clock::duration>(s.settings.poll_interval);
      if (interval.count() > 0) {
        delay = Clock::duration(std::hash<std::string>{}(s.settings.name) % interval.count());
      }
    }
    s.next_due = Clock::now() + delay;
    arm_schedule(s);
  }

  void arm_schedule(Session& s) {
    const auto generation = ++s.generation;
    s.timer.expires_at(s.next_due);
    s.timer.async_wait([this, &s, generation](const boost::system::error_code& ec) {
      if (ec || generation != s.generation || stopped_) return;
      begin_poll(s);
    });
  }

  void schedule_next(Session& s) {
    if (stopped_) return;
    auto interval = std::chrono::duration_cast<Clock::duration>(s.settings.poll_interval);
    if (s.state == AgentState::kDown && s.failed_polls > 0) {
      const auto cap =
          std::max(interval, std::chrono::duration_cast<Clock::duration>(options_.max_backoff));
      auto backoff = interval;
      for (int i = 0; i < s.failed_polls && backoff < cap; ++i) backoff *= 2;
      interval = std::min(backoff, cap);
    }
    // Fixed rate from the start of the last poll; a poll that ran past the next start begins the
    // following one at once instead of queueing missed ones.
    s.next_due = s.poll_start + interval;
    const auto now = Clock::now();
    if (s.next_due < now) {
      s.next_due = now;
      std::lock_guard lock(mutex_);
      ++metrics_.overruns_total;
    }
    arm_schedule(s);
  }

  // --- one poll ---------------------------------------------------------------------------------

  void begin_poll(Session& s) {
    s.polling = true;
    s.result = PollResult{};
    s.result.agent = s.settings.name;
    s.result.poll_number = ++s.polls;
    s.result.started = model::wall_now();
    s.poll_start = Clock::now();
    if (options_.subtrees.empty()) {
      finish(s, PollError::kNone, {});
      return;
    }
    s.walk.emplace(options_.subtrees, options_.max_repetitions, s.settings.limits);
    arm_deadline(s);
    send_next(s);
  }

  // The poll ends at its deadline, whatever its request is doing (an agent that answers each
  // request just within its timeout cannot keep a poll alive). The request in flight runs on in
  // the client until it is answered or times out; its answer is then ignored (on_response).
  void arm_deadline(Session& s) {
    const auto number = s.result.poll_number;
    s.deadline_timer.expires_at(
        s.poll_start + std::chrono::duration_cast<Clock::duration>(s.settings.poll_deadline));
    s.deadline_timer.async_wait([this, &s, number](const boost::system::error_code& ec) {
      if (ec || !s.polling || s.result.poll_number != number) return;
      const auto ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(s.settings.poll_deadline);
      finish(s, PollError::kDeadline,
             "deadline exceeded after " + std::to_string(s.walk->varbinds().size()) +
                 " varbinds (poll_deadline " + std::to_string(ms.count()) + " ms, " +
                 std::to_string(s.result.requests) + " requests)");
    });
  }

  // The GETBULK that continues the walk. The client calls back on this thread; a poll has one
  // request in flight at a time.
  void send_next(Session& s) {
    const auto number = s.result.poll_number;
    client_->get_bulk(s.target, 0, s.walk->max_repetitions(), {s.walk->cursor()},
                      [this, &s, number](snmp::Response r) {
                        if (!s.polling || s.result.poll_number != number) return;
                        on_response(s, std::move(r));
                      });
  }

  void on_response(Session& s, snmp::Response r) {
    s.result.requests += r.requests;
    s.result.retries += r.retries;
    if (r.error == snmp::Error::kStopped) {
      finish(s, PollError::kStopped, "the poller stopped");
      return;
    }
    const auto before = s.walk->bytes();
    auto step = s.walk->on_response(r);
    held_bytes_.fetch_add(s.walk->bytes() - before, std::memory_order_relaxed);
    switch (step.kind) {
      case detail::Walk::Step::Kind::kContinue:
        send_next(s);
        return;
      case detail::Walk::Step::Kind::kDone:
        finish(s, PollError::kNone, {});
        return;
      case detail::Walk::Step::Kind::kFailed:
        finish(s, step.error, std::move(step.text));
        return;
    }
  }

  static bool at_own_bound(PollError error) {
    return error == PollError::kDeadline || error == PollError::kTooManyVarbinds ||
           error == PollError::kTooManyBytes;
  }

  void finish(Session& s, PollError error, std::string text) {
    s.polling = false;
    s.deadline_timer.cancel();
    std::size_t received = 0;
    if (s.walk) {
      received = s.walk->varbinds().size();
      s.result.bytes = s.walk->bytes();
      held_bytes_.fetch_sub(s.walk->bytes(), std::memory_order_relaxed);
      // A poll that ended at its own bound hands on nothing: what it held is freed here, on the
      // poller's thread, before the next poll of any agent.
      if (at_own_bound(error)) {
        s.walk->release();
      } else {
        s.result.varbinds = std::move(s.walk->varbinds());
      }
      s.walk.reset();
    }
    s.result.duration =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - s.poll_start);
    s.result.error = error;
    s.result.error_text = std::move(text);
    const AgentState before = s.state;
    if (error == PollError::kStopped) {
      // Neither up nor down: the poller is going away.
    } else if (error == PollError::kNone) {
      s.failed_polls = 0;
      s.state = AgentState::kUp;
    } else {
      ++s.failed_polls;
      s.state = AgentState::kDown;
    }
    {
      std::lock_guard lock(mutex_);
      ++metrics_.polls_total;
      if (error != PollError::kNone) ++metrics_.poll_failures_total;
      if (error == PollError::kDeadline) ++metrics_.deadline_failures_total;
      if (error == PollError::kTooManyVarbinds || error == PollError::kTooManyBytes) {
        ++metrics_.limit_failures_total;
      }
      metrics_.varbinds_total += received;
      if (before != s.state) {
        states_[s.settings.name] = s.state;
        if (before == AgentState::kUp) --metrics_.agents_up;
        if (before == AgentState::kDown) --metrics_.agents_down;
        if (s.state == AgentState::kUp) ++metrics_.agents_up;
        if (s.state == AgentState::kDown) ++metrics_.agents_down;
      }
    }
    if (before != s.state) {
      StateChange change;
      change.agent = s.settings.name;
      change.from = before;
      change.to = s.state;
      change.time = model::wall_now();
      change.reason = error;
      change.text = s.state == AgentState::kUp
                        ? "up: answered after " + std::string(to_string(before))
                        : "down: " + std::string(to_string(error)) + ": " + s.result.error_text;
      sink_.on_state(change);
    }
    PollResult result = std::move(s.result);
    s.result = PollResult{};
    if (error != PollError::kStopped) schedule_next(s);
    sink_.on_poll(std::move(result));
  }

  asio::io_context& io_;
  PollerOptions options_;
  PollSink& sink_;
  snmp::ClientPtr client_;
  bool started_ = false;
  bool stopped_ = false;

  std::vector<std::unique_ptr<Session>> sessions_;

  mutable std::mutex mutex_;  // metrics_ and states_, read from other threads
  PollerMetrics metrics_;
  std::atomic<std::uint64_t> held_bytes_{0};  // PollerMetrics::held_bytes
  std::unordered_map<std::string, AgentState> states_;
};

}  // namespace

PollerPtr make_poller(asio::io_context& io, PollerOptions options, PollSink& sink) {
  return std::make_unique<PollerImpl>(io, std::move(options), sink);
}

}  // namespace netpower::manager::poller
