#include "manager/poller/poller.h"

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <unordered_map>

#include "manager/poller/detail/message.h"
#include "manager/poller/detail/usm.h"

namespace netpower::manager::poller {

namespace asio = boost::asio;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;
using config::SecurityLevel;
using config::SnmpVersion;

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
  }
  return "?";
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
  return {*parse_oid("1.3.6.1.4.1.1718.2.1"), *parse_oid("1.3.6.1.2.1.33.1"),
          *parse_oid("1.3.6.1.4.1.32473.1.1")};
}

namespace {

using detail::Bytes;

// usmStats* (RFC 3414 5), the reports an agent sends instead of a response.
struct ReportKind {
  std::uint32_t arc;  // 1.3.6.1.6.3.15.1.1.<arc>.0
  PollError error;
  const char* name;
};
constexpr ReportKind kReports[] = {
    {1, PollError::kUnsupportedSecLevel, "usmStatsUnsupportedSecLevels"},
    {2, PollError::kNotInTimeWindow, "usmStatsNotInTimeWindows"},
    {3, PollError::kUnknownUser, "usmStatsUnknownUserNames"},
    {4, PollError::kReport, "usmStatsUnknownEngineIDs"},
    {5, PollError::kWrongAuthKey, "usmStatsWrongDigests"},
    {6, PollError::kWrongPrivKey, "usmStatsDecryptionErrors"},
};
const Oid kUsmStats = {1, 3, 6, 1, 6, 3, 15, 1, 1};

std::string endpoint_text(const udp::endpoint& e) {
  return e.address().to_string() + ":" + std::to_string(e.port());
}

class PollerImpl;

// One agent: its schedule, the poll in progress and (v3) what it learned of the agent's engine.
// Lives on the I/O thread only.
struct Session {
  config::AgentSettings settings;
  std::string community;  // v2c
  detail::UsmKeys keys;   // v3: localized once the engine ID is known
  Bytes auth_ku, priv_ku;
  asio::steady_timer timer;
  std::unique_ptr<udp::resolver> resolver;
  std::optional<udp::endpoint> endpoint;
  AgentState state = AgentState::kUnknown;
  int failed_polls = 0;  // consecutive, for the backoff
  std::uint64_t polls = 0;
  Clock::time_point next_due;
  std::uint64_t generation = 0;  // invalidates timer and resolver handlers of an earlier step

  // v3 engine.
  Bytes engine_id;
  std::int32_t engine_boots = 0;
  std::int32_t engine_time = 0;
  Clock::time_point time_ref;
  bool time_resynced = false;  // one notInTimeWindow retry per request
  bool rediscovered = false;   // one unknownEngineID re-discovery per poll

  // The poll in progress.
  bool polling = false;
  PollResult result;
  Clock::time_point poll_start;
  std::size_t subtree = 0;
  Oid cursor;
  std::int32_t max_repetitions = 0;
  bool discovering = false;
  std::int32_t request_id = 0;  // registered in the poller's pending map while non-zero
  Bytes request;
  int attempt = 0;

  Session(asio::io_context& io, const config::AgentSettings& s) : settings(s), timer(io) {}
};

class PollerImpl final : public Poller {
 public:
  PollerImpl(asio::io_context& io, PollerOptions options, PollSink& sink)
      : io_(io), options_(std::move(options)), sink_(sink), rng_(std::random_device{}()) {
    next_id_ = static_cast<std::int32_t>(rng_() & 0x3fffffff) + 1;
    salt_ = rng_();
    for (const auto& root : options_.subtrees) {
      detail::BerEncoder probe;
      if (!probe.oid(root)) throw std::invalid_argument("poller: subtree OID cannot be encoded");
    }
    if (options_.max_repetitions < 1) options_.max_repetitions = 1;
  }

  ~PollerImpl() override {
    for (auto& s : sessions_) {
      s->timer.cancel();
      if (s->resolver) s->resolver->cancel();
    }
  }

  void add_agent(const config::AgentSettings& agent) override {
    for (const auto& s : sessions_) {
      if (s->settings.name == agent.name) {
        throw std::invalid_argument("poller: duplicate agent name " + agent.name);
      }
    }
    auto s = std::make_unique<Session>(io_, agent);
    if (agent.version == SnmpVersion::kV2c) {
      s->community = agent.community.reveal();
    } else {
      const auto& u = agent.usm;
      s->keys.user = u.user;
      s->keys.level = u.level;
      s->keys.auth_protocol = u.auth_protocol;
      s->keys.priv_protocol = u.priv_protocol;
      if (u.level != SecurityLevel::kNoAuthNoPriv) {
        s->auth_ku = ku(u.auth_protocol, u.auth_key.reveal());
        if (s->auth_ku.empty())
          throw std::invalid_argument("poller: no auth key for " + agent.name);
      }
      if (u.level == SecurityLevel::kAuthPriv) {
        s->priv_ku = ku(u.auth_protocol, u.priv_key.reveal());
        if (s->priv_ku.empty())
          throw std::invalid_argument("poller: no priv key for " + agent.name);
      }
    }
    Session* raw = s.get();
    {
      std::lock_guard lock(mutex_);
      sessions_.push_back(std::move(s));
      states_[agent.name] = AgentState::kUnknown;
    }
    metric(&PollerMetrics::agents, 1);
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
    std::lock_guard lock(mutex_);
    return metrics_;
  }

  AgentState state(const std::string& agent) const override {
    std::lock_guard lock(mutex_);
    auto it = states_.find(agent);
    return it == states_.end() ? AgentState::kUnknown : it->second;
  }

 private:
  Bytes ku(config::AuthProtocol protocol, const std::string& password) {
    auto key = std::make_pair(protocol, password);
    auto it = ku_cache_.find(key);
    if (it != ku_cache_.end()) return it->second;
    auto value = detail::password_to_key(protocol, password);
    ku_cache_.emplace(std::move(key), value);
    return value;
  }

  void metric(std::uint64_t PollerMetrics::*field, std::uint64_t delta) {
    std::lock_guard lock(mutex_);
    metrics_.*field += delta;
  }

  void do_stop() {
    stopped_ = true;
    for (auto& s : sessions_) {
      ++s->generation;
      s->timer.cancel();
      if (s->resolver) s->resolver->cancel();
      if (s->polling) finish(*s, PollError::kStopped, "the poller stopped");
    }
    boost::system::error_code ignored;
    if (socket4_) socket4_->close(ignored);
    if (socket6_) socket6_->close(ignored);
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
      metric(&PollerMetrics::overruns_total, 1);
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
    s.subtree = 0;
    s.cursor = options_.subtrees.empty() ? Oid{} : options_.subtrees[0];
    s.max_repetitions = options_.max_repetitions;
    s.rediscovered = false;
    if (options_.subtrees.empty()) {
      finish(s, PollError::kNone, {});
      return;
    }
    if (!s.endpoint) {
      resolve(s);
      return;
    }
    send_next(s);
  }

  void resolve(Session& s) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(s.settings.address, ec);
    if (!ec) {
      s.endpoint = udp::endpoint(address, s.settings.port);
      send_next(s);
      return;
    }
    if (!s.resolver) s.resolver = std::make_unique<udp::resolver>(io_);
    const auto generation = ++s.generation;
    s.resolver->async_resolve(s.settings.address, std::to_string(s.settings.port),
                              [this, &s, generation](const boost::system::error_code& error,
                                                     udp::resolver::results_type results) {
                                if (generation != s.generation || stopped_) return;
                                if (error || results.empty()) {
                                  finish(s, PollError::kResolve,
                                         "cannot resolve " + s.settings.address + ": " +
                                             (error ? error.message() : std::string("no address")));
                                  return;
                                }
                                s.endpoint = results.begin()->endpoint();
                                send_next(s);
                              });
  }

  std::int32_t new_id() {
    for (;;) {
      const std::int32_t id = next_id_;
      next_id_ = next_id_ >= 0x7fffffff ? 1 : next_id_ + 1;
      if (!pending_.contains(id)) return id;
    }
  }

  std::int32_t engine_time_now(const Session& s) const {
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - s.time_ref).count();
    return static_cast<std::int32_t>(std::min<std::int64_t>(s.engine_time + elapsed, 0x7fffffff));
  }

  // Builds and sends the next request of the poll: an engine-ID discovery probe (v3, engine
  // unknown) or the GETBULK continuing the current subtree.
  void send_next(Session& s) {
    const std::int32_t id = new_id();
    const bool v3 = s.settings.version == SnmpVersion::kV3;
    s.discovering = v3 && s.engine_id.empty();
    s.time_resynced = false;
    if (s.discovering) {
      s.request = detail::encode_discovery(id, id);
    } else {
      detail::PduRequest pdu;
      pdu.type = detail::kPduGetBulk;
      pdu.request_id = id;
      pdu.max_repetitions = s.max_repetitions;
      pdu.oids = std::span<const Oid>(&s.cursor, 1);
      s.request = v3 ? encode_v3_request(s, pdu) : detail::encode_v2c(s.community, pdu);
    }
    if (s.request.empty()) {
      finish(s, PollError::kNetwork, "cannot encode the request");
      return;
    }
    s.request_id = id;
    pending_.emplace(id, &s);
    s.attempt = 0;
    transmit(s);
  }

  Bytes encode_v3_request(Session& s, const detail::PduRequest& pdu) {
    detail::V3Request h;
    h.msg_id = pdu.request_id;
    h.engine_id = s.engine_id;
    h.engine_boots = s.engine_boots;
    h.engine_time = engine_time_now(s);
    h.salt = ++salt_;
    return detail::encode_v3(s.keys, h, pdu);
  }

  udp::socket* socket_for(const udp::endpoint& e) {
    auto& socket = e.address().is_v4() ? socket4_ : socket6_;
    if (!socket) {
      socket = std::make_unique<udp::socket>(io_);
      boost::system::error_code ec;
      socket->open(e.address().is_v4() ? udp::v4() : udp::v6(), ec);
      if (ec) {
        socket.reset();
        return nullptr;
      }
      socket->non_blocking(true, ec);
      socket->set_option(asio::socket_base::receive_buffer_size(options_.receive_buffer_bytes), ec);
      socket->bind(udp::endpoint(e.address().is_v4() ? udp::v4() : udp::v6(), 0), ec);
      receive(*socket, e.address().is_v4() ? buffer4_ : buffer6_,
              e.address().is_v4() ? sender4_ : sender6_);
    }
    return socket.get();
  }

  void transmit(Session& s) {
    ++s.attempt;
    ++s.result.requests;
    metric(&PollerMetrics::requests_total, 1);
    if (s.attempt > 1) {
      ++s.result.retries;
      metric(&PollerMetrics::retries_total, 1);
    }
    auto* socket = socket_for(*s.endpoint);
    boost::system::error_code ec;
    if (socket != nullptr) socket->send_to(asio::buffer(s.request), *s.endpoint, 0, ec);
    // A failed send (no route, buffer full) is left to the timeout and retries, like a lost packet.
    const auto generation = ++s.generation;
    s.timer.expires_after(s.settings.timeout);
    s.timer.async_wait([this, &s, generation](const boost::system::error_code& error) {
      if (error || generation != s.generation || stopped_) return;
      if (s.attempt <= s.settings.retries) {
        transmit(s);
        return;
      }
      const auto timeout_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(s.settings.timeout).count();
      finish(s, PollError::kTimeout,
             "no response from " + endpoint_text(*s.endpoint) + " to " + std::to_string(s.attempt) +
                 " request(s), " + std::to_string(timeout_ms) + " ms each");
    });
  }

  // --- receiving --------------------------------------------------------------------------------

  void receive(udp::socket& socket, std::array<std::uint8_t, 65536>& buffer,
               udp::endpoint& sender) {
    socket.async_receive_from(
        asio::buffer(buffer), sender,
        [this, &socket, &buffer, &sender](const boost::system::error_code& ec, std::size_t n) {
          if (ec == asio::error::operation_aborted || stopped_ || !socket.is_open()) return;
          if (!ec) dispatch(std::span<std::uint8_t>(buffer.data(), n), sender);
          // Drain what is queued without going back through the reactor.
          for (int i = 0; i < 64 && !stopped_; ++i) {
            boost::system::error_code again;
            const std::size_t m = socket.receive_from(asio::buffer(buffer), sender, 0, again);
            if (again) break;
            dispatch(std::span<std::uint8_t>(buffer.data(), m), sender);
          }
          if (!stopped_) receive(socket, buffer, sender);
        });
  }

  void dispatch(std::span<std::uint8_t> packet, const udp::endpoint& sender) {
    metric(&PollerMetrics::responses_total, 1);
    const int version = detail::peek_version(packet);
    std::int32_t id = 0;
    detail::V2cMessage v2c;
    detail::V3Message v3;
    std::string error;
    if (version == 1) {
      if (!detail::decode_v2c(packet, v2c, error)) {
        // Without a request id it cannot be matched to an agent: only counted.
        metric(&PollerMetrics::malformed_responses_total, 1);
        return;
      }
      id = v2c.pdu.request_id;
    } else if (version == 3) {
      if (!detail::decode_v3(packet, v3, error)) {
        metric(&PollerMetrics::malformed_responses_total, 1);
        return;
      }
      id = v3.msg_id;
    } else {
      metric(&PollerMetrics::malformed_responses_total, 1);
      return;
    }
    auto it = pending_.find(id);
    if (it == pending_.end() || *it->second->endpoint != sender) {
      metric(&PollerMetrics::unmatched_responses_total, 1);
      return;
    }
    Session& s = *it->second;
    if (version == 1) {
      if (s.settings.version != SnmpVersion::kV2c || v2c.pdu.type != detail::kPduResponse) {
        metric(&PollerMetrics::unmatched_responses_total, 1);
        return;
      }
      complete_request(s);
      on_pdu(s, v2c.pdu);
    } else {
      if (s.settings.version != SnmpVersion::kV3) {
        metric(&PollerMetrics::unmatched_responses_total, 1);
        return;
      }
      on_v3(s, packet, v3);
    }
  }

  // The request is answered: no more retries, its id is free.
  void complete_request(Session& s) {
    pending_.erase(s.request_id);
    s.request_id = 0;
    ++s.generation;
    s.timer.cancel();
  }

  void on_v3(Session& s, std::span<std::uint8_t> packet, const detail::V3Message& m) {
    const bool authenticated = (m.flags & detail::kFlagAuth) != 0;
    if (s.discovering) {
      // The answer to the probe: a Report carrying the agent's engine ID, boots and time.
      detail::Pdu pdu;
      std::string error;
      if (m.encrypted || !detail::decode_scoped_pdu(m.data, pdu, error) ||
          pdu.type != detail::kPduReport || m.engine_id.empty()) {
        metric(&PollerMetrics::malformed_responses_total, 1);
        complete_request(s);
        finish(s, PollError::kMalformed,
               "engine-ID discovery: unexpected answer" + (error.empty() ? "" : ": " + error));
        return;
      }
      complete_request(s);
      s.engine_id.assign(m.engine_id.begin(), m.engine_id.end());
      s.engine_boots = m.engine_boots;
      s.engine_time = m.engine_time;
      s.time_ref = Clock::now();
      localize(s);
      send_next(s);
      return;
    }
    const bool want_auth = s.keys.level != SecurityLevel::kNoAuthNoPriv;
    if (authenticated) {
      if (!want_auth ||
          !std::equal(m.engine_id.begin(), m.engine_id.end(), s.engine_id.begin(),
                      s.engine_id.end()) ||
          !detail::verify_digest(s.keys, packet, m)) {
        // Not from the agent we talk to (or not with our key): dropped, as RFC 3414 3.2 says.
        metric(&PollerMetrics::bad_digest_responses_total, 1);
        return;
      }
      // RFC 3414 3.2.7 b): a non-authoritative engine follows the agent's clock forward.
      if (m.engine_boots > s.engine_boots ||
          (m.engine_boots == s.engine_boots && m.engine_time > engine_time_now(s))) {
        s.engine_boots = m.engine_boots;
        s.engine_time = m.engine_time;
        s.time_ref = Clock::now();
      }
    }
    detail::Pdu pdu;
    std::string error;
    if (m.encrypted) {
      Bytes plain;
      if (!authenticated || !detail::decrypt(s.keys, m, plain) ||
          !detail::decode_scoped_pdu(plain, pdu, error)) {
        complete_request(s);
        finish(s, PollError::kWrongPrivKey,
               "the response from " + endpoint_text(*s.endpoint) +
                   " does not decrypt (wrong priv key or priv protocol?)");
        return;
      }
    } else if (!detail::decode_scoped_pdu(m.data, pdu, error)) {
      metric(&PollerMetrics::malformed_responses_total, 1);
      complete_request(s);
      finish(s, PollError::kMalformed, "malformed response: " + error);
      return;
    }
    if (pdu.type == detail::kPduReport) {
      on_report(s, m, pdu, authenticated);
      return;
    }
    if (pdu.type != detail::kPduResponse || (want_auth && !authenticated)) {
      // An unauthenticated response to an authenticated request is never accepted.
      metric(&PollerMetrics::unmatched_responses_total, 1);
      return;
    }
    complete_request(s);
    on_pdu(s, pdu);
  }

  void on_report(Session& s, const detail::V3Message& m, const detail::Pdu& pdu,
                 bool authenticated) {
    const ReportKind* kind = nullptr;
    std::string oid = pdu.varbinds.empty() ? "(none)" : to_string(pdu.varbinds[0].oid);
    if (!pdu.varbinds.empty()) {
      const Oid& o = pdu.varbinds[0].oid;
      if (o.size() == kUsmStats.size() + 2 && starts_with(o, kUsmStats) && o.back() == 0) {
        for (const auto& k : kReports) {
          if (k.arc == o[kUsmStats.size()]) kind = &k;
        }
      }
    }
    complete_request(s);
    if (kind != nullptr && kind->arc == 2 && authenticated && !s.time_resynced) {
      // notInTimeWindow: the authenticated report carries the agent's clock; resend once.
      s.engine_boots = m.engine_boots;
      s.engine_time = m.engine_time;
      s.time_ref = Clock::now();
      resend_same_step(s, /*time_resynced=*/true);
      return;
    }
    if (kind != nullptr && kind->arc == 4 && !s.rediscovered) {
      // unknownEngineID: the agent's engine changed (reinstalled?); discover it again, once.
      s.rediscovered = true;
      s.engine_id.clear();
      send_next(s);
      return;
    }
    const std::string who = "'" + s.keys.user + "' at " + endpoint_text(*s.endpoint);
    if (kind == nullptr) {
      finish(s, PollError::kReport, "the agent answered with a report " + oid + " for " + who);
      return;
    }
    finish(
        s, kind->error,
        std::string(to_string(kind->error)) + " for user " + who + " (" + kind->name + " report)");
  }

  void resend_same_step(Session& s, bool time_resynced) {
    send_next(s);
    s.time_resynced = time_resynced;
  }

  void localize(Session& s) {
    const auto& u = s.settings.usm;
    if (!s.auth_ku.empty()) {
      s.keys.auth_key = detail::localize_key(u.auth_protocol, s.auth_ku, s.engine_id);
    }
    if (!s.priv_ku.empty()) {
      s.keys.priv_key =
          detail::privacy_key(u.auth_protocol, u.priv_protocol,
                              detail::localize_key(u.auth_protocol, s.priv_ku, s.engine_id));
    }
  }

  // A Response PDU to the current GETBULK: append what lies in the subtree, then continue it, go
  // to the next subtree, or finish.
  void on_pdu(Session& s, detail::Pdu& pdu) {
    if (pdu.error_status != 0) {
      if (pdu.error_status == 1 && s.max_repetitions > 1) {  // tooBig: ask for less
        s.max_repetitions = std::max(1, s.max_repetitions / 2);
        send_next(s);
        return;
      }
      finish(s, PollError::kErrorStatus,
             "the agent answered " + detail::error_status_name(pdu.error_status) + " (index " +
                 std::to_string(pdu.error_index) + ") for " + to_string(s.cursor));
      return;
    }
    const Oid& root = options_.subtrees[s.subtree];
    bool done = pdu.varbinds.empty();
    for (auto& vb : pdu.varbinds) {
      if (vb.type == ValueType::kEndOfMibView || !starts_with(vb.oid, root)) {
        done = true;
        break;
      }
      if (!(s.cursor < vb.oid)) {
        // An agent that does not advance would loop forever: stop this subtree.
        finish(s, PollError::kMalformed,
               "OID not increasing: " + to_string(vb.oid) + " after " + to_string(s.cursor));
        return;
      }
      s.cursor = vb.oid;
      s.result.varbinds.push_back(std::move(vb));
    }
    if (s.result.varbinds.size() > options_.max_varbinds_per_poll) {
      finish(s, PollError::kMalformed,
             "more than " + std::to_string(options_.max_varbinds_per_poll) + " varbinds");
      return;
    }
    if (done) {
      if (++s.subtree == options_.subtrees.size()) {
        finish(s, PollError::kNone, {});
        return;
      }
      s.cursor = options_.subtrees[s.subtree];
    }
    send_next(s);
  }

  void finish(Session& s, PollError error, std::string text) {
    if (s.request_id != 0) {
      pending_.erase(s.request_id);
      s.request_id = 0;
    }
    s.polling = false;
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
      // A host name may move: resolve again next time. An engine may be reinstalled: discover it.
      boost::system::error_code not_numeric;
      asio::ip::make_address(s.settings.address, not_numeric);
      if (not_numeric && (error == PollError::kTimeout || error == PollError::kResolve)) {
        s.endpoint.reset();
      }
    }
    {
      std::lock_guard lock(mutex_);
      ++metrics_.polls_total;
      if (error != PollError::kNone) ++metrics_.poll_failures_total;
      metrics_.varbinds_total += s.result.varbinds.size();
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
  std::mt19937_64 rng_;
  std::uint64_t salt_ = 0;
  std::int32_t next_id_ = 1;
  bool started_ = false;
  std::atomic<bool> stopped_{false};

  std::vector<std::unique_ptr<Session>> sessions_;
  std::unordered_map<std::int32_t, Session*> pending_;
  std::map<std::pair<config::AuthProtocol, std::string>, Bytes> ku_cache_;

  std::unique_ptr<udp::socket> socket4_, socket6_;
  std::array<std::uint8_t, 65536> buffer4_{}, buffer6_{};
  udp::endpoint sender4_, sender6_;

  mutable std::mutex mutex_;  // metrics_ and states_, read from other threads
  PollerMetrics metrics_;
  std::unordered_map<std::string, AgentState> states_;
};

}  // namespace

PollerPtr make_poller(asio::io_context& io, PollerOptions options, PollSink& sink) {
  return std::make_unique<PollerImpl>(io, std::move(options), sink);
}

}  // namespace netpower::manager::poller
