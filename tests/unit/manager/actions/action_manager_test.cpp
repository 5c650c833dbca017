// The ActionService's refusals and bookkeeping, without agents: who may act, unknown targets, one
// action per outlet, ids unique across restarts, every request audited and published, stop ends
// what is in flight, the hosts' view from their notifications.

#include "manager/actions/action_manager.h"

#include <gtest/gtest.h>

#include "tests/support/manager/memory_action_journal.h"
#include "tests/unit/manager/actions/actions_fixture.h"

namespace netpower::manager::actions::testing {
namespace {

using model::ActionKind;
using model::ActionResult;
using model::Principal;
using model::Role;

class Events : public model::EventSink {
 public:
  void publish(std::vector<model::Event> events) override {
    std::lock_guard lock(mutex_);
    for (auto& e : events) events_.push_back(std::move(e));
  }
  std::vector<model::Event> all() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  std::mutex mutex_;
  std::vector<model::Event> events_;
};

class ActionManagerTest : public ::testing::Test {
 protected:
  std::unique_ptr<ActionManager> make(bool with_hold = true) {
    ActionManagerOptions o;
    o.config = &loaded_.config;
    o.traps = &loaded_.traps;
    o.journal = &journal_;
    o.events = &events_;
    o.clock = &clock_;  // manual: no timer fires; the agents at 16101/16102 never answer
    if (!with_hold) o.hold = [] { return std::shared_ptr<void>(); };
    auto m = std::make_unique<ActionManager>(std::move(o));
    m->start();
    return m;
  }
  static ActionSpec spec(ActionKind kind, TargetSpec target, bool force = false) {
    ActionSpec s;
    s.kind = kind;
    s.target = std::move(target);
    s.force = force;
    s.reason = "testing";
    return s;
  }

  Loaded loaded_ = load();
  manager::testing::MemoryActionJournal journal_;
  Events events_;
  core::ManualClock clock_;
  Principal alice_{"alice", Role::kOperator};
};

TEST_F(ActionManagerTest, AViewerCannotActAndTheRefusalIsAudited) {
  auto m = make();
  auto s = m->submit(spec(ActionKind::kOff, {.host = "web1"}), {"victor", Role::kViewer});
  ASSERT_EQ(s.actions.size(), 1u);
  EXPECT_EQ(s.actions[0].result, ActionResult::kRefused);
  EXPECT_EQ(s.actions[0].failure, "not-permitted");
  auto stored = journal_.action(s.actions[0].id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->principal, "victor");
  EXPECT_EQ(stored->reason, "testing");
  EXPECT_EQ(stored->target, "host web1");
  const auto events = events_.all();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, model::EventKind::kAction);
  EXPECT_NE(events[0].text.find("refused, not-permitted"), std::string::npos) << events[0].text;
  EXPECT_NE(events[0].varbinds_json.find("\"failure\":\"not-permitted\""), std::string::npos);
}

TEST_F(ActionManagerTest, ForceNeedsAnAdmin) {
  auto m = make();
  auto s = m->submit(spec(ActionKind::kOff, {.host = "dumb"}, true), alice_);
  EXPECT_EQ(s.actions[0].failure, "not-permitted");
  s = m->submit(spec(ActionKind::kOff, {.host = "dumb"}, true), {"root", Role::kAdmin});
  EXPECT_EQ(s.actions[0].result, ActionResult::kPending);
  EXPECT_TRUE(s.actions[0].force);
}

TEST_F(ActionManagerTest, AnUnknownTargetIsOneRefusedAction) {
  auto m = make();
  auto s = m->submit(spec(ActionKind::kReboot, {.host = "nobody"}), alice_);
  ASSERT_EQ(s.actions.size(), 1u);
  EXPECT_EQ(s.actions[0].failure, "unknown-target");
  EXPECT_EQ(s.actions[0].failure_text, "no host named 'nobody' in the inventory");
  EXPECT_EQ(s.request_id, s.actions[0].id);
}

TEST_F(ActionManagerTest, OneActionPerOutletAndDualCordedHostsHoldBoth) {
  auto m = make();
  auto first = m->submit(spec(ActionKind::kOff, {.host = "db1"}), alice_);
  ASSERT_EQ(first.actions[0].result, ActionResult::kPending);
  ASSERT_EQ(first.actions[0].outlets.size(), 2u);
  auto second = m->submit(spec(ActionKind::kTickle, {.agent = "pdu2", .port = "B1"}), alice_);
  ASSERT_EQ(second.actions.size(), 1u);
  EXPECT_EQ(second.actions[0].failure, "outlet-busy");
  EXPECT_NE(second.actions[0].failure_text.find(std::to_string(first.actions[0].id)),
            std::string::npos);
  // Another outlet is free.
  auto third = m->submit(spec(ActionKind::kTickle, {.host = "web1"}), alice_);
  EXPECT_EQ(third.actions[0].result, ActionResult::kPending);
  // The refused one did not free the busy outlets.
  auto fourth = m->submit(spec(ActionKind::kTickle, {.agent = "pdu1", .port = "A2"}), alice_);
  EXPECT_EQ(fourth.actions[0].failure, "outlet-busy");
}

TEST_F(ActionManagerTest, AGroupRequestIsOneRequestOfSeveralActions) {
  auto m = make();
  auto s = m->submit(spec(ActionKind::kTickle, {.agent = "pdu1"}), alice_);
  ASSERT_EQ(s.actions.size(), 4u);  // web1, db1 (both outlets), router, dumb
  for (const auto& a : s.actions) EXPECT_EQ(a.request_id, s.request_id);
  EXPECT_EQ(s.actions[1].host, "db1");
  EXPECT_EQ(s.actions[1].steps.at(0).name, "resolve");
  EXPECT_NE(s.actions[1].steps.at(0).detail.find("dual-corded"), std::string::npos);
}

TEST_F(ActionManagerTest, IdsStayUniqueAcrossRestarts) {
  std::uint64_t last = 0;
  {
    auto m = make();
    last = m->submit(spec(ActionKind::kTickle, {.host = "web1"}), alice_).actions[0].id;
  }
  auto m = make();
  const auto next = m->submit(spec(ActionKind::kTickle, {.host = "web1"}), alice_).actions[0].id;
  EXPECT_GT(next, last);
}

TEST_F(ActionManagerTest, StopEndsWhatIsInFlightAndRecordsIt) {
  auto m = make();
  auto s = m->submit(spec(ActionKind::kReboot, {.host = "web1"}), alice_);
  ASSERT_EQ(s.actions[0].result, ActionResult::kPending);
  m->stop();
  auto stored = journal_.action(s.actions[0].id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->result, ActionResult::kRefused);
  EXPECT_EQ(stored->failure, "stopping");
  auto after = m->submit(spec(ActionKind::kTickle, {.host = "web1"}), alice_);
  EXPECT_EQ(after.actions[0].failure, "stopping");
}

TEST_F(ActionManagerTest, AClosedGateRefusesWithStopping) {
  auto m = make(false);
  auto s = m->submit(spec(ActionKind::kTickle, {.host = "web1"}), alice_);
  EXPECT_EQ(s.actions[0].failure, "stopping");
}

TEST_F(ActionManagerTest, HostsShowWhatTheirNotificationsSaid) {
  auto m = make();
  m->on_trap(host_trap(Note::kHello, "id-web1", "boot-7", "web1-user"));
  auto hosts = m->hosts();
  ASSERT_EQ(hosts.size(), 4u);
  EXPECT_EQ(hosts[0].name, "web1");
  EXPECT_TRUE(hosts[0].up);
  EXPECT_EQ(hosts[0].boot_id, "boot-7");
  EXPECT_EQ(hosts[0].user, "web1-user");
  EXPECT_FALSE(hosts[3].answers);  // dumb
  EXPECT_EQ(hosts[2].user, "");    // the router answers with a trap
  clock_.advance(std::chrono::milliseconds(10));
  m->on_trap(host_trap(Note::kHeartbeat, "id-web1", "boot-8", "web1-user"));
  EXPECT_TRUE(m->hosts()[0].conflict);
  bool conflict_event = false;
  for (const auto& e : events_.all()) {
    conflict_event = conflict_event || e.text.find("host-conflict") != std::string::npos;
  }
  EXPECT_TRUE(conflict_event);
}

TEST_F(ActionManagerTest, BindingsShowTheInventoryBeforeAnyTickle) {
  auto m = make();
  auto views = m->bindings();
  ASSERT_EQ(views.size(), 5u);  // web1, db1 x2, router, dumb
  EXPECT_EQ(views[0].outlet.text(), "pdu1.A1");
  EXPECT_EQ(views[0].verdict, "unknown");
}

TEST_F(ActionManagerTest, DiscoveryOfAnAgentNotYetPolledIsRefusedAndAudited) {
  // Before its first poll only the inventory's outlets on pdu1 are known: a discovery of those
  // alone would miss exactly the hosts it looks for. (Discoveries of polled chains: the actions
  // integration tests.)
  auto m = make();
  auto s = m->discover({.agent = "pdu1"}, alice_);
  ASSERT_EQ(s.actions.size(), 1u);
  EXPECT_EQ(s.actions[0].result, ActionResult::kRefused);
  EXPECT_EQ(s.actions[0].failure, "unknown-target");
  EXPECT_NE(s.actions[0].failure_text.find("not been polled"), std::string::npos);
  auto viewer = m->discover({}, {"victor", Role::kViewer});
  EXPECT_EQ(viewer.actions[0].failure, "not-permitted");
}

}  // namespace
}  // namespace netpower::manager::actions::testing
