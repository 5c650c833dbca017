#include "host/notification.h"

#include <gtest/gtest.h>

namespace netpower::host {
namespace {

const HostIdentity kIdentity{"3f2a0c9e1b", "web-01", "8b1c2d3e-0000-4000-8000-000000000001"};

OidVector oid(std::initializer_list<std::uint32_t> o) { return o; }

TEST(Notification, TheOidsAreUnderNetpowerMib) {
  EXPECT_EQ(kHostHelloOid, oid({1, 3, 6, 1, 4, 1, 32473, 1, 0, 20}));
  EXPECT_EQ(kHostHeartbeatOid, oid({1, 3, 6, 1, 4, 1, 32473, 1, 0, 21}));
  EXPECT_EQ(kTickleAnswerOid, oid({1, 3, 6, 1, 4, 1, 32473, 1, 0, 22}));
  EXPECT_EQ(kHostNonceOid, oid({1, 3, 6, 1, 4, 1, 32473, 1, 1, 20, 1, 0}));
  EXPECT_EQ(kHostSequenceOid, oid({1, 3, 6, 1, 4, 1, 32473, 1, 1, 20, 5, 0}));
}

TEST(Notification, TheAnswerCarriesTheNonceThenTheIdentity) {
  auto n = make_tickle_answer(kIdentity, 0x0123456789abcdefULL, 7);
  EXPECT_EQ(n.kind, Notification::Kind::kTickleAnswer);
  EXPECT_EQ(n.trap_oid, kTickleAnswerOid);
  ASSERT_EQ(n.varbinds.size(), 5u);
  EXPECT_EQ(n.varbinds[0].oid, kHostNonceOid);
  EXPECT_EQ(n.varbinds[0].octets, std::string("\x01\x23\x45\x67\x89\xab\xcd\xef", 8));
  EXPECT_EQ(n.varbinds[1].oid, kHostIdOid);
  EXPECT_EQ(n.varbinds[1].octets, "3f2a0c9e1b");
  EXPECT_EQ(n.varbinds[2].oid, kHostNameOid);
  EXPECT_EQ(n.varbinds[2].octets, "web-01");
  EXPECT_EQ(n.varbinds[3].oid, kHostBootIdOid);
  EXPECT_EQ(n.varbinds[3].octets, kIdentity.boot_id);
  EXPECT_EQ(n.varbinds[4].oid, kHostSequenceOid);
  EXPECT_EQ(n.varbinds[4].type, NotificationVarbind::Type::kUnsigned32);
  EXPECT_EQ(n.varbinds[4].number, 7u);
}

TEST(Notification, HelloAndHeartbeatCarryTheIdentity) {
  auto hello = make_hello(kIdentity, 0);
  EXPECT_EQ(hello.trap_oid, kHostHelloOid);
  ASSERT_EQ(hello.varbinds.size(), 4u);
  EXPECT_EQ(hello.varbinds[0].oid, kHostIdOid);
  EXPECT_EQ(hello.varbinds[2].octets, kIdentity.boot_id);
  auto beat = make_heartbeat(kIdentity, 9);
  EXPECT_EQ(beat.trap_oid, kHostHeartbeatOid);
  EXPECT_EQ(beat.varbinds[3].number, 9u);
}

TEST(Notification, NonceText) {
  EXPECT_EQ(nonce_hex(0x0123456789abcdefULL), "0123456789abcdef");
  EXPECT_EQ(nonce_hex(1), "0000000000000001");
  EXPECT_EQ(nonce_octets(0).size(), 8u);
}

}  // namespace
}  // namespace netpower::host
