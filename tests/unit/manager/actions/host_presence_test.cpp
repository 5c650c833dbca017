// HostPresence: what the manager heard from each host, up/down at the heartbeat timeout's edge, a
// reboot (new boot id after a hello) versus two machines claiming one id.

#include "manager/actions/host_presence.h"

#include <gtest/gtest.h>

#include "tests/unit/manager/actions/actions_fixture.h"

namespace netpower::manager::actions::testing {
namespace {

using namespace std::chrono_literals;

class PresenceTest : public ::testing::Test {
 protected:
  Observation hear(Note note, const std::string& boot, const std::string& user = "web1-user",
                   const std::string& id = "id-web1") {
    return presence_.observe(host_trap(note, id, boot, user, std::nullopt, ++seq_));
  }
  HostStatus web1() const { return *presence_.status("web1"); }

  Loaded loaded_ = load();
  core::ManualClock clock_;
  HostPresence presence_{loaded_.inventory, clock_};
  std::uint32_t seq_ = 0;
};

TEST_F(PresenceTest, AHelloMakesTheHostUpUntilItsHeartbeatTimeout) {
  EXPECT_FALSE(web1().up);
  auto o = hear(Note::kHello, "boot-1");
  EXPECT_EQ(o.kind, Observation::Kind::kHost);
  EXPECT_EQ(o.host, "web1");
  EXPECT_TRUE(o.verified);
  const auto st = web1();
  EXPECT_TRUE(st.up);
  EXPECT_EQ(st.boot_id, "boot-1");
  EXPECT_EQ(st.hostname, "id-web1.example");
  EXPECT_EQ(st.address, "192.0.2.10");
  EXPECT_EQ(st.sequence, 1u);
  EXPECT_TRUE(st.hello);
  clock_.advance(199ms);  // timeout: 2 x 100 ms
  EXPECT_TRUE(web1().up);
  clock_.advance(1ms);
  EXPECT_FALSE(web1().up);
}

TEST_F(PresenceTest, AHeartbeatKeepsItUp) {
  hear(Note::kHello, "boot-1");
  clock_.advance(150ms);
  hear(Note::kHeartbeat, "boot-1");
  clock_.advance(150ms);
  EXPECT_TRUE(web1().up);
  EXPECT_EQ(web1().sequence, 2u);
}

TEST_F(PresenceTest, ARebootIsANewBootIdAfterAHelloAndNoConflict) {
  hear(Note::kHello, "boot-1");
  clock_.advance(50ms);
  auto o = hear(Note::kHello, "boot-2");
  EXPECT_TRUE(o.new_boot);
  EXPECT_FALSE(o.conflict_began);
  EXPECT_EQ(web1().boot_id, "boot-2");
  EXPECT_FALSE(web1().conflict);
}

TEST_F(PresenceTest, TheOldBootHeardAgainAfterANewHelloIsAConflict) {
  hear(Note::kHello, "boot-1");
  clock_.advance(10ms);
  hear(Note::kHello, "boot-2");  // a second machine started with the same id
  clock_.advance(10ms);
  auto o = hear(Note::kHeartbeat, "boot-1");
  EXPECT_TRUE(o.conflict_began);
  EXPECT_TRUE(web1().conflict);
  EXPECT_EQ(web1().boot_id, "boot-2");
  // The conflict lasts while both are heard; it ends a heartbeat timeout after the other stops.
  clock_.advance(150ms);
  hear(Note::kHeartbeat, "boot-2");
  clock_.advance(49ms);
  EXPECT_TRUE(web1().conflict);
  clock_.advance(1ms);
  EXPECT_FALSE(web1().conflict);
}

TEST_F(PresenceTest, HeartbeatsOfTwoBootIdsWithoutHellosAreAConflict) {
  hear(Note::kHeartbeat, "boot-1");
  clock_.advance(10ms);
  auto o = hear(Note::kHeartbeat, "boot-2");
  EXPECT_TRUE(o.conflict_began);
  EXPECT_EQ(web1().boot_id, "boot-1");
}

TEST_F(PresenceTest, ANewBootIdAfterSilenceIsABootWhoseHelloWasLost) {
  hear(Note::kHeartbeat, "boot-1");
  clock_.advance(200ms);
  auto o = hear(Note::kHeartbeat, "boot-2");
  EXPECT_TRUE(o.new_boot);
  EXPECT_FALSE(web1().conflict);
  EXPECT_EQ(web1().boot_id, "boot-2");
}

TEST_F(PresenceTest, AnotherUsersNotificationChangesNothing) {
  hear(Note::kHello, "boot-1");
  auto o = hear(Note::kHello, "boot-evil", "db1-user");
  EXPECT_FALSE(o.verified);
  EXPECT_EQ(o.host, "web1");
  EXPECT_EQ(web1().boot_id, "boot-1");
  EXPECT_EQ(web1().unverified, 1u);
  EXPECT_FALSE(web1().conflict);
}

TEST_F(PresenceTest, AnUnknownIdIsReportedButTrackedForNoHost) {
  auto o = hear(Note::kHello, "boot-1", "other-user", "id-stranger");
  EXPECT_EQ(o.kind, Observation::Kind::kHost);
  EXPECT_EQ(o.host, "");
  EXPECT_EQ(o.notification.host_id, "id-stranger");
}

TEST_F(PresenceTest, AnAnswerCarriesItsNonce) {
  auto o = presence_.observe(
      host_trap(Note::kAnswer, "id-web1", "boot-1", "web1-user", 0x0102030405060708ULL));
  ASSERT_TRUE(o.notification.nonce);
  EXPECT_EQ(*o.notification.nonce, 0x0102030405060708ULL);
  EXPECT_EQ(o.notification.kind, HostNotification::Kind::kAnswer);
}

TEST_F(PresenceTest, MalformedHostNotificationsAreCounted) {
  auto t = host_trap(Note::kAnswer, "id-web1", "boot-1", "web1-user");  // no nonce
  EXPECT_EQ(presence_.observe(t).kind, Observation::Kind::kMalformed);
  auto u = host_trap(Note::kHello, "id-web1", "boot-1", "web1-user");
  u.varbinds[0].type = snmp::ValueType::kInteger;  // the id as a number
  EXPECT_EQ(presence_.observe(u).kind, Observation::Kind::kMalformed);
  auto v = host_trap(Note::kHello, std::string(65, 'x'), "boot-1", "web1-user");
  EXPECT_EQ(presence_.observe(v).kind, Observation::Kind::kMalformed);
  EXPECT_EQ(presence_.malformed(), 3u);
}

TEST_F(PresenceTest, OtherTrapsAreNotTheHosts) {
  traps::DecodedTrap t;
  t.trap_oid = "1.3.6.1.4.1.1718.2.100.0.5";
  t.source_address = "10.0.0.9";
  EXPECT_EQ(presence_.observe(t).kind, Observation::Kind::kNone);
  t.trap_oid = "1.3.6.1.6.3.1.1.5.4";  // the router's configured answer
  auto o = presence_.observe(t);
  EXPECT_EQ(o.kind, Observation::Kind::kTrapAnswer);
  EXPECT_EQ(o.host, "router");
  EXPECT_TRUE(presence_.status("router")->last_seen);
}

}  // namespace
}  // namespace netpower::manager::actions::testing
