// The client against a scripted agent on loopback (a UDP socket that this test reads and answers
// with the library's own encoder): an answer is matched by request id and sender, a wrong id, a
// duplicate or late answer and a foreign sender are counted and dropped, retries resend the same
// bytes, a silent agent is a timeout after retries + 1 datagrams, an error-status comes back as
// such with its index, a SET carries its typed values, SNMPv3 discovery, clock resync and the kept
// engine against a scripted v3 agent, a value SET cannot carry is refused before
// anything is sent, and stop() ends what is pending. Real agents: tests/integration/snmp_set_test.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>

#include <chrono>
#include <optional>
#include <thread>

#include "manager/snmp/client.h"
#include "manager/snmp/message.h"
#include "manager/snmp/usm.h"

namespace netpower::manager::snmp {
namespace {

using namespace std::chrono_literals;

Oid oid(const char* text) { return *parse_oid(text); }

// A UDP socket on 127.0.0.1 read by the test itself.
class ScriptedAgent {
 public:
  ScriptedAgent() : fd_(open_socket(port_)) {}
  ~ScriptedAgent() { ::close(fd_); }
  std::uint16_t port() const { return port_; }

  struct Received {
    std::vector<std::uint8_t> bytes;
    sockaddr_in from{};
    V2cMessage message;
  };
  // The next datagram within `timeout`, decoded as a v2c request (`v2c` false: not decoded).
  std::optional<Received> receive(std::chrono::milliseconds timeout = 3s, bool v2c = true) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    Received r;
    r.bytes.resize(65536);
    socklen_t len = sizeof r.from;
    const auto n = ::recvfrom(fd_, r.bytes.data(), r.bytes.size(), 0,
                              reinterpret_cast<sockaddr*>(&r.from), &len);
    if (n <= 0) return std::nullopt;
    r.bytes.resize(static_cast<std::size_t>(n));
    std::string error;
    if (v2c && !decode_v2c(r.bytes, r.message, error)) return std::nullopt;
    return r;
  }
  void send(const Received& to, std::span<const std::uint8_t> bytes) {
    ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to.from),
             sizeof to.from);
  }
  // A Response to `to` (from this socket, or from `via` when given).
  void answer(const Received& to, std::int32_t request_id, std::vector<Varbind> varbinds,
              std::int32_t status = 0, std::int32_t index = 0, int via = -1) {
    const auto bytes =
        response(std::string(to.message.community), request_id, varbinds, status, index);
    ::sendto(via >= 0 ? via : fd_, bytes.data(), bytes.size(), 0,
             reinterpret_cast<const sockaddr*>(&to.from), sizeof to.from);
  }

  static std::vector<std::uint8_t> response(const std::string& community, std::int32_t id,
                                            const std::vector<Varbind>& varbinds,
                                            std::int32_t status, std::int32_t index) {
    BerEncoder out;
    const std::size_t list = out.mark();
    for (auto it = varbinds.rbegin(); it != varbinds.rend(); ++it) {
      const std::size_t vb = out.mark();
      encode_value(out, *it);
      out.oid(it->oid);
      out.wrap(kTagSequence, vb);
    }
    out.wrap(kTagSequence, list);
    out.integer(index);
    out.integer(status);
    out.integer(id);
    out.wrap(kPduResponse, list);
    out.octets(community);
    out.integer(1);
    out.wrap(kTagSequence, 0);
    return out.take();
  }

  static int open_socket(std::uint16_t& port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    return fd;
  }

 private:
  std::uint16_t port_ = 0;
  int fd_;
};

// A client on its own I/O thread.
class ClientRun {
 public:
  explicit ClientRun(ClientOptions options = {})
      : client_(make_client(io_, std::move(options))), thread_([this] { io_.run(); }) {}
  ~ClientRun() {
    client_->stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  Client& client() { return *client_; }

 private:
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      boost::asio::make_work_guard(io_)};
  ClientPtr client_;
  std::thread thread_;
};

TargetPtr v2c_target(std::uint16_t port, std::chrono::milliseconds timeout = 2s, int retries = 0) {
  auto t = std::make_shared<Target>();
  t->address = "127.0.0.1";
  t->port = port;
  t->version = Version::kV2c;
  t->community = "np-test";
  t->timeout = timeout;
  t->retries = retries;
  return t;
}

const Oid kSysUpTime = oid("1.3.6.1.2.1.1.3.0");

TEST(Client, AnswerIsMatchedByRequestIdAndWrongIdsAreDropped) {
  ScriptedAgent agent;
  ClientRun run;
  auto future =
      future_of([&](Callback cb) { run.client().get(v2c_target(agent.port()), {kSysUpTime}, cb); });
  auto request = agent.receive();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->message.pdu.type, kPduGet);
  EXPECT_EQ(request->message.community, "np-test");
  const std::int32_t id = request->message.pdu.request_id;
  // Someone else's answer first (another id), then ours.
  agent.answer(*request, id ^ 0x55, {unsigned_value(kSysUpTime, ValueType::kTimeTicks, 1)});
  agent.answer(*request, id, {unsigned_value(kSysUpTime, ValueType::kTimeTicks, 4242)});
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  const auto r = future.get();
  ASSERT_TRUE(r.ok()) << r.error_text;
  ASSERT_EQ(r.varbinds.size(), 1u);
  EXPECT_EQ(r.varbinds[0].type, ValueType::kTimeTicks);
  EXPECT_EQ(r.varbinds[0].number, 4242u);
  EXPECT_EQ(r.requests, 1u);
  EXPECT_EQ(r.retries, 0u);
  const auto m = run.client().metrics();
  EXPECT_EQ(m.responses_total, 2u);
  EXPECT_EQ(m.unmatched_responses_total, 1u);
}

TEST(Client, RetryResendsTheSameBytesAndLateDuplicatesAreDropped) {
  ScriptedAgent agent;
  ClientRun run;
  auto future = future_of([&](Callback cb) {
    run.client().get_next(v2c_target(agent.port(), 300ms, 2), {oid("1.3.6.1.2.1.1")}, cb);
  });
  auto first = agent.receive();
  ASSERT_TRUE(first);
  auto second = agent.receive();  // the first attempt timed out: the same datagram again
  ASSERT_TRUE(second);
  EXPECT_EQ(first->bytes, second->bytes);
  EXPECT_EQ(second->message.pdu.type, kPduGetNext);
  const std::int32_t id = second->message.pdu.request_id;
  agent.answer(*second, id, {octets_value(oid("1.3.6.1.2.1.1.1.0"), "first")});
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  auto r = future.get();
  ASSERT_TRUE(r.ok()) << r.error_text;
  EXPECT_EQ(r.varbinds.at(0).octets, "first");
  EXPECT_EQ(r.requests, 2u);
  EXPECT_EQ(r.retries, 1u);
  // The answer to the first attempt arrives late, twice: the request is over, nothing matches.
  agent.answer(*first, id, {octets_value(oid("1.3.6.1.2.1.1.1.0"), "late")});
  agent.answer(*first, id, {octets_value(oid("1.3.6.1.2.1.1.1.0"), "late")});
  // A following request still gets its own answer, not a late one.
  auto next =
      future_of([&](Callback cb) { run.client().get(v2c_target(agent.port()), {kSysUpTime}, cb); });
  auto third = agent.receive();
  ASSERT_TRUE(third);
  EXPECT_NE(third->message.pdu.request_id, id);
  agent.answer(*third, third->message.pdu.request_id, {integer_value(kSysUpTime, 7)});
  ASSERT_EQ(next.wait_for(5s), std::future_status::ready);
  r = next.get();
  ASSERT_TRUE(r.ok()) << r.error_text;
  EXPECT_EQ(r.varbinds.at(0).integer, 7);
  EXPECT_EQ(run.client().metrics().unmatched_responses_total, 2u);
}

TEST(Client, AnswerFromAnotherAddressIsNotAccepted) {
  ScriptedAgent agent;
  ClientRun run;
  std::uint16_t unused = 0;
  const int other = ScriptedAgent::open_socket(unused);
  auto future = future_of(
      [&](Callback cb) { run.client().get(v2c_target(agent.port(), 500ms, 0), {kSysUpTime}, cb); });
  auto request = agent.receive();
  ASSERT_TRUE(request);
  agent.answer(*request, request->message.pdu.request_id, {integer_value(kSysUpTime, 1)}, 0, 0,
               other);
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  const auto r = future.get();
  EXPECT_EQ(r.error, Error::kTimeout) << r.error_text;
  EXPECT_EQ(run.client().metrics().unmatched_responses_total, 1u);
  ::close(other);
}

TEST(Client, SilentAgentIsATimeoutAfterEveryRetry) {
  ScriptedAgent agent;
  ClientRun run;
  auto future = future_of(
      [&](Callback cb) { run.client().get(v2c_target(agent.port(), 100ms, 2), {kSysUpTime}, cb); });
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  const auto r = future.get();
  EXPECT_EQ(r.error, Error::kTimeout);
  EXPECT_EQ(r.requests, 3u);
  EXPECT_EQ(r.retries, 2u);
  EXPECT_NE(r.error_text.find("3 request(s), 100 ms each"), std::string::npos) << r.error_text;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(agent.receive(1s)) << i;
}

TEST(Client, SetCarriesTypedValuesAndErrorStatusComesBackWithItsIndex) {
  ScriptedAgent agent;
  ClientRun run;
  const std::vector<Varbind> values = {
      integer_value(oid("1.3.6.1.4.1.1718.2.1.4.1.2.65.49"), 1),
      octets_value(oid("1.3.6.1.4.1.32473.1.1.3.1.2.65.49"), "web-1"),
      oid_value(oid("1.3.6.1.4.1.32473.1.1.9.0"), oid("1.3.6.1.4.1.32473")),
      ip_value(oid("1.3.6.1.4.1.32473.1.1.10.0"), "10.1.12.5"),
      unsigned_value(oid("1.3.6.1.4.1.32473.1.1.11.0"), ValueType::kGauge32, 4000000000u),
      unsigned_value(oid("1.3.6.1.4.1.32473.1.1.12.0"), ValueType::kTimeTicks, 6000),
      unsigned_value(oid("1.3.6.1.4.1.32473.1.1.13.0"), ValueType::kCounter32, 5),
      unsigned_value(oid("1.3.6.1.4.1.32473.1.1.14.0"), ValueType::kCounter64, 1ull << 40),
  };
  auto future =
      future_of([&](Callback cb) { run.client().set(v2c_target(agent.port()), values, cb); });
  auto request = agent.receive();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->message.pdu.type, kPduSet);
  EXPECT_EQ(request->message.pdu.varbinds, values);  // every type arrives as typed
  // The agent refuses the fifth: wrongValue, index 5, the request's varbinds echoed.
  agent.answer(*request, request->message.pdu.request_id, values, kWrongValue, 5);
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  const auto r = future.get();
  EXPECT_EQ(r.error, Error::kErrorStatus);
  EXPECT_EQ(r.error_status, kWrongValue);
  EXPECT_EQ(r.error_index, 5);
  EXPECT_EQ(error_status_name(r.error_status), "wrongValue");
  EXPECT_NE(r.error_text.find("wrongValue (index 5) for 1.3.6.1.4.1.32473.1.1.11.0"),
            std::string::npos)
      << r.error_text;
  EXPECT_EQ(r.varbinds, values);
}

TEST(Client, UnencodableValueIsRefusedBeforeSending) {
  ScriptedAgent agent;
  ClientRun run;
  for (const auto& bad :
       {integer_value(oid("1.3.6.1.4.1.1718.2.1.4.1.2.65.49"), 1ll << 33),
        ip_value(oid("1.3.6.1.4.1.32473.1.1.10.0"), "10.1.300.5"),
        unsigned_value(oid("1.3.6.1.4.1.32473.1.1.11.0"), ValueType::kGauge32, 1ull << 32)}) {
    auto r = future_of([&](Callback cb) {
               run.client().set(v2c_target(agent.port()), {bad}, cb);
             }).get();
    EXPECT_EQ(r.error, Error::kNetwork) << r.error_text;
    EXPECT_EQ(r.requests, 0u);
  }
  EXPECT_FALSE(agent.receive(200ms));
  EXPECT_EQ(run.client().metrics().requests_total, 0u);
}

TEST(Client, StopEndsPendingRequests) {
  ScriptedAgent agent;
  ClientRun run;
  auto future = future_of(
      [&](Callback cb) { run.client().get(v2c_target(agent.port(), 30s), {kSysUpTime}, cb); });
  ASSERT_TRUE(agent.receive());
  run.client().stop();
  ASSERT_EQ(future.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(future.get().error, Error::kStopped);
  // After stop, new requests end at once.
  auto after =
      future_of([&](Callback cb) { run.client().get(v2c_target(agent.port()), {kSysUpTime}, cb); });
  ASSERT_EQ(after.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(after.get().error, Error::kStopped);
}

TEST(Client, RequestsPastTheBoundEndAtOnce) {
  ScriptedAgent agent;
  ClientOptions options;
  options.max_pending = 1;
  ClientRun run(std::move(options));
  auto first = future_of(
      [&](Callback cb) { run.client().get(v2c_target(agent.port(), 30s), {kSysUpTime}, cb); });
  ASSERT_TRUE(agent.receive());
  auto second = future_of(
      [&](Callback cb) { run.client().get(v2c_target(agent.port(), 30s), {kSysUpTime}, cb); });
  ASSERT_EQ(second.wait_for(5s), std::future_status::ready);
  const auto r = second.get();
  EXPECT_EQ(r.error, Error::kNetwork);
  EXPECT_NE(r.error_text.find("too many requests"), std::string::npos) << r.error_text;
  EXPECT_EQ(r.requests, 0u);
  EXPECT_EQ(first.wait_for(0s), std::future_status::timeout);  // the first still waits
}

TEST(Client, UnresolvableHostIsAResolveError) {
  ClientRun run;
  auto t = std::make_shared<Target>(*v2c_target(161));
  t->address = "no-such-host.invalid";
  auto r = future_of([&](Callback cb) { run.client().get(t, {kSysUpTime}, cb); });
  ASSERT_EQ(r.wait_for(30s), std::future_status::ready);
  EXPECT_EQ(r.get().error, Error::kResolve);
}

// A scripted SNMPv3 agent (engine E): the client discovers E, its request is answered with an
// authenticated notInTimeWindow report carrying a new clock, it resends once with that clock, and
// the answer completes the request. A second request to the same address needs no discovery.
TEST(Client, V3DiscoversTheEngineResyncsTheClockOnceAndKeepsTheEngine) {
  ScriptedAgent agent;
  ClientRun run;
  auto target = std::make_shared<Target>(*v2c_target(agent.port()));
  target->version = Version::kV3;
  target->community.clear();
  target->usm = make_usm_credentials("np-admin", SecurityLevel::kAuthPriv, AuthProtocol::kSha,
                                     "np-auth-secret", PrivProtocol::kAes, "np-priv-secret");
  const std::vector<std::uint8_t> engine = {0x80, 0x00, 0x1f, 0x88, 0x04, 'n', 'p'};
  LocalizedKeyCache cache;
  const UsmKeys& keys = *cache.keys(*target->usm, engine);
  UsmKeys none;
  none.level = SecurityLevel::kNoAuthNoPriv;
  std::uint64_t salt = 1;
  // Decodes a datagram from the client: header, then (decrypted) scoped PDU.
  auto open = [&](ScriptedAgent::Received& d, V3Message& m, Pdu& pdu) {
    std::string error;
    if (!decode_v3(d.bytes, m, error)) return false;
    if (!m.encrypted) return decode_scoped_pdu(m.data, pdu, error);
    Bytes plain;
    return verify_digest(keys, d.bytes, m) && decrypt(keys, m, plain) &&
           decode_scoped_pdu(plain, pdu, error);
  };
  auto reply = [&](const ScriptedAgent::Received& to, const UsmKeys& k, std::int32_t msg_id,
                   std::int32_t boots, std::int32_t time, std::uint8_t type, std::int32_t id,
                   std::vector<Varbind> varbinds) {
    PduRequest pdu;
    pdu.type = type;
    pdu.request_id = id;
    pdu.varbinds = varbinds;
    V3Request h{msg_id, engine, boots, time, ++salt};
    agent.send(to, encode_v3(k, h, pdu));
  };
  const Oid not_in_time_window = oid("1.3.6.1.6.3.15.1.1.2.0");
  const Oid unknown_engine = oid("1.3.6.1.6.3.15.1.1.4.0");

  auto future = future_of([&](Callback cb) { run.client().get(target, {kSysUpTime}, cb); });
  // 1. The discovery probe: plain, no user; the report gives E, boots 5, time 100.
  auto probe = agent.receive(3s, false);
  ASSERT_TRUE(probe);
  V3Message m;
  Pdu pdu;
  ASSERT_TRUE(open(*probe, m, pdu));
  EXPECT_TRUE(m.engine_id.empty());
  EXPECT_TRUE(m.user.empty());
  reply(*probe, none, m.msg_id, 5, 100, kPduReport, pdu.request_id,
        {unsigned_value(unknown_engine, ValueType::kCounter32, 1)});
  // 2. The request, authPriv for E at boots 5: refused as out of the window, with boots 6.
  auto request = agent.receive(3s, false);
  ASSERT_TRUE(request);
  ASSERT_TRUE(open(*request, m, pdu)) << "the request does not verify or decrypt with E's keys";
  EXPECT_EQ(m.user, "np-admin");
  EXPECT_EQ(m.engine_boots, 5);
  EXPECT_EQ(pdu.type, kPduGet);
  UsmKeys report = keys;
  report.level = SecurityLevel::kAuthNoPriv;  // reports are authenticated, not encrypted
  reply(*request, report, m.msg_id, 6, 20, kPduReport, pdu.request_id,
        {unsigned_value(not_in_time_window, ValueType::kCounter32, 1)});
  // 3. The resend follows the agent's new clock; the answer completes the request.
  auto resend = agent.receive(3s, false);
  ASSERT_TRUE(resend);
  ASSERT_TRUE(open(*resend, m, pdu));
  EXPECT_EQ(m.engine_boots, 6);
  EXPECT_GE(m.engine_time, 20);
  reply(*resend, keys, m.msg_id, 6, 21, kPduResponse, pdu.request_id,
        {unsigned_value(kSysUpTime, ValueType::kTimeTicks, 99)});
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  auto r = future.get();
  ASSERT_TRUE(r.ok()) << r.error_text;
  EXPECT_EQ(r.varbinds.at(0).number, 99u);
  EXPECT_EQ(r.requests, 3u);  // probe, request, resend

  // The engine is known now: the next request goes straight out, authPriv.
  future = future_of([&](Callback cb) { run.client().get(target, {kSysUpTime}, cb); });
  auto direct = agent.receive(3s, false);
  ASSERT_TRUE(direct);
  ASSERT_TRUE(open(*direct, m, pdu));
  EXPECT_TRUE(m.encrypted);
  EXPECT_EQ(m.engine_boots, 6);
  // A second notInTimeWindow for the same request is not resynchronised again: it is the error.
  reply(*direct, report, m.msg_id, 6, 30, kPduReport, pdu.request_id,
        {unsigned_value(not_in_time_window, ValueType::kCounter32, 2)});
  auto again = agent.receive(3s, false);
  ASSERT_TRUE(again);
  ASSERT_TRUE(open(*again, m, pdu));
  reply(*again, report, m.msg_id, 6, 30, kPduReport, pdu.request_id,
        {unsigned_value(not_in_time_window, ValueType::kCounter32, 3)});
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  r = future.get();
  EXPECT_EQ(r.error, Error::kNotInTimeWindow) << r.error_text;
  EXPECT_NE(r.error_text.find("usmStatsNotInTimeWindows"), std::string::npos) << r.error_text;
  EXPECT_EQ(r.requests, 2u);
}

TEST(UsmKeys, LocalizedOncePerUserAndEngine) {
  auto user = make_usm_credentials("np-admin", SecurityLevel::kAuthPriv, AuthProtocol::kSha,
                                   "np-auth-secret", PrivProtocol::kAes, "np-priv-secret");
  auto other = make_usm_credentials("np-other", SecurityLevel::kAuthPriv, AuthProtocol::kSha,
                                    "np-auth-secret", PrivProtocol::kAes, "np-priv-secret");
  const std::vector<std::uint8_t> engine_a = {0x80, 0, 0x1f, 0x88, 1};
  const std::vector<std::uint8_t> engine_b = {0x80, 0, 0x1f, 0x88, 2};
  LocalizedKeyCache cache;
  const auto a1 = cache.keys(*user, engine_a);
  const auto a2 = cache.keys(*user, engine_a);
  EXPECT_EQ(a1.get(), a2.get());  // the same keys, not computed again
  EXPECT_EQ(cache.computed(), 1u);
  const auto b = cache.keys(*user, engine_b);
  EXPECT_NE(a1->auth_key, b->auth_key);  // a key localized to another engine differs
  cache.keys(*other, engine_a);
  EXPECT_EQ(cache.computed(), 3u);
  EXPECT_EQ(a1->auth_key, localize_key(AuthProtocol::kSha, user->auth_ku, engine_a));
  EXPECT_THROW(make_usm_credentials("x", SecurityLevel::kAuthPriv, AuthProtocol::kSha, "long-key-1",
                                    PrivProtocol::kAes, ""),
               std::invalid_argument);
}

}  // namespace
}  // namespace netpower::manager::snmp
