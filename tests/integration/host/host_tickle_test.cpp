// The tickle end to end on the simulated wire: a sim chain in this process plays tickles onto its
// ports' wires; real netpower-host processes listen on them, decode the nonces and answer with
// SNMPv3 authPriv informs to a real snmptrapd, whose log the test reads.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "collectors/sim/sim_collector.h"
#include "collectors/sim/sim_control_protocol.h"
#include "core/select_loop.h"
#include "core/tickle_code.h"
#include "host/host_oids.h"
#include "host/notification.h"
#include "tests/integration/host/v3_trap_receiver.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace netpower {
namespace {

using namespace std::chrono_literals;
using testing::Inform;
using testing::V3User;

std::string dotted(const host::OidVector& oid) {
  std::string out;
  for (auto n : oid) out += "." + std::to_string(n);
  return out;
}

const std::string kHello = dotted(host::kHostHelloOid);
const std::string kAnswer = dotted(host::kTickleAnswerOid);
const std::string kNonce = dotted(host::kHostNonceOid);
const std::string kHostId = dotted(host::kHostIdOid);
const std::string kBootId = dotted(host::kHostBootIdOid);
constexpr auto kBitTime = 2ms;

std::string octets(const Inform& inform, const std::string& oid) {
  auto v = inform.value(oid);
  if (!v) return "";
  return testing::octets_of(*v).value_or("");
}

core::PortId port(const char* name) { return *core::PortId::parse(name); }

class HostTickleTest : public ::testing::Test {
 protected:
  HostTickleTest() {
    collector.play_wires(loop);
    start_host("a", "A1", users[0]);
    start_host("b", "A2", users[1]);
    for (const char* id : {"host-a", "host-b"}) {
      EXPECT_TRUE(testing::wait_until(
          [&]() {
            for (const auto& i : trapd.informs_of(kHello)) {
              if (octets(i, kHostId) == id) return true;
            }
            return false;
          },
          15s))
          << "no hello from " << id << "\n"
          << trapd.log_text();
    }
  }

  collectors::sim::SimSettings settings_of() const {
    collectors::sim::SimSettings s;
    s.boards = 1;
    s.wires[0] = dir.file("a.wire").string();
    s.wires[1] = dir.file("b.wire").string();
    return s;
  }

  void start_host(const std::string& name, const std::string& port_name, const V3User& user,
                  const std::string& auth_passphrase = "") {
    auto config = dir.file(name + ".yaml");
    std::ofstream(config) << "host_id: host-" << name << "\n"
                          << "hostname: " << name << ".example\n"
                          << "boot_id_file: " << dir.file(name + ".boot").string() << "\n"
                          << "line: { kind: sim, socket: " << dir.file(name + ".wire").string()
                          << " }\n"
                          << "min_bit_time: 1ms\n"
                          << "manager:\n"
                          << "  address: " << trapd.address() << "\n"
                          << "  user: " << user.name << "\n"
                          << "  auth_passphrase: "
                          << (auth_passphrase.empty() ? user.auth_passphrase : auth_passphrase)
                          << "\n"
                          << "  priv_passphrase: " << user.priv_passphrase << "\n"
                          << "  timeout: 300ms\n"
                          << "  retries: 1\n"
                          << "  attempts: 2\n"
                          << "heartbeat: 1m\n"
                          << "shutdown_command: echo " << port_name << " > "
                          << dir.file(name + ".down").string() << "\n";
    std::ofstream(dir.file(name + ".boot")) << "boot-" << name << "-1\n";
    hosts[name] = std::make_unique<testing::Process>(
        std::vector<std::string>{NETPOWER_HOST_BIN, "--config", config.string()},
        dir.file(name + ".log"));
  }

  // Runs the sim's loop until every scheduled change is on the wire.
  void play() {
    for (int i = 0; i < 20000 && collector.wire_player()->pending() > 0; ++i) {
      loop.run_once(std::chrono::milliseconds(1));
    }
  }

  std::string control(const std::string& line) {
    return collectors::sim::execute_control_command(collector.chain(), line);
  }

  // The answers that arrived for `nonce`, waiting up to `timeout` for at least one.
  std::vector<Inform> answers_for(std::uint64_t nonce, std::chrono::milliseconds timeout) {
    std::vector<Inform> out;
    testing::wait_until(
        [&]() {
          out.clear();
          for (auto& i : trapd.informs_of(kAnswer)) {
            if (octets(i, kNonce) == host::nonce_octets(nonce)) out.push_back(i);
          }
          return !out.empty();
        },
        timeout);
    return out;
  }

  std::string logs() {
    std::string out = trapd.log_text();
    for (auto& [name, p] : hosts) out += "\n--- host " + name + "\n" + p->log_text();
    return out;
  }

  testing::TempDir dir{"np-htick"};
  std::vector<V3User> users{{"host-a-user", "auth-secret-a", "priv-secret-a"},
                            {"host-b-user", "auth-secret-b", "priv-secret-b"},
                            {"host-c-user", "auth-secret-c", "priv-secret-c"}};
  testing::V3TrapReceiver trapd{users};
  core::SteadyClock clock;
  core::SelectLoop loop{clock};
  collectors::sim::SimCollector collector{settings_of(), clock};
  std::map<std::string, testing::ProcessPtr> hosts;
};

TEST_F(HostTickleTest, TheHostOnThePortAnswersWithItsIdentity) {
  const std::uint64_t nonce = 0x9e3779b97f4a7c15ULL;
  ASSERT_TRUE(collector.tickle(port("A1"), core::encode_tickle(nonce, kBitTime)).ok());
  play();
  auto answers = answers_for(nonce, 10s);
  ASSERT_EQ(answers.size(), 1u) << logs();
  EXPECT_EQ(octets(answers[0], kHostId), "host-a");
  EXPECT_EQ(octets(answers[0], kBootId), "boot-a-1");
  EXPECT_EQ(octets(answers[0], dotted(host::kHostNameOid)), "a.example");
}

TEST_F(HostTickleTest, TicklesOnTwoPortsAtOnceAreAnsweredByTheirHosts) {
  const std::uint64_t na = 0xa1a1a1a1a1a1a1a1ULL;
  const std::uint64_t nb = 0xb2b2b2b2b2b2b2b2ULL;
  collector.tickle(port("A1"), core::encode_tickle(na, kBitTime));
  collector.tickle(port("A2"), core::encode_tickle(nb, kBitTime));
  play();
  auto a = answers_for(na, 10s);
  auto b = answers_for(nb, 10s);
  ASSERT_EQ(a.size(), 1u) << logs();
  ASSERT_EQ(b.size(), 1u) << logs();
  EXPECT_EQ(octets(a[0], kHostId), "host-a");
  EXPECT_EQ(octets(b[0], kHostId), "host-b");
}

TEST_F(HostTickleTest, ASwappedCableMakesTheOtherHostAnswer) {
  ASSERT_EQ(control("swap A1 A2"), "ok");
  const std::uint64_t nonce = 0xc0ffee00c0ffee00ULL;
  ASSERT_EQ(control("tickle A1 c0ffee00c0ffee00 2ms"), "ok");
  play();
  auto answers = answers_for(nonce, 10s);
  ASSERT_EQ(answers.size(), 1u) << logs();
  EXPECT_EQ(octets(answers[0], kHostId), "host-b");
}

TEST_F(HostTickleTest, ACutWireGivesNoAnswer) {
  ASSERT_EQ(control("cut A1"), "ok");
  const std::uint64_t nonce = 0xdeadbeefdeadbeefULL;
  collector.tickle(port("A1"), core::encode_tickle(nonce, kBitTime));
  play();
  EXPECT_TRUE(answers_for(nonce, 2s).empty()) << logs();
  EXPECT_GT(collector.wire_player()->dropped(), 0u);
}

TEST_F(HostTickleTest, NoiseNeverProducesAFalseNonce) {
  ASSERT_EQ(control("noise A1 25"), "ok");
  std::set<std::string> sent;
  for (std::uint64_t i = 0; i < 10; ++i) {
    std::uint64_t nonce = 0xf00d000000000000ULL | (i * 0x0101010101ULL);
    sent.insert(host::nonce_octets(nonce));
    collector.tickle(port("A1"), core::encode_tickle(nonce, kBitTime));
    play();
  }
  ASSERT_EQ(control("noise A1 0"), "ok");
  const std::uint64_t clean = 0x1234567890abcdefULL;
  collector.tickle(port("A1"), core::encode_tickle(clean, kBitTime));
  play();
  ASSERT_EQ(answers_for(clean, 10s).size(), 1u) << logs();  // everything before has arrived
  for (const auto& i : trapd.informs_of(kAnswer)) {
    auto n = octets(i, kNonce);
    EXPECT_TRUE(n == host::nonce_octets(clean) || sent.count(n) == 1) << "false nonce\n" << logs();
  }
}

TEST_F(HostTickleTest, TheShutdownSignalRunsTheHostsCommand) {
  ASSERT_TRUE(collector.set_shutdown_signal(port("A2"), true).ok());
  play();
  EXPECT_TRUE(
      testing::wait_until([&]() { return testing::read_file(dir.file("b.down")) == "A2\n"; }, 10s))
      << logs();
  EXPECT_EQ(testing::read_file(dir.file("a.down")), "");
}

TEST_F(HostTickleTest, AHostWithAWrongKeyIsNotHeard) {
  start_host("c", "A3", users[2], "not-the-auth-secret");
  collector.chain().set_cable_endpoint(port("A3"), dir.file("c.wire").string());
  testing::wait_until(
      [&]() {
        return testing::read_file(dir.file("c.log")).find("listening") != std::string::npos;
      },
      5s);
  const std::uint64_t nonce = 0x0c0c0c0c0c0c0c0cULL;
  collector.tickle(port("A3"), core::encode_tickle(nonce, kBitTime));
  play();
  EXPECT_TRUE(answers_for(nonce, 3s).empty()) << logs();
  for (const auto& i : trapd.informs()) EXPECT_NE(octets(i, kHostId), "host-c");
}

}  // namespace
}  // namespace netpower
