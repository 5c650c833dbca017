// The NETPOWER-MIB tickle table end to end: a nonce written with snmpset through a real snmpd
// reaches the real netpower-agent, whose sim chain plays it on the port's wire (`wires:`); a Unix
// datagram socket bound here as the port's endpoint receives the edges and core::TickleDecoder
// decodes exactly that nonce. A second write while the port is sending is refused with
// inconsistentValue; two ports tickled in one request both decode; the row goes sending -> sent; a
// hardware failure is genErr.

#include <gtest/gtest.h>

#include <memory>

#include "tests/integration/agent_process.h"
#include "tests/support/snmpd_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"
#include "tests/support/wire_endpoint.h"

namespace netpower::testing {
namespace {

using namespace std::chrono_literals;

// netpowerTickleEntry = 1.3.6.1.4.1.32473.1.1.5.1; port "A1" = .65.49 (written out here,
// independently of the agent's headers).
std::string tickle(int column, const std::string& port) {
  return "1.3.6.1.4.1.32473.1.1.5.1." + std::to_string(column) + "." +
         std::to_string(static_cast<int>(port[0])) + "." +
         std::to_string(static_cast<int>(port[1]));
}
constexpr int kNonce = 2;
constexpr int kStatus = 3;
constexpr int kSentTime = 4;
constexpr int kBitTime = 5;
constexpr int kError = 6;
const std::string kSending = "2";
const std::string kSent = "3";

class AgentTickleTest : public ::testing::Test {
 protected:
  // An agent on a chain of `boards` whose ports A1 and B2 are wired to endpoints of this test.
  void start(const std::string& bit_time, int boards = 2) {
    snmpd_ = std::make_unique<SnmpdServer>();
    snmpd_->start();
    a1_ = std::make_unique<WireEndpoint>(dir_.file("a1.wire").string());
    b2_ = std::make_unique<WireEndpoint>(dir_.file("b2.wire").string());
    agent_ = std::make_unique<AgentProcess>(
        *snmpd_, AgentSetup{.boards = boards,
                            .sim_yaml = "    wires:\n      A1: " + a1_->path() +
                                        "\n      B2: " + b2_->path() + "\n",
                            .extra_yaml = "tickle:\n  bit_time: " + bit_time + "\n"});
    agent_->start();
    cli_ = std::make_unique<SnmpCli>(snmpd_->cli_v3());
  }
  void TearDown() override {
    if (HasFailure() && agent_) std::cerr << "agent log:\n" << agent_->log_text() << "\n";
  }
  std::string get(const std::string& oid) {
    auto r = cli_->get({oid});
    EXPECT_TRUE(r.ok()) << r.describe();
    return r.varbinds.empty() ? "" : r.varbinds[0].value;
  }
  // Waits until `endpoint` has decoded `count` nonces; returns them.
  std::vector<std::uint64_t> decoded(WireEndpoint& endpoint, std::size_t count = 1) {
    std::vector<std::uint64_t> nonces;
    wait_until(
        [&]() {
          endpoint.receive();
          nonces = decode_tickles(endpoint.received());
          return nonces.size() >= count;
        },
        10s, 2ms);
    return nonces;
  }
  bool becomes_sent(const std::string& port) {
    return wait_until([&]() { return get(tickle(kStatus, port)) == kSent; }, 10s);
  }

  TempDir dir_{"np-tw"};
  std::unique_ptr<SnmpdServer> snmpd_;
  std::unique_ptr<WireEndpoint> a1_;
  std::unique_ptr<WireEndpoint> b2_;
  std::unique_ptr<AgentProcess> agent_;
  std::unique_ptr<SnmpCli> cli_;
};

TEST_F(AgentTickleTest, ANonceWrittenWithSnmpsetIsDecodedFromThePortsWire) {
  start("500us");
  EXPECT_EQ(get(tickle(kStatus, "A1")), "1") << "idle";
  EXPECT_EQ(get(tickle(kNonce, "A1")), "");
  EXPECT_EQ(get(tickle(kSentTime, "A1")), "0");
  EXPECT_EQ(get(tickle(kBitTime, "A1")), "500") << "microseconds";

  auto r = cli_->set(tickle(kNonce, "A1"), 'x', "0123456789ABCDEF");
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(decoded(*a1_), std::vector<std::uint64_t>{0x0123456789abcdefULL});
  EXPECT_TRUE(becomes_sent("A1"));
  EXPECT_EQ(get(tickle(kNonce, "A1")), std::string("\x01\x23\x45\x67\x89\xab\xcd\xef", 8));
  EXPECT_NE(get(tickle(kSentTime, "A1")), "0");
  EXPECT_EQ(get(tickle(kError, "A1")), "");
  b2_->receive();
  EXPECT_TRUE(b2_->received().empty()) << "nothing on another port's wire";
}

TEST_F(AgentTickleTest, TwoPortsTickledInOneRequestBothDecode) {
  start("500us");
  auto r = cli_->set({{tickle(kNonce, "A1"), 'x', "A1A1A1A1A1A1A1A1"},
                      {tickle(kNonce, "B2"), 'x', "B2B2B2B2B2B2B2B2"}});
  ASSERT_TRUE(r.ok()) << r.describe();
  EXPECT_EQ(decoded(*a1_), std::vector<std::uint64_t>{0xa1a1a1a1a1a1a1a1ULL});
  EXPECT_EQ(decoded(*b2_), std::vector<std::uint64_t>{0xb2b2b2b2b2b2b2b2ULL});
  EXPECT_TRUE(becomes_sent("A1"));
  EXPECT_TRUE(becomes_sent("B2"));
  EXPECT_EQ(get(tickle(kStatus, "A2")), "1") << "untouched ports stay idle";

  // Once sent, the port takes the next nonce.
  ASSERT_TRUE(cli_->set(tickle(kNonce, "A1"), 'x', "0000000000000007").ok());
  EXPECT_EQ(decoded(*a1_, 2), (std::vector<std::uint64_t>{0xa1a1a1a1a1a1a1a1ULL, 7}));
}

// A longer bit time (a window of 505 ms) so that the second write surely comes while it sends.
TEST_F(AgentTickleTest, ASecondWriteWhileSendingIsRefusedAndAWrongLengthToo) {
  start("5ms");
  EXPECT_EQ(cli_->set(tickle(kNonce, "A1"), 'x', "01020304050607").error, "wrongLength");
  EXPECT_EQ(cli_->set(tickle(kNonce, "A1"), 's', "").error, "wrongLength");
  EXPECT_EQ(cli_->set(tickle(kNonce, "A1"), 'i', "1").error, "wrongType");
  EXPECT_EQ(cli_->set(tickle(kStatus, "A1"), 'i', "1").error, "notWritable");
  EXPECT_EQ(get(tickle(kStatus, "A1")), "1") << "nothing started";

  ASSERT_TRUE(cli_->set(tickle(kNonce, "A1"), 'x', "1111111111111111").ok());
  auto refused = cli_->set(tickle(kNonce, "A1"), 'x', "2222222222222222");
  EXPECT_EQ(refused.error, "inconsistentValue") << refused.describe();
  EXPECT_EQ(get(tickle(kStatus, "A1")), kSending);
  EXPECT_EQ(get(tickle(kNonce, "A1")), std::string(8, '\x11')) << "the refused nonce is not kept";
  EXPECT_TRUE(becomes_sent("A1"));
  EXPECT_EQ(decoded(*a1_), std::vector<std::uint64_t>{0x1111111111111111ULL})
      << "only the accepted nonce went on the wire";

  ASSERT_TRUE(cli_->set(tickle(kNonce, "A1"), 'x', "3333333333333333").ok());
  EXPECT_EQ(get(tickle(kStatus, "A1")), kSending);
  EXPECT_EQ(decoded(*a1_, 2),
            (std::vector<std::uint64_t>{0x1111111111111111ULL, 0x3333333333333333ULL}));

  // The hardware fails: genErr, and the row says why.
  agent_->sim().must("unplug");
  EXPECT_EQ(cli_->set(tickle(kNonce, "B2"), 'x', "4444444444444444").error, "genErr");
  EXPECT_EQ(get(tickle(kStatus, "B2")), "4") << "failed";
  EXPECT_NE(get(tickle(kError, "B2")).find("unplugged"), std::string::npos);
}

}  // namespace
}  // namespace netpower::testing
