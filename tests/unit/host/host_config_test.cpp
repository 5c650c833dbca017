#include "host/host_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/config_error.h"

namespace netpower::host {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

const std::string kMinimal =
    "line: { kind: sim, socket: /run/netpower/wire.sock }\n"
    "manager:\n"
    "  address: udp:10.0.0.5:162\n"
    "  user: web-01\n"
    "  auth_passphrase: authpass123\n"
    "  priv_passphrase: privpass123\n";

TEST(HostConfig, DefaultsAroundTheRequiredParts) {
  auto c = parse_host_config(kMinimal);
  EXPECT_EQ(c.line.kind, LineConfig::Kind::kSim);
  EXPECT_EQ(c.line.socket, "/run/netpower/wire.sock");
  EXPECT_EQ(c.manager.address, "udp:10.0.0.5:162");
  EXPECT_EQ(c.manager.auth_protocol, "SHA");
  EXPECT_EQ(c.manager.priv_protocol, "AES");
  EXPECT_EQ(c.host_id_file, "/etc/machine-id");
  EXPECT_EQ(c.heartbeat, 30s);
  EXPECT_TRUE(c.shutdown_command.empty());
}

TEST(HostConfig, EverySetting) {
  auto c = parse_host_config(
      "host_id: rack7-db\nhostname: db\nheartbeat: 5s\nshutdown_command: /sbin/poweroff\n"
      "min_bit_time: 1ms\nmax_bit_time: 100ms\nlog_level: debug\n"
      "line: { kind: serial, device: /dev/ttyS1, tickle_signal: cts, shutdown_signal: ri }\n"
      "manager: { address: 'udp:[::1]:162', user: u, auth_protocol: SHA-256,\n"
      "  auth_passphrase: aaaaaaaa, priv_protocol: DES, priv_passphrase: bbbbbbbb,\n"
      "  timeout: 500ms, retries: 0, attempts: 3 }\n");
  EXPECT_EQ(c.host_id, "rack7-db");
  EXPECT_EQ(c.line.kind, LineConfig::Kind::kSerial);
  EXPECT_EQ(c.line.tickle_signal, "cts");
  EXPECT_EQ(c.line.shutdown_signal, "ri");
  EXPECT_EQ(c.manager.timeout, 500ms);
  EXPECT_EQ(c.manager.attempts, 3);
  EXPECT_EQ(c.min_bit_time, 1ms);
  auto g = parse_host_config(
      "line: { kind: gpio, chip: /dev/gpiochip0, tickle_offset: 17, shutdown_offset: 18,\n"
      "  debounce: 1ms, active_low: true }\n" +
      kMinimal.substr(kMinimal.find("manager")));
  EXPECT_EQ(g.line.kind, LineConfig::Kind::kGpio);
  EXPECT_EQ(g.line.tickle_offset, 17);
  EXPECT_EQ(g.line.shutdown_offset, 18);
  EXPECT_TRUE(g.line.active_low);
}

void expect_error(const std::string& text, int line, const std::string& words) {
  try {
    parse_host_config(text, "host.yaml");
    ADD_FAILURE() << "accepted: " << text;
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(e.file(), "host.yaml");
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_THAT(e.problem(), HasSubstr(words));
  }
}

TEST(HostConfig, ErrorsNameTheLine) {
  expect_error(kMinimal + "hearbeat: 5s\n", 7, "hearbeat");
  expect_error(kMinimal + "heartbeat: soon\n", 7, "duration");
  expect_error(kMinimal + "heartbeat: 0\n", 7, "at least");
  expect_error("line: { kind: sim }\n" + kMinimal.substr(kMinimal.find("manager")), 1, "socket");
  expect_error("line: { kind: fiber, socket: x }\n" + kMinimal.substr(kMinimal.find("manager")), 1,
               "kind");
  expect_error(kMinimal.substr(0, kMinimal.find("manager")), 1, "'manager' is required");
  expect_error(kMinimal + "log_level: loud\n", 7, "log_level");
  expect_error(
      "line: { kind: serial, device: /dev/ttyS0, tickle_signal: dcd, "
      "shutdown_signal: dcd }\n" +
          kMinimal.substr(kMinimal.find("manager")),
      1, "own input");
  expect_error(
      "line: { kind: gpio, chip: /dev/gpiochip0 }\n" + kMinimal.substr(kMinimal.find("manager")), 1,
      "tickle_offset");
  std::string short_pass = kMinimal;
  short_pass.replace(short_pass.find("authpass123"), 11, "short");
  expect_error(short_pass, 5, "at least 8");
  expect_error(kMinimal + "min_bit_time: 2s\n", 7, "bit times");
  expect_error("", 0, "empty");
}

}  // namespace
}  // namespace netpower::host
