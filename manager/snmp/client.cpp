#include "manager/snmp/client.h"

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <optional>
#include <random>
#include <unordered_map>

#include "manager/snmp/message.h"

namespace netpower::manager::snmp {

namespace asio = boost::asio;
using asio::ip::udp;
using Clock = std::chrono::steady_clock;

const char* to_string(Error error) {
  switch (error) {
    case Error::kNone:
      return "ok";
    case Error::kTimeout:
      return "timeout";
    case Error::kUnknownUser:
      return "unknown user";
    case Error::kWrongAuthKey:
      return "wrong auth key";
    case Error::kWrongPrivKey:
      return "wrong priv key";
    case Error::kUnsupportedSecLevel:
      return "unsupported security level";
    case Error::kNotInTimeWindow:
      return "not in time window";
    case Error::kReport:
      return "report";
    case Error::kErrorStatus:
      return "error-status";
    case Error::kMalformed:
      return "malformed response";
    case Error::kResolve:
      return "resolve";
    case Error::kNetwork:
      return "network";
    case Error::kStopped:
      return "stopped";
  }
  return "?";
}

void Client::get(TargetPtr target, std::vector<Oid> oids, Callback done) {
  request(std::move(target), RequestPdu{kPduGet, 0, 0, std::move(oids), {}}, std::move(done));
}

void Client::get_next(TargetPtr target, std::vector<Oid> oids, Callback done) {
  request(std::move(target), RequestPdu{kPduGetNext, 0, 0, std::move(oids), {}}, std::move(done));
}

void Client::get_bulk(TargetPtr target, std::int32_t non_repeaters, std::int32_t max_repetitions,
                      std::vector<Oid> oids, Callback done) {
  request(std::move(target),
          RequestPdu{kPduGetBulk, non_repeaters, max_repetitions, std::move(oids), {}},
          std::move(done));
}

void Client::set(TargetPtr target, std::vector<Varbind> varbinds, Callback done) {
  request(std::move(target), RequestPdu{kPduSet, 0, 0, {}, std::move(varbinds)}, std::move(done));
}

std::future<Response> future_of(const std::function<void(Callback)>& submit) {
  auto promise = std::make_shared<std::promise<Response>>();
  auto future = promise->get_future();
  submit([promise](Response r) { promise->set_value(std::move(r)); });
  return future;
}

namespace {

// usmStats* (RFC 3414 5), the reports an agent sends instead of a response.
struct ReportKind {
  std::uint32_t arc;  // 1.3.6.1.6.3.15.1.1.<arc>.0
  Error error;
  const char* name;
};
constexpr ReportKind kReports[] = {
    {1, Error::kUnsupportedSecLevel, "usmStatsUnsupportedSecLevels"},
    {2, Error::kNotInTimeWindow, "usmStatsNotInTimeWindows"},
    {3, Error::kUnknownUser, "usmStatsUnknownUserNames"},
    {4, Error::kReport, "usmStatsUnknownEngineIDs"},
    {5, Error::kWrongAuthKey, "usmStatsWrongDigests"},
    {6, Error::kWrongPrivKey, "usmStatsDecryptionErrors"},
};
const Oid kUsmStats = {1, 3, 6, 1, 6, 3, 15, 1, 1};
constexpr std::uint32_t kNotInTimeWindowArc = 2;
constexpr std::uint32_t kUnknownEngineIdArc = 4;

std::string endpoint_text(const udp::endpoint& e) {
  return e.address().to_string() + ":" + std::to_string(e.port());
}

// What this manager knows of an agent's SNMP engine (RFC 3414 2.3), per address.
struct Engine {
  Bytes id;
  std::int32_t boots = 0;
  std::int32_t time = 0;
  Clock::time_point ref;  // when `time` was learned

  std::int32_t time_now() const {
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - ref).count();
    return static_cast<std::int32_t>(std::min<std::int64_t>(time + elapsed, 0x7fffffff));
  }
};

// One request in flight. Owned by the client's map; lives on the I/O thread only.
struct Request {
  std::uint64_t serial = 0;
  TargetPtr target;
  RequestPdu pdu;
  Callback done;
  Response response;
  udp::endpoint endpoint;
  std::shared_ptr<const UsmKeys> keys;  // v3, once the engine is known
  std::int32_t id = 0;                  // registered in by_id_ while non-zero
  bool discovering = false;
  bool time_resynced = false;  // one notInTimeWindow resend per request
  bool rediscovered = false;   // one unknownEngineID re-discovery per request
  Bytes packet;
  int attempt = 0;
  // Made when the request starts on the I/O thread: a request still queued when the io_context is
  // destroyed owns no I/O object.
  std::optional<asio::steady_timer> timer;
};

class ClientImpl final : public Client {
 public:
  ClientImpl(asio::io_context& io, ClientOptions options)
      : io_(io), options_(std::move(options)), resolver_(io) {
    std::mt19937_64 rng(std::random_device{}());
    next_id_ = static_cast<std::int32_t>(rng() & 0x3fffffff) + 1;
    salt_ = rng();
  }

  ~ClientImpl() override {
    for (auto& [serial, r] : requests_) r->timer->cancel();
    resolver_.cancel();
  }

  void request(TargetPtr target, RequestPdu pdu, Callback done) override {
    auto r = std::make_unique<Request>();
    r->target = std::move(target);
    r->pdu = std::move(pdu);
    r->done = std::move(done);
    // Posted even on the I/O thread: the callback never runs inside request().
    asio::post(io_, [this, owned = std::move(r)]() mutable { start(std::move(owned)); });
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

  ClientMetrics metrics() const override {
    ClientMetrics m;
    m.requests_total = requests_total_.load(std::memory_order_relaxed);
    m.retries_total = retries_total_.load(std::memory_order_relaxed);
    m.responses_total = responses_total_.load(std::memory_order_relaxed);
    m.unmatched_responses_total = unmatched_total_.load(std::memory_order_relaxed);
    m.malformed_responses_total = malformed_total_.load(std::memory_order_relaxed);
    m.bad_digest_responses_total = bad_digest_total_.load(std::memory_order_relaxed);
    return m;
  }

 private:
  static void count(std::atomic<std::uint64_t>& counter) {
    counter.fetch_add(1, std::memory_order_relaxed);
  }

  void do_stop() {
    stopped_ = true;
    resolver_.cancel();
    auto all = std::move(requests_);
    requests_.clear();
    by_id_.clear();
    for (auto& [serial, r] : all) {
      r->timer->cancel();
      r->response.error = Error::kStopped;
      r->response.error_text = "the client stopped";
      r->done(std::move(r->response));
    }
    boost::system::error_code ignored;
    if (socket4_) socket4_->close(ignored);
    if (socket6_) socket6_->close(ignored);
  }

  void start(std::unique_ptr<Request> owned) {
    Request& r = *owned;
    r.serial = ++serial_;
    r.timer.emplace(io_);
    requests_.emplace(r.serial, std::move(owned));
    if (stopped_) return fail(r, Error::kStopped, "the client stopped");
    if (requests_.size() > options_.max_pending) {
      return fail(r, Error::kNetwork,
                  "too many requests in flight (" + std::to_string(options_.max_pending) + ")");
    }
    const Target& t = *r.target;
    if (t.version == Version::kV3 && !t.usm) {
      return fail(r, Error::kNetwork, "SNMPv3 target without USM credentials");
    }
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(t.address, ec);
    if (!ec) {
      r.endpoint = udp::endpoint(address, t.port);
      return begin(r);
    }
    const std::string key = t.address + ":" + std::to_string(t.port);
    if (auto it = resolved_.find(key); it != resolved_.end()) {
      r.endpoint = it->second;
      return begin(r);
    }
    resolver_.async_resolve(t.address, std::to_string(t.port),
                            [this, serial = r.serial, key](const boost::system::error_code& error,
                                                           udp::resolver::results_type results) {
                              Request* q = find(serial);
                              if (q == nullptr) return;
                              if (error || results.empty()) {
                                return fail(
                                    *q, Error::kResolve,
                                    "cannot resolve " + q->target->address + ": " +
                                        (error ? error.message() : std::string("no address")));
                              }
                              q->endpoint = results.begin()->endpoint();
                              if (resolved_.size() >= 65536) resolved_.clear();
                              resolved_[key] = q->endpoint;
                              begin(*q);
                            });
  }

  Request* find(std::uint64_t serial) {
    auto it = requests_.find(serial);
    return it == requests_.end() ? nullptr : it->second.get();
  }

  std::int32_t new_id() {
    for (;;) {
      const std::int32_t id = next_id_;
      next_id_ = next_id_ >= 0x7fffffff ? 1 : next_id_ + 1;
      if (!by_id_.contains(id)) return id;
    }
  }

  // The next exchange of the request: the engine-ID discovery probe (v3, engine unknown) or the
  // request itself.
  void begin(Request& r) {
    if (r.id != 0) {
      by_id_.erase(r.id);
      r.id = 0;
    }
    const std::int32_t id = new_id();
    const bool v3 = r.target->version == Version::kV3;
    const Engine* engine = nullptr;
    if (v3) {
      auto it = engines_.find(r.endpoint);
      if (it != engines_.end()) engine = &it->second;
    }
    r.discovering = v3 && engine == nullptr;
    PduRequest pdu;
    pdu.type = r.pdu.type;
    pdu.request_id = id;
    pdu.non_repeaters = r.pdu.non_repeaters;
    pdu.max_repetitions = r.pdu.max_repetitions;
    pdu.oids = r.pdu.oids;
    pdu.varbinds = r.pdu.varbinds;
    if (r.discovering) {
      r.packet = encode_discovery(id, id);
    } else if (v3) {
      r.keys = keys_.keys(*r.target->usm, engine->id);
      V3Request h;
      h.msg_id = id;
      h.engine_id = engine->id;
      h.engine_boots = engine->boots;
      h.engine_time = engine->time_now();
      h.salt = ++salt_;
      r.packet = encode_v3(*r.keys, h, pdu);
    } else {
      r.packet = encode_v2c(r.target->community, pdu);
    }
    if (r.packet.empty()) {
      return fail(r, Error::kNetwork, "the request cannot be encoded (an OID or a value)");
    }
    r.id = id;
    by_id_.emplace(id, &r);
    r.attempt = 0;
    transmit(r);
  }

  udp::socket* socket_for(const udp::endpoint& e) {
    const bool v4 = e.address().is_v4();
    auto& socket = v4 ? socket4_ : socket6_;
    if (!socket) {
      socket = std::make_unique<udp::socket>(io_);
      boost::system::error_code ec;
      socket->open(v4 ? udp::v4() : udp::v6(), ec);
      if (ec) {
        socket.reset();
        return nullptr;
      }
      socket->non_blocking(true, ec);
      socket->set_option(asio::socket_base::receive_buffer_size(options_.receive_buffer_bytes), ec);
      socket->bind(udp::endpoint(v4 ? udp::v4() : udp::v6(), 0), ec);
      receive(*socket, v4 ? buffer4_ : buffer6_, v4 ? sender4_ : sender6_);
    }
    return socket.get();
  }

  void transmit(Request& r) {
    ++r.attempt;
    ++r.response.requests;
    count(requests_total_);
    if (r.attempt > 1) {
      ++r.response.retries;
      count(retries_total_);
    }
    auto* socket = socket_for(r.endpoint);
    if (socket == nullptr) {
      return fail(r, Error::kNetwork, "no UDP socket for " + endpoint_text(r.endpoint));
    }
    boost::system::error_code ec;
    // Non-blocking; a failed send (no route, buffer full) is left to the timeout and retries, as
    // a lost datagram would be.
    socket->send_to(asio::buffer(r.packet), r.endpoint, 0, ec);
    auto timeout = r.target->timeout;
    if (options_.attempt_timeout) timeout = options_.attempt_timeout(r.attempt, timeout);
    r.timer->expires_after(timeout);
    r.timer->async_wait(
        [this, serial = r.serial, attempt = r.attempt, id = r.id](boost::system::error_code error) {
          Request* q = find(serial);
          if (error || q == nullptr || q->attempt != attempt || q->id != id) return;
          if (q->attempt <= q->target->retries) return transmit(*q);
          // A host name may have moved: resolve it again next time.
          resolved_.erase(q->target->address + ":" + std::to_string(q->target->port));
          const auto ms =
              std::chrono::duration_cast<std::chrono::milliseconds>(q->target->timeout).count();
          fail(*q, Error::kTimeout,
               "no response from " + endpoint_text(q->endpoint) + " to " +
                   std::to_string(q->attempt) + " request(s), " + std::to_string(ms) + " ms each");
        });
  }

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
    count(responses_total_);
    const int version = peek_version(packet);
    std::int32_t id = 0;
    V2cMessage v2c;
    V3Message v3;
    std::string error;
    if (version == 1) {
      // Without a request id it cannot be matched to a request: only counted.
      if (!decode_v2c(packet, v2c, error)) return count(malformed_total_);
      id = v2c.pdu.request_id;
    } else if (version == 3) {
      if (!decode_v3(packet, v3, error)) return count(malformed_total_);
      id = v3.msg_id;
    } else {
      return count(malformed_total_);
    }
    auto it = by_id_.find(id);
    if (it == by_id_.end() || it->second->endpoint != sender) return count(unmatched_total_);
    Request& r = *it->second;
    if (version == 1) {
      if (r.target->version != Version::kV2c || v2c.pdu.type != kPduResponse) {
        return count(unmatched_total_);
      }
      return on_pdu(r, v2c.pdu);
    }
    if (r.target->version != Version::kV3) return count(unmatched_total_);
    on_v3(r, packet, v3);
  }

  void on_v3(Request& r, std::span<std::uint8_t> packet, const V3Message& m) {
    const bool authenticated = (m.flags & kFlagAuth) != 0;
    if (r.discovering) {
      // The answer to the probe: a Report carrying the agent's engine ID, boots and time.
      Pdu pdu;
      std::string error;
      if (m.encrypted || !decode_scoped_pdu(m.data, pdu, error) || pdu.type != kPduReport ||
          m.engine_id.empty()) {
        count(malformed_total_);
        return fail(r, Error::kMalformed,
                    "engine-ID discovery: unexpected answer" + (error.empty() ? "" : ": " + error));
      }
      if (engines_.size() >= 65536) engines_.clear();
      engines_[r.endpoint] = Engine{Bytes(m.engine_id.begin(), m.engine_id.end()), m.engine_boots,
                                    m.engine_time, Clock::now()};
      return begin(r);
    }
    auto engine_it = engines_.find(r.endpoint);
    const UsmKeys& keys = *r.keys;
    const bool want_auth = keys.level != SecurityLevel::kNoAuthNoPriv;
    if (authenticated) {
      if (!want_auth || engine_it == engines_.end() ||
          !std::equal(m.engine_id.begin(), m.engine_id.end(), engine_it->second.id.begin(),
                      engine_it->second.id.end()) ||
          !verify_digest(keys, packet, m)) {
        // Not from the agent we talk to (or not with our key): dropped, as RFC 3414 3.2 says.
        return count(bad_digest_total_);
      }
      // RFC 3414 3.2.7 b): a non-authoritative engine follows the agent's clock forward.
      Engine& e = engine_it->second;
      if (m.engine_boots > e.boots || (m.engine_boots == e.boots && m.engine_time > e.time_now())) {
        e.boots = m.engine_boots;
        e.time = m.engine_time;
        e.ref = Clock::now();
      }
    }
    Pdu pdu;
    std::string error;
    if (m.encrypted) {
      Bytes plain;
      if (!authenticated || !decrypt(keys, m, plain) || !decode_scoped_pdu(plain, pdu, error)) {
        return fail(r, Error::kWrongPrivKey,
                    "the response from " + endpoint_text(r.endpoint) +
                        " does not decrypt (wrong priv key or priv protocol?)");
      }
    } else if (!decode_scoped_pdu(m.data, pdu, error)) {
      count(malformed_total_);
      return fail(r, Error::kMalformed, "malformed response: " + error);
    }
    if (pdu.type == kPduReport) return on_report(r, m, pdu, authenticated);
    if (pdu.type != kPduResponse || (want_auth && !authenticated)) {
      // An unauthenticated response to an authenticated request is never accepted.
      return count(unmatched_total_);
    }
    on_pdu(r, pdu);
  }

  void on_report(Request& r, const V3Message& m, const Pdu& pdu, bool authenticated) {
    const ReportKind* kind = nullptr;
    const std::string oid = pdu.varbinds.empty() ? "(none)" : to_string(pdu.varbinds[0].oid);
    if (!pdu.varbinds.empty()) {
      const Oid& o = pdu.varbinds[0].oid;
      if (o.size() == kUsmStats.size() + 2 && starts_with(o, kUsmStats) && o.back() == 0) {
        for (const auto& k : kReports) {
          if (k.arc == o[kUsmStats.size()]) kind = &k;
        }
      }
    }
    if (kind != nullptr && kind->arc == kNotInTimeWindowArc && authenticated && !r.time_resynced) {
      // notInTimeWindow: the authenticated report carries the agent's clock; resend once.
      auto it = engines_.find(r.endpoint);
      if (it != engines_.end()) {
        it->second.boots = m.engine_boots;
        it->second.time = m.engine_time;
        it->second.ref = Clock::now();
      }
      r.time_resynced = true;
      return begin(r);
    }
    if (kind != nullptr && kind->arc == kUnknownEngineIdArc && !r.rediscovered) {
      // unknownEngineID: the agent's engine changed (reinstalled?); discover it again, once.
      r.rediscovered = true;
      engines_.erase(r.endpoint);
      return begin(r);
    }
    const std::string who = "'" + r.target->usm->user + "' at " + endpoint_text(r.endpoint);
    if (kind == nullptr) {
      return fail(r, Error::kReport, "the agent answered with a report " + oid + " for " + who);
    }
    fail(r, kind->error,
         std::string(to_string(kind->error)) + " for user " + who + " (" + kind->name + " report)");
  }

  void on_pdu(Request& r, Pdu& pdu) {
    r.response.varbinds = std::move(pdu.varbinds);
    if (pdu.error_status != 0) {
      r.response.error_status = pdu.error_status;
      r.response.error_index = pdu.error_index;
      std::string what;
      const auto& vbs = r.response.varbinds;
      if (pdu.error_index >= 1 && static_cast<std::size_t>(pdu.error_index) <= vbs.size()) {
        what = " for " + to_string(vbs[static_cast<std::size_t>(pdu.error_index) - 1].oid);
      }
      return fail(r, Error::kErrorStatus,
                  "the agent answered " + error_status_name(pdu.error_status) + " (index " +
                      std::to_string(pdu.error_index) + ")" + what);
    }
    complete(r);
  }

  void fail(Request& r, Error error, std::string text) {
    r.response.error = error;
    r.response.error_text = std::move(text);
    complete(r);
  }

  // The request is over: no more retries, its id is free, its callback runs last.
  void complete(Request& r) {
    if (r.id != 0) by_id_.erase(r.id);
    r.timer->cancel();
    auto it = requests_.find(r.serial);
    if (it == requests_.end()) return;
    auto owned = std::move(it->second);
    requests_.erase(it);
    owned->done(std::move(owned->response));
  }

  asio::io_context& io_;
  ClientOptions options_;
  udp::resolver resolver_;
  std::uint64_t salt_ = 0;
  std::int32_t next_id_ = 1;
  std::uint64_t serial_ = 0;
  bool stopped_ = false;

  std::unordered_map<std::uint64_t, std::unique_ptr<Request>> requests_;
  std::unordered_map<std::int32_t, Request*> by_id_;
  std::map<std::string, udp::endpoint> resolved_;
  std::map<udp::endpoint, Engine> engines_;
  LocalizedKeyCache keys_;

  std::unique_ptr<udp::socket> socket4_, socket6_;
  std::array<std::uint8_t, 65536> buffer4_{}, buffer6_{};
  udp::endpoint sender4_, sender6_;

  std::atomic<std::uint64_t> requests_total_{0}, retries_total_{0}, responses_total_{0},
      unmatched_total_{0}, malformed_total_{0}, bad_digest_total_{0};
};

}  // namespace

ClientPtr make_client(asio::io_context& io, ClientOptions options) {
  return std::make_unique<ClientImpl>(io, std::move(options));
}

}  // namespace netpower::manager::snmp
