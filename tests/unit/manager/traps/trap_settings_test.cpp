// The `traps:` configuration section: defaults, every key, errors with their line.

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/config_error.h"
#include "manager/traps/trap_settings.h"

namespace netpower::manager::traps {
namespace {

TEST(TrapSettings, DefaultsWhenAbsent) {
  auto s = parse_trap_settings("log: {level: info}\n", "m.yaml");
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.listen_address, "0.0.0.0");
  EXPECT_EQ(s.port, 162);
  EXPECT_TRUE(s.communities.empty());
  EXPECT_EQ(s.receive_buffer_bytes, 32ull << 20);
  EXPECT_EQ(s.engine_file, "/var/lib/netpower/snmp-engine");
}

TEST(TrapSettings, EveryKey) {
  ::setenv("NP_TRAP_TEST_PRIV", "priv-secret-1", 1);
  auto s = parse_trap_settings(R"(traps:
  listen: 127.0.0.1
  port: 10162
  communities:
    - community: np-trap
    - community_env: NP_TRAP_TEST_PRIV
  users:
    - user: np-trap
      auth_protocol: SHA-256
      auth_key: auth-secret-1
      priv_protocol: AES-256
      priv_key_env: NP_TRAP_TEST_PRIV
    - user: np-auth-only
      security_level: authNoPriv
      auth_key: auth-secret-2
  engine_id: 80001f880401020304
  engine_file: /srv/np/engine
  receive_buffer: 8MiB
  decoder_threads: 4
  queue_packets: 1024
  max_packet_bytes: 1500
)",
                               "m.yaml");
  EXPECT_EQ(s.listen_address, "127.0.0.1");
  EXPECT_EQ(s.port, 10162);
  ASSERT_EQ(s.communities.size(), 2u);
  EXPECT_EQ(s.communities[1].reveal(), "priv-secret-1");
  ASSERT_EQ(s.users.size(), 2u);
  EXPECT_EQ(s.users[0].usm.auth_protocol, config::AuthProtocol::kSha256);
  EXPECT_EQ(s.users[0].usm.priv_protocol, config::PrivProtocol::kAes256);
  EXPECT_EQ(s.users[0].line, 8);
  EXPECT_EQ(s.users[1].usm.level, config::SecurityLevel::kAuthNoPriv);
  EXPECT_TRUE(s.users[1].usm.priv_key.empty());
  EXPECT_EQ(s.engine_id, "80001f880401020304");
  EXPECT_EQ(s.engine_file, "/srv/np/engine");
  EXPECT_EQ(s.receive_buffer_bytes, 8u << 20);
  EXPECT_EQ(s.decoder_threads, 4u);
  EXPECT_EQ(s.max_packet_bytes, 1500u);
}

TEST(TrapSettings, ErrorsNameTheLine) {
  auto line_of = [](const std::string& text) {
    try {
      parse_trap_settings(text, "m.yaml");
    } catch (const core::ConfigError& e) {
      EXPECT_EQ(e.file(), "m.yaml");
      return e.line();
    }
    ADD_FAILURE() << "accepted: " << text;
    return -1;
  };
  EXPECT_EQ(line_of("traps:\n  prot: 162\n"), 2);
  EXPECT_EQ(line_of("traps:\n  listen: localhost\n"), 2);
  EXPECT_EQ(line_of("traps:\n  port: 70000\n"), 2);
  EXPECT_EQ(line_of("traps:\n  communities:\n    - community: public\n"), 3);
  EXPECT_EQ(line_of("traps:\n  communities:\n    - community: a\n      community_env: B\n"), 4);
  EXPECT_EQ(line_of("traps:\n  users:\n    - user: u\n      auth_key: short\n      "
                    "priv_key: long-enough\n"),
            3);
  EXPECT_EQ(line_of("traps:\n  users:\n    - user: u\n      auth_key: long-enough\n"), 3);
  EXPECT_EQ(line_of("traps:\n  engine_id: xyz\n"), 2);
  EXPECT_EQ(line_of("traps:\n  engine_file: ''\n"), 2);
  EXPECT_EQ(line_of("traps:\n  receive_buffer: 1KiB\n"), 2);
}

}  // namespace
}  // namespace netpower::manager::traps
