// The receiver's SNMPv3 engine against snmpinform and raw datagrams: a configured engine ID
// answers informs; without one, the ID survives a restart and snmpEngineBoots grows by one; the
// discovery Report carries our ID, boots and time; a wrong privacy key counts as unauthenticated;
// and a flood of bad informs leaves a bounded log, net-snmp's own messages included.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "manager/snmp/message.h"
#include "manager/snmp/usm.h"
#include "manager/traps/detail/netsnmp_log.h"
#include "tests/integration/manager/traps/receiver_fixture.h"

namespace netpower::manager::traps {
namespace {

struct Report {
  std::string engine_id;  // hex
  std::vector<std::uint8_t> id;
  std::int32_t boots = 0;
  std::int32_t time = 0;
};

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

class V3EngineTest : public TrapReceiverTest {
 protected:
  // An engine-ID discovery probe (RFC 3414 4), as every v3 inform sender starts, and our Report.
  std::optional<Report> probe() {
    RawSender sender(receiver_->port());
    sender.send(snmp::encode_discovery(4711, 4712));
    auto answer = sender.receive(2000ms);
    if (!answer) return std::nullopt;
    snmp::V3Message m;
    std::string error;
    EXPECT_TRUE(snmp::decode_v3(*answer, m, error)) << error;
    return Report{
        hex(m.engine_id), {m.engine_id.begin(), m.engine_id.end()}, m.engine_boots, m.engine_time};
  }

  testing::SnmpResult inform(const SnmpCli& client) const {
    return client.run("snmpinform", {"", ".1.3.6.1.4.1.1718.2.100.0.5",
                                     ".1.3.6.1.4.1.1718.2.1.4.1.4.66.51", "s", "Off"});
  }
};

TEST_F(V3EngineTest, AConfiguredEngineIdAnswersInforms) {
  constexpr const char* kEngine = "80001f88046e6574706f7765722d74657374";
  auto s = settings();
  s.engine_id = kEngine;
  start(nullptr, s, true);
  auto report = probe();
  ASSERT_TRUE(report);
  EXPECT_EQ(report->engine_id, kEngine);
  EXPECT_EQ(report->boots, 1);  // a new engine ID starts at 1
  auto r = inform(cli(SnmpCredentials::usm(kUser, kAuth, kPriv)));
  EXPECT_EQ(r.exit_code, 0) << r.describe();  // answered
  ASSERT_TRUE(wait_until([&] { return store_.size() == 1; }, 10s));
  EXPECT_EQ(receiver_->counters().informs_answered, 1u);
  EXPECT_EQ(receiver_->counters().unauthenticated, 0u);
}

TEST_F(V3EngineTest, TheEngineIdSurvivesARestartAndBootsGrow) {
  start();
  auto first = probe();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->engine_id.size(), 34u) << first->engine_id;  // 17 bytes, net-snmp's format
  EXPECT_EQ(first->engine_id.substr(0, 10), "80001f8880");
  EXPECT_EQ(first->boots, 1);
  SnmpCliOptions options;
  options.retries = 1;
  options.timeout = 1000ms;
  testing::TempDir tool_state("np-tool");
  options.persistent_dir = tool_state.path();  // the sender keeps what it learnt, as an NMS does
  const SnmpCli sender(target_, SnmpCredentials::usm(kUser, kAuth, kPriv), options);
  auto before = inform(sender);
  EXPECT_EQ(before.exit_code, 0) << before.describe();

  receiver_->stop();
  receiver_.reset();
  start();
  target_ = "udp:127.0.0.1:" + std::to_string(receiver_->port());
  auto second = probe();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->engine_id, first->engine_id);
  EXPECT_EQ(second->boots, 2);
  const SnmpCli again(target_, SnmpCredentials::usm(kUser, kAuth, kPriv), options);
  auto after = inform(again);
  EXPECT_EQ(after.exit_code, 0) << after.describe();
  ASSERT_TRUE(wait_until([&] { return store_.size() == 2; }, 10s));
  // snmpEngineTime counts seconds since the engine started: the Report carries it, not 0.
  EXPECT_TRUE(wait_until(
      [&] {
        auto r = probe();
        return r && r->time > 0 && r->boots == 2;
      },
      5000ms, 100ms));
}

TEST_F(V3EngineTest, AWrongPrivacyKeyIsUnauthenticatedNotMalformed) {
  start();
  auto r = inform(cli(SnmpCredentials::usm(kUser, kAuth, "wrong-priv-secret"), 0));
  EXPECT_NE(r.exit_code, 0) << r.describe();
  settle();
  auto c = receiver_->counters();
  EXPECT_EQ(c.unauthenticated, 1u);
  EXPECT_EQ(c.malformed, 0u);
  EXPECT_EQ(c.decoded, 0u);
  EXPECT_EQ(c.informs_answered, 0u);
  EXPECT_EQ(store_.size(), 0u);
}

// The manager's log as netpower-manager sets it up (main.cpp: the default logger on stderr), and
// everything written to file descriptor 2 while the object lives (spdlog's sink and net-snmp's
// default handler alike), into a file.
class StderrCapture {
 public:
  explicit StderrCapture(const std::filesystem::path& file)
      : file_(file), saved_(::dup(2)), previous_(spdlog::default_logger()) {
    std::fflush(stderr);
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ::dup2(fd, 2);
    ::close(fd);
    auto logger = std::make_shared<spdlog::logger>(
        "stderr-capture", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  ~StderrCapture() { restore(); }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;
  // Stops capturing; returns what was written.
  std::string restore() {
    if (saved_ >= 0) {
      spdlog::default_logger()->flush();
      spdlog::set_default_logger(previous_);
      std::fflush(stderr);
      ::dup2(saved_, 2);
      ::close(saved_);
      saved_ = -1;
    }
    std::ifstream in(file_);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

 private:
  std::filesystem::path file_;
  int saved_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(V3EngineTest, AFloodOfBadInformsLeavesABoundedLog) {
  start();
  auto report = probe();
  ASSERT_TRUE(report);
  // An inform for our engine, in its time window, authenticated with the right key and encrypted
  // with a wrong one: net-snmp logs a line for each such message it cannot parse.
  const auto& engine_id = report->id;
  auto credentials = snmp::make_usm_credentials(kUser, config::SecurityLevel::kAuthPriv,
                                                config::AuthProtocol::kSha, kAuth,
                                                config::PrivProtocol::kAes, "wrong-priv-secret");
  snmp::LocalizedKeyCache cache;
  auto keys = cache.keys(*credentials, engine_id);
  const std::vector<snmp::Varbind> varbinds = {
      snmp::unsigned_value(snmp::kSysUpTime0, snmp::ValueType::kTimeTicks, 100),
      snmp::oid_value(snmp::kSnmpTrapOid0, {1, 3, 6, 1, 2, 1, 33, 2, 1})};
  snmp::PduRequest pdu;
  pdu.type = snmp::kPduInform;
  pdu.request_id = 99;
  pdu.varbinds = varbinds;
  snmp::V3Request header;
  header.msg_id = 98;
  header.engine_id = engine_id;
  header.engine_boots = report->boots;
  header.engine_time = report->time;
  header.salt = 0x1234;
  const auto bad = snmp::encode_v3(*keys, header, pdu);
  ASSERT_FALSE(bad.empty());

  constexpr std::uint64_t kFlood = 3000;
  const auto before = receiver_->counters().received;
  const auto netsnmp_before = detail::netsnmp_messages_seen();
  StderrCapture capture(state_dir_.file("stderr.log"));
  {
    RawSender sender(receiver_->port());
    for (std::uint64_t i = 0; i < kFlood; ++i) sender.send(bad);
  }
  const bool arrived = wait_until(
      [&] {
        auto c = receiver_->counters();
        return c.received + c.kernel_dropped >= before + kFlood && c.received == c.accounted();
      },
      30s);
  const auto log = capture.restore();
  ASSERT_TRUE(arrived);
  auto c = receiver_->counters();
  EXPECT_GE(c.unauthenticated, kFlood - c.kernel_dropped);
  // net-snmp had a message for each one, and it went through our route.
  EXPECT_GE(detail::netsnmp_messages_seen() - netsnmp_before, kFlood - c.kernel_dropped);
  std::size_t lines = 0;
  for (char ch : log) lines += ch == '\n';
  // Ours: the first 20 problems, then one in 10,000; net-snmp's: the same rule, through us.
  EXPECT_LE(lines, 60u) << log.substr(0, 4000);
  EXPECT_GE(lines, 1u);  // the problems are logged, not silenced
  // Never net-snmp's own stderr handler: a bare line without our prefix.
  EXPECT_EQ(log.find("\nsecurity service 3"), std::string::npos) << log.substr(0, 4000);
  EXPECT_NE(log.rfind("security service 3", 0), 0u) << log.substr(0, 4000);
}

}  // namespace
}  // namespace netpower::manager::traps
