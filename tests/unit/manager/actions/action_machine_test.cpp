// The action state machine on a manual clock: each step's outcome and each timeout at its edge
// (one millisecond before is in time, the timeout itself is too late).

#include "tests/unit/manager/actions/machine_fixture.h"

namespace netpower::manager::actions::testing {
namespace {

TEST_F(MachineTest, ATickleAnsweredByTheRightHostSucceedsAndSwitchesNothing) {
  auto cmds = make(ActionKind::kTickle, "web1").start();
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0].kind, Kind::kTickle);
  EXPECT_EQ(cmds[0].nonce, m().nonces()[0]);
  EXPECT_TRUE(ack(cmds).empty());
  advance(30ms);
  EXPECT_TRUE(answer(0, "id-web1", "boot-1", "web1-user").empty());
  ASSERT_TRUE(m().done()) << steps_text();
  EXPECT_EQ(m().record().result, ActionResult::kSucceeded);
  ASSERT_NE(step("answer pdu1.A1"), nullptr);
  EXPECT_EQ(step("answer pdu1.A1")->outcome, StepOutcome::kOk);
  EXPECT_NE(step("answer pdu1.A1")->detail.find("in 30 ms"), std::string::npos);
  EXPECT_EQ(step("identity")->outcome, StepOutcome::kOk);
  EXPECT_EQ(step("switch pdu1.A1"), nullptr);
}

TEST_F(MachineTest, AnAnswerOneMillisecondBeforeTheTimeoutIsAccepted) {
  ack(make(ActionKind::kTickle, "web1").start());
  advance(99ms);
  ASSERT_EQ(m().wake(), clock_.now() + 1ms);
  answer(0, "id-web1", "boot-1", "web1-user");
  EXPECT_EQ(m().record().result, ActionResult::kSucceeded) << steps_text();
}

TEST_F(MachineTest, AnAnswerAtTheTimeoutIsRefusedAndNotedAsLate) {
  ack(make(ActionKind::kTickle, "web1").start());
  advance(100ms);
  answer(0, "id-web1", "boot-1", "web1-user");
  ASSERT_TRUE(m().done());
  EXPECT_EQ(m().record().result, ActionResult::kRefused);
  EXPECT_EQ(m().record().failure, "no-answer");
  EXPECT_NE(step("answer pdu1.A1")->detail.find("late answer from web1"), std::string::npos)
      << steps_text();
}

TEST_F(MachineTest, NoAnswerIsRefusedWhenTheTimerFires) {
  ack(make(ActionKind::kOff, "web1").start());
  advance(100ms);
  EXPECT_TRUE(m().on_time().empty());
  EXPECT_EQ(m().record().failure, "no-answer");
  EXPECT_EQ(m().record().result, ActionResult::kRefused);
  // A late answer afterwards changes the record's notes, not its result.
  const auto before = m().version();
  advance(1s);
  EXPECT_TRUE(answer(0, "id-web1", "boot-1", "web1-user").empty());
  EXPECT_GT(m().version(), before);
  EXPECT_EQ(m().record().result, ActionResult::kRefused);
}

TEST_F(MachineTest, AnAnswerBeforeTheTickleIsAcknowledgedCounts) {
  auto cmds = make(ActionKind::kTickle, "web1").start();
  advance(5ms);
  EXPECT_TRUE(answer(0, "id-web1", "boot-1", "web1-user").empty());
  EXPECT_FALSE(m().done());
  ack(cmds);
  EXPECT_EQ(m().record().result, ActionResult::kSucceeded) << steps_text();
}

TEST_F(MachineTest, AnotherHostsAnswerIsRefusedAsWrongHostBeforeAnySwitch) {
  auto cmds = ack(make(ActionKind::kOff, "web1").start());
  cmds = answer(0, "id-db1", "boot-9", "db1-user");
  EXPECT_TRUE(only(cmds, Kind::kSwitch).empty());
  EXPECT_EQ(m().record().failure, "wrong-host");
  EXPECT_NE(m().record().failure_text.find("db1"), std::string::npos);
}

TEST_F(MachineTest, TheRightIdFromAnotherUserIsAnUnverifiedSender) {
  ack(make(ActionKind::kOff, "web1").start());
  auto cmds = answer(0, "id-web1", "boot-1", "other-user");
  EXPECT_TRUE(cmds.empty());
  EXPECT_EQ(m().record().failure, "unverified-sender");
}

TEST_F(MachineTest, TwoBootsClaimingTheHostsIdAreAConflict) {
  observe(Note::kHeartbeat, "id-web1", "boot-1", "web1-user");
  advance(10ms);
  observe(Note::kHeartbeat, "id-web1", "boot-2", "web1-user");
  ack(make(ActionKind::kOff, "web1").start());
  auto cmds = answer(0, "id-web1", "boot-1", "web1-user");
  EXPECT_TRUE(cmds.empty());
  EXPECT_EQ(m().record().failure, "host-conflict");
}

TEST_F(MachineTest, ATickleTheAgentRefusesIsTickleRefused) {
  auto cmds = make(ActionKind::kOff, "web1").start();
  m().on_set(cmds[0], SetResult{SetResult::Kind::kRefused, "inconsistentValue"});
  EXPECT_EQ(m().record().failure, "tickle-refused");
  EXPECT_EQ(m().record().result, ActionResult::kRefused);
}

TEST_F(MachineTest, ATickleSetUnansweredForTheSwitchTimeoutIsRefused) {
  make(ActionKind::kOff, "web1").start();
  advance(49ms);
  m().on_time();
  EXPECT_FALSE(m().done());
  advance(1ms);
  m().on_time();
  EXPECT_EQ(m().record().failure, "tickle-refused");
}

// Off: tickle, answer, identity, switch, verify-off, heartbeat-stopped.
class OffTest : public MachineTest {
 protected:
  // Runs an off of web1 up to the verified relay: returns when heartbeat-stopped began.
  void switch_off() {
    observe(Note::kHello, "id-web1", "boot-1", "web1-user");
    ack(make(ActionKind::kOff, "web1").start());
    advance(10ms);
    auto cmds = answer(0, "id-web1", "boot-1", "web1-user");
    ASSERT_EQ(only(cmds, Kind::kSwitch).size(), 1u) << steps_text();
    EXPECT_FALSE(cmds[0].on);
    cmds = ack(cmds);
    ASSERT_EQ(only(cmds, Kind::kRead).size(), 1u);
    advance(5ms);
    EXPECT_TRUE(read(0, "Off", 0.0).empty());
    ASSERT_NE(step("heartbeat-stopped"), nullptr) << steps_text();
  }
};

TEST_F(OffTest, SucceedsOnceTheHostIsSilentForItsHeartbeatTimeout) {
  switch_off();
  // Last heard at the answer (5 ms ago); the host's timeout is 200 ms.
  advance(194ms);
  m().on_time();
  EXPECT_FALSE(m().done());
  advance(1ms);
  m().on_time();
  EXPECT_EQ(m().record().result, ActionResult::kSucceeded) << steps_text();
  EXPECT_EQ(step("verify-off pdu1.A1")->outcome, StepOutcome::kOk);
  EXPECT_EQ(step("heartbeat-stopped")->outcome, StepOutcome::kOk);
}

TEST_F(OffTest, AHeartbeatInFlightWithinTheAnswerTimeoutIsAccepted) {
  switch_off();
  advance(99ms);
  notify(Note::kHeartbeat, "id-web1", "boot-1", "web1-user");
  EXPECT_FALSE(m().done());
  advance(199ms);
  m().on_time();
  EXPECT_FALSE(m().done());  // silent since the late heartbeat: 199 ms of 200
  advance(1ms);
  m().on_time();
  EXPECT_EQ(m().record().result, ActionResult::kSucceeded) << steps_text();
}

TEST_F(OffTest, AHeartbeatAfterTheAnswerTimeoutIsHeartbeatContinues) {
  switch_off();
  advance(100ms);
  notify(Note::kHeartbeat, "id-web1", "boot-1", "web1-user");
  EXPECT_EQ(m().record().result, ActionResult::kFailed);
  EXPECT_EQ(m().record().failure, "heartbeat-continues");
}

TEST_F(OffTest, AHeartbeatFromAnotherUserIsNotTheHost) {
  switch_off();
  advance(150ms);
  notify(Note::kHeartbeat, "id-web1", "boot-1", "other-user");
  EXPECT_FALSE(m().done());
}

TEST_F(MachineTest, TheRelayStillOnAtTheVerifyTimeoutIsVerifyStatus) {
  ack(make(ActionKind::kOff, "web1").start());
  auto cmds = ack(answer(0, "id-web1", "boot-1", "web1-user"));
  ASSERT_EQ(only(cmds, Kind::kRead).size(), 1u);
  read(0, "On", 2.5);
  for (int i = 0; i < 9; ++i) {
    advance(20ms);
    cmds = m().on_time();
    ASSERT_EQ(only(cmds, Kind::kRead).size(), 1u) << i;
    read(0, "Pend Off", 2.5);
  }
  advance(19ms);  // 199 ms after the switch
  m().on_time();
  EXPECT_FALSE(m().done());
  advance(1ms);
  m().on_time();
  EXPECT_EQ(m().record().failure, "verify-status");
  EXPECT_EQ(m().record().result, ActionResult::kFailed);
}

TEST_F(MachineTest, TheRelayOffButLoadStillFlowingIsVerifyLoad) {
  ack(make(ActionKind::kOff, "web1").start());
  ack(answer(0, "id-web1", "boot-1", "web1-user"));
  read(0, "Off", 2.4);  // a welded contact
  advance(200ms);
  m().on_time();
  EXPECT_EQ(m().record().failure, "verify-load");
}

TEST_F(MachineTest, AReadBackOneMillisecondBeforeTheVerifyTimeoutIsInTime) {
  ack(make(ActionKind::kOff, "web1").start());
  ack(answer(0, "id-web1", "boot-1", "web1-user"));
  read(0, "On", 2.5);
  advance(199ms);
  auto cmds = m().on_time();
  ASSERT_EQ(only(cmds, Kind::kRead).size(), 1u);
  read(0, "Off", std::nullopt);  // no load sensor: the relay alone
  EXPECT_EQ(step("verify-off pdu1.A1")->outcome, StepOutcome::kOk) << steps_text();
}

TEST_F(MachineTest, ASwitchTheAgentRefusesIsSwitchRefused) {
  ack(make(ActionKind::kOff, "web1").start());
  auto cmds = answer(0, "id-web1", "boot-1", "web1-user");
  m().on_set(cmds[0], SetResult{SetResult::Kind::kRefused, "wrongValue"});
  EXPECT_EQ(m().record().failure, "switch-refused");
  EXPECT_EQ(m().record().result, ActionResult::kFailed);
}

TEST_F(MachineTest, ASwitchUnacknowledgedForTheSwitchTimeoutIsSwitchTimeout) {
  ack(make(ActionKind::kOff, "web1").start());
  answer(0, "id-web1", "boot-1", "web1-user");
  advance(49ms);
  m().on_time();
  EXPECT_FALSE(m().done());
  advance(1ms);
  m().on_time();
  EXPECT_EQ(m().record().failure, "switch-timeout");
}

TEST_F(MachineTest, ADryRunTicklesAndChecksButSwitchesNothing) {
  ack(make(ActionKind::kReboot, "web1", {.dry_run = true}).start());
  auto cmds = answer(0, "id-web1", "boot-1", "web1-user");
  EXPECT_TRUE(cmds.empty());
  EXPECT_EQ(m().record().result, ActionResult::kSucceeded);
  ASSERT_NE(step("switch"), nullptr);
  EXPECT_EQ(step("switch")->outcome, StepOutcome::kSkipped);
}

TEST_F(MachineTest, AnOutletWithoutAHostIsRefusedUnlessForced) {
  EXPECT_TRUE(make(ActionKind::kOff, "").start().empty());
  EXPECT_EQ(m().record().failure, "no-host");
  auto cmds = make(ActionKind::kOff, "", {.force = true}).start();
  ASSERT_EQ(only(cmds, Kind::kSwitch).size(), 1u);
  EXPECT_EQ(step("tickle")->outcome, StepOutcome::kSkipped);
  EXPECT_NE(step("tickle")->detail.find("forced by alice"), std::string::npos);
  ack(cmds);
  read(0, "Off", 0.0);
  EXPECT_EQ(m().record().result, ActionResult::kSucceeded) << steps_text();
}

TEST_F(MachineTest, AHostThatCannotAnswerNeedsForce) {
  make(ActionKind::kReboot, "dumb").start();
  EXPECT_EQ(m().record().failure, "not-permitted");
  make(ActionKind::kTickle, "dumb", {.force = true}).start();
  EXPECT_EQ(m().record().failure, "not-permitted");
}

TEST_F(MachineTest, ForceGoesPastAMissingAnswerButNeverPastAWrongOne) {
  ack(make(ActionKind::kOff, "web1", {.force = true}).start());
  advance(100ms);
  auto cmds = m().on_time();
  ASSERT_EQ(only(cmds, Kind::kSwitch).size(), 1u) << steps_text();
  EXPECT_EQ(step("identity")->outcome, StepOutcome::kSkipped);

  ack(make(ActionKind::kOff, "web1", {.force = true}).start());
  cmds = answer(0, "id-db1", "boot-9", "db1-user");
  EXPECT_TRUE(cmds.empty());
  EXPECT_EQ(m().record().failure, "wrong-host");
}

// Reboot: off, verified, off-time, on, verified, hello with a new boot id.
class RebootTest : public MachineTest {
 protected:
  // Up to the verified power-on; returns the clock time of the on-switch.
  core::TimePoint power_cycle() {
    observe(Note::kHello, "id-web1", "boot-1", "web1-user");
    ack(make(ActionKind::kReboot, "web1").start());
    auto cmds = ack(answer(0, "id-web1", "boot-1", "web1-user"));
    EXPECT_TRUE(read(0, "Off", 0.0).empty());
    EXPECT_EQ(step("off-time")->outcome, StepOutcome::kRunning);
    advance(299ms);
    EXPECT_TRUE(m().on_time().empty());  // not before the off time
    advance(1ms);
    cmds = m().on_time();
    EXPECT_EQ(only(cmds, Kind::kSwitch).size(), 1u) << steps_text();
    EXPECT_TRUE(cmds.at(0).on);
    const auto on_at = clock_.now();
    cmds = ack(cmds);
    EXPECT_EQ(only(cmds, Kind::kRead).size(), 1u);
    read(0, "On", 2.5);
    EXPECT_NE(step("hello"), nullptr) << steps_text();
    return on_at;
  }
};

TEST_F(RebootTest, AHelloWithANewBootIdSucceeds) {
  power_cycle();
  advance(400ms);
  notify(Note::kHello, "id-web1", "boot-2", "web1-user");
  EXPECT_EQ(m().record().result, ActionResult::kSucceeded) << steps_text();
  EXPECT_NE(step("hello")->detail.find("boot-2"), std::string::npos);
}

TEST_F(RebootTest, AHelloBeforeTheLoadIsReadBackCountsToo) {
  observe(Note::kHello, "id-web1", "boot-1", "web1-user");
  ack(make(ActionKind::kReboot, "web1").start());
  ack(answer(0, "id-web1", "boot-1", "web1-user"));
  read(0, "Off", 0.0);
  advance(300ms);
  ack(m().on_time());
  notify(Note::kHello, "id-web1", "boot-2", "web1-user");
  read(0, "On", 2.5);
  EXPECT_EQ(m().record().result, ActionResult::kSucceeded) << steps_text();
}

TEST_F(RebootTest, TheOldBootIdAfterPowerOnIsSameBootId) {
  power_cycle();
  advance(50ms);
  notify(Note::kHeartbeat, "id-web1", "boot-1", "web1-user");
  EXPECT_EQ(m().record().failure, "same-boot-id");
  EXPECT_EQ(m().record().result, ActionResult::kFailed);
}

TEST_F(RebootTest, NoHelloWithinTheBootTimeoutIsNoHello) {
  power_cycle();
  advance(999ms);
  m().on_time();
  EXPECT_FALSE(m().done());
  advance(1ms);
  m().on_time();
  EXPECT_EQ(m().record().failure, "no-hello");
}

TEST_F(RebootTest, AHelloOneMillisecondBeforeTheBootTimeoutIsInTime) {
  power_cycle();
  advance(999ms);
  notify(Note::kHello, "id-web1", "boot-2", "web1-user");
  EXPECT_EQ(m().record().result, ActionResult::kSucceeded);
}

TEST_F(MachineTest, ADualCordedHostIsTickledOnOneOutletAfterTheOtherAndSwitchedTogether) {
  // One tickle at a time: the host may hear both outlets on one signal line.
  auto cmds = make(ActionKind::kOff, "db1").start();
  ASSERT_EQ(only(cmds, Kind::kTickle).size(), 1u);
  EXPECT_EQ(cmds[0].outlet, 0u);
  const auto first_nonce = cmds[0].nonce;
  ack(cmds);
  cmds = answer(0, "id-db1", "boot-1", "db1-user");
  ASSERT_EQ(only(cmds, Kind::kTickle).size(), 1u) << steps_text();  // now the second outlet
  EXPECT_EQ(cmds[0].outlet, 1u);
  EXPECT_NE(cmds[0].nonce, first_nonce);
  ack(cmds);
  cmds = answer(1, "id-db1", "boot-1", "db1-user");
  EXPECT_EQ(only(cmds, Kind::kSwitch).size(), 2u) << steps_text();
}

TEST_F(MachineTest, ADualCordedHostWithOneOutletSilentIsRefused) {
  ack(make(ActionKind::kReboot, "db1").start());
  ack(answer(0, "id-db1", "boot-1", "db1-user"));  // the second outlet's tickle, acknowledged
  advance(99ms);
  EXPECT_TRUE(m().on_time().empty());
  EXPECT_FALSE(m().done());
  advance(1ms);
  EXPECT_TRUE(m().on_time().empty());
  EXPECT_EQ(m().record().failure, "no-answer");
  EXPECT_NE(m().record().failure_text.find("pdu2.B1"), std::string::npos);
}

TEST_F(MachineTest, OnOfAnOffHostSkipsTheTickleAndWaitsForItsHello) {
  observe(Note::kHello, "id-web1", "boot-1", "web1-user");
  auto cmds = make(ActionKind::kOn, "web1").start();
  ASSERT_EQ(only(cmds, Kind::kRead).size(), 1u);
  cmds = read(0, "Off", 0.0);
  ASSERT_EQ(only(cmds, Kind::kSwitch).size(), 1u) << steps_text();
  EXPECT_TRUE(cmds[0].on);
  EXPECT_EQ(step("tickle")->outcome, StepOutcome::kSkipped);
  ack(cmds);
  read(0, "On", 1.0);
  advance(100ms);
  notify(Note::kHello, "id-web1", "boot-2", "web1-user");
  EXPECT_EQ(m().record().result, ActionResult::kSucceeded) << steps_text();
}

TEST_F(MachineTest, OnOfAHostAlreadyOnIsVerifiedByTickleAndNeedsNoHello) {
  auto cmds = make(ActionKind::kOn, "web1").start();
  cmds = read(0, "On", 1.0);
  ASSERT_EQ(only(cmds, Kind::kTickle).size(), 1u);
  ack(cmds);
  cmds = ack(answer(0, "id-web1", "boot-1", "web1-user"));
  read(0, "On", 1.0);
  EXPECT_EQ(m().record().result, ActionResult::kSucceeded) << steps_text();
  EXPECT_EQ(step("hello"), nullptr);
}

TEST_F(MachineTest, AnUnreadableStatusBeforeOnIsRefused) {
  make(ActionKind::kOn, "web1").start();
  ReadResult r;
  r.error = "timeout";
  m().on_read(0, r);
  EXPECT_EQ(m().record().failure, "status-unknown");
  EXPECT_EQ(m().record().result, ActionResult::kRefused);
}

TEST_F(MachineTest, ATrapAnsweringApplianceIsAnsweredByItsTrap) {
  ack(make(ActionKind::kOff, "router").start());
  traps::DecodedTrap trap;
  trap.source_address = "10.0.0.9";
  trap.trap_oid = "1.3.6.1.6.3.1.1.5.4";
  advance(20ms);
  auto cmds = m().on_host(presence_.observe(trap));
  EXPECT_EQ(only(cmds, Kind::kSwitch).size(), 1u) << steps_text();
}

TEST_F(MachineTest, TheSameTrapFromAnotherAddressIsNoAnswer) {
  ack(make(ActionKind::kOff, "router").start());
  traps::DecodedTrap trap;
  trap.source_address = "10.0.0.10";
  trap.trap_oid = "1.3.6.1.6.3.1.1.5.4";
  EXPECT_TRUE(m().on_host(presence_.observe(trap)).empty());
  advance(100ms);
  m().on_time();
  EXPECT_EQ(m().record().failure, "no-answer");
}

TEST_F(MachineTest, AbortBeforeTheSwitchRefusesAndAfterItFails) {
  make(ActionKind::kOff, "web1").start();
  m().abort("the manager is stopping");
  EXPECT_EQ(m().record().result, ActionResult::kRefused);
  EXPECT_EQ(m().record().failure, "stopping");
  for (const auto& s : m().record().steps) EXPECT_NE(s.outcome, StepOutcome::kRunning);

  ack(make(ActionKind::kOff, "web1").start());
  answer(0, "id-web1", "boot-1", "web1-user");
  m().abort("the manager is stopping");
  EXPECT_EQ(m().record().result, ActionResult::kFailed);
}

TEST_F(MachineTest, StepTimesFollowTheClock) {
  ack(make(ActionKind::kTickle, "web1").start());
  advance(40ms);
  answer(0, "id-web1", "boot-1", "web1-user");
  const auto& r = m().record();
  ASSERT_TRUE(r.finished);
  EXPECT_EQ(*r.finished - r.requested, std::chrono::milliseconds(40));
  EXPECT_EQ(*step("answer pdu1.A1")->ended - step("answer pdu1.A1")->started, 40ms);
}

}  // namespace
}  // namespace netpower::manager::actions::testing
