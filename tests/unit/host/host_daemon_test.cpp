// The daemon in-process: edges fed by hand (as the line would deliver them), a fake informer.
#include "host/host_daemon.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/config_error.h"
#include "core/select_loop.h"
#include "core/tickle_code.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace netpower::host {
namespace {

using namespace std::chrono_literals;

class FakeInformer final : public Informer {
 public:
  void send(Notification n) override { sent.push_back(std::move(n)); }
  InformerStats stats() const override { return {}; }
  std::vector<Notification> of(Notification::Kind kind) const {
    std::vector<Notification> out;
    for (const auto& n : sent) {
      if (n.kind == kind) out.push_back(n);
    }
    return out;
  }
  std::vector<Notification> sent;
};

class HostDaemonTest : public ::testing::Test {
 protected:
  HostConfig make_config() const {
    HostConfig c;
    c.heartbeat = 10s;
    c.shutdown_command = "echo down >> " + dir.file("shutdown.txt").string();
    return c;
  }
  void feed_tickle(std::uint64_t nonce, core::Duration bit_time, core::TimePoint start) {
    for (const auto& e : core::tickle_edges(core::make_tickle_pattern(nonce, bit_time))) {
      daemon.on_line_event({core::WireLine::kTickle, start + e.offset, e.level});
    }
  }

  testing::TempDir dir{"np-hostd"};
  HostConfig config = make_config();
  core::ManualClock clock;
  core::SelectLoop loop{clock};
  FakeInformer informer;
  HostDaemon daemon{config, HostIdentity{"id-1", "web-01", "boot-1"}, loop, informer};
};

TEST_F(HostDaemonTest, SaysHelloThenBeatsOnItsPeriod) {
  daemon.start(nullptr);
  ASSERT_EQ(informer.sent.size(), 1u);
  EXPECT_EQ(informer.sent[0].kind, Notification::Kind::kHello);
  EXPECT_EQ(informer.sent[0].varbinds[2].octets, "boot-1");
  clock.advance(9s);
  loop.run_once(core::Duration(0));
  EXPECT_EQ(informer.of(Notification::Kind::kHeartbeat).size(), 0u);
  clock.advance(1s);
  loop.run_once(core::Duration(0));
  clock.advance(10s);
  loop.run_once(core::Duration(0));
  auto beats = informer.of(Notification::Kind::kHeartbeat);
  ASSERT_EQ(beats.size(), 2u);
  EXPECT_EQ(beats[0].varbinds[3].number, 1u);  // sequence numbers count every notification
  EXPECT_EQ(beats[1].varbinds[3].number, 2u);
}

TEST_F(HostDaemonTest, AnswersEveryDecodedNonce) {
  daemon.start(nullptr);
  feed_tickle(0xabcdef0011223344ULL, 10ms, clock.now());
  feed_tickle(0x5555, 2ms, clock.now() + 5s);
  auto answers = informer.of(Notification::Kind::kTickleAnswer);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].varbinds[0].octets, nonce_octets(0xabcdef0011223344ULL));
  EXPECT_EQ(answers[0].varbinds[1].octets, "id-1");
  EXPECT_EQ(answers[1].varbinds[0].octets, nonce_octets(0x5555));
  EXPECT_EQ(daemon.stats().answered, 2u);
}

TEST_F(HostDaemonTest, ABrokenFrameIsNotAnswered) {
  daemon.start(nullptr);
  auto edges = core::tickle_edges(core::make_tickle_pattern(77, 1ms));
  edges.erase(edges.begin() + 60);
  for (const auto& e : edges) {
    daemon.on_line_event({core::WireLine::kTickle, clock.now() + e.offset, e.level});
  }
  EXPECT_TRUE(informer.of(Notification::Kind::kTickleAnswer).empty());
  EXPECT_EQ(daemon.stats().broken_frames, 1u);
}

TEST_F(HostDaemonTest, TheShutdownSignalRunsTheCommandOnce) {
  daemon.start(nullptr);
  daemon.on_line_event({core::WireLine::kShutdown, clock.now(), false});
  EXPECT_FALSE(daemon.stats().shutdown_started);
  daemon.on_line_event({core::WireLine::kShutdown, clock.now(), true});
  daemon.on_line_event({core::WireLine::kShutdown, clock.now(), false});
  daemon.on_line_event({core::WireLine::kShutdown, clock.now(), true});
  EXPECT_TRUE(daemon.stats().shutdown_started);
  EXPECT_TRUE(netpower::testing::wait_until(
      [&]() { return netpower::testing::read_file(dir.file("shutdown.txt")) == "down\n"; },
      5000ms));
  for (int i = 0; i < 20; ++i) {
    clock.advance(100ms);
    loop.run_once(core::Duration(0));  // reaps the command
  }
  EXPECT_EQ(netpower::testing::read_file(dir.file("shutdown.txt")), "down\n");
}

TEST(HostIdentityTest, FromTheFilesUnlessConfigured) {
  netpower::testing::TempDir dir{"np-hostid"};
  std::ofstream(dir.file("machine-id")) << "0123abcd\n";
  std::ofstream(dir.file("boot_id")) << "b00t\n";
  HostConfig config;
  config.host_id_file = dir.file("machine-id").string();
  config.boot_id_file = dir.file("boot_id").string();
  config.hostname = "h";
  auto id = read_identity(config);
  EXPECT_EQ(id.host_id, "0123abcd");
  EXPECT_EQ(id.boot_id, "b00t");
  EXPECT_EQ(id.hostname, "h");
  config.host_id = "configured";
  EXPECT_EQ(read_identity(config).host_id, "configured");
  config.host_id.clear();
  config.host_id_file = dir.file("missing").string();
  EXPECT_THROW(read_identity(config), core::ConfigError);
}

}  // namespace
}  // namespace netpower::host
