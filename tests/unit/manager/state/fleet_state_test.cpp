#include "manager/state/fleet_state.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/unit/manager/state/poll_builder.h"

namespace netpower::manager::state {
namespace {

using namespace netpower::manager::testing;  // NOLINT: test helpers

config::AgentSettings agent_settings(std::string name, std::string address) {
  config::AgentSettings a;
  a.name = std::move(name);
  a.address = std::move(address);
  a.labels = {{"site", "par1"}, {"rack", "r12"}};
  return a;
}

std::vector<config::AgentSettings> two_agents() {
  return {agent_settings("pdu1", "10.0.0.1"), agent_settings("pdu2", "10.0.0.2")};
}

const PortState* port(const AgentState& a, std::string_view id) {
  for (const auto& p : a.ports) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const BoardState* board(const AgentState& a, std::string_view id) {
  for (const auto& b : a.boards) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

std::vector<Varbind> standard_walk() {
  return sentry2_walk(
      "rack 12",
      {{"A", "page A", "v4.0c", "27.0 Deg C", "10.00A"}, {"B", "page B", "v4.1", "N/A", "N/A"}},
      {{"A1", "web1", "On", "Normal", "2.50A", "web", 1},
       {"A2", "web2", "Off", "Normal", "Not On", "web", 2},
       {"A3", "db1", "On", "OnS Fail", "N/A", "", 0},
       {"B1", "router", "Pend Off", "No Rspns", "0.00A", "net", 2}});
}

// upsBattery, the input and output tables with two lines each, the alarm table.
std::vector<Varbind> ups_walk() {
  return {
      str(ups_oid({1, 5, 0}), "ups-a"),
      integer(ups_oid({2, 1, 0}), 2),          // batteryNormal
      integer(ups_oid({2, 2, 0}), 0),          // seconds on battery
      integer(ups_oid({2, 3, 0}), 12),         // minutes remaining
      integer(ups_oid({2, 4, 0}), 95),         // percent
      integer(ups_oid({2, 5, 0}), 545),        // 0.1 V
      integer(ups_oid({2, 6, 0}), -12),        // 0.1 A (discharging)
      integer(ups_oid({2, 7, 0}), 31),         // Celsius
      gauge(ups_oid({3, 1, 0}), 3),            // upsInputLineBads
      integer(ups_oid({3, 2, 0}), 2),          // upsInputNumLines
      integer(ups_oid({3, 3, 1, 2, 1}), 500),  // 0.1 Hz, line 1
      integer(ups_oid({3, 3, 1, 2, 2}), 600),  // line 2: ignored
      integer(ups_oid({3, 3, 1, 3, 1}), 230),
      integer(ups_oid({3, 3, 1, 3, 2}), 120),
      integer(ups_oid({3, 3, 1, 4, 1}), 43),  // 0.1 A
      integer(ups_oid({3, 3, 1, 4, 2}), 99),
      integer(ups_oid({3, 3, 1, 5, 1}), 950),  // W
      integer(ups_oid({4, 1, 0}), 3),          // normal
      integer(ups_oid({4, 2, 0}), 499),        // 0.1 Hz
      integer(ups_oid({4, 3, 0}), 1),
      integer(ups_oid({4, 4, 1, 2, 1}), 229),
      integer(ups_oid({4, 4, 1, 3, 1}), 41),  // 0.1 A
      integer(ups_oid({4, 4, 1, 4, 1}), 900),
      integer(ups_oid({4, 4, 1, 5, 1}), 37),  // percent
      gauge(ups_oid({6, 1, 0}), 2),
      oid_value(ups_oid({6, 2, 1, 2, 1}), "1.3.6.1.2.1.33.1.6.3.2"),
      oid_value(ups_oid({6, 2, 1, 2, 7}), "1.3.6.1.2.1.33.1.6.3.8"),
      integer(ups_oid({6, 2, 1, 3, 1}), 1234),  // upsAlarmTime
  };
}

TEST(FleetState, ConfiguredAgentsInOrder) {
  FleetState fleet(two_agents());
  auto agents = fleet.agents();
  ASSERT_EQ(agents.size(), 2u);
  EXPECT_EQ(agents[0].name, "pdu1");
  EXPECT_EQ(agents[0].address, "10.0.0.1");
  EXPECT_EQ(agents[0].labels.at("site"), "par1");
  EXPECT_EQ(agents[0].reachability, Reachability::kUnknown);
  EXPECT_EQ(agents[1].name, "pdu2");
  EXPECT_FALSE(fleet.agent("nope"));
  EXPECT_STREQ(to_string(Reachability::kUnknown), "unknown");
  EXPECT_STREQ(to_string(Reachability::kUp), "up");
  EXPECT_STREQ(to_string(Reachability::kDown), "down");
}

TEST(FleetState, Sentry2PollEveryValueForm) {
  FleetState fleet(two_agents());
  const auto before = fleet.version();
  fleet.apply_poll(poll_result("pdu1", standard_walk()));
  EXPECT_GT(fleet.version(), before);
  auto a = *fleet.agent("pdu1");

  EXPECT_EQ(a.reachability, Reachability::kUp);
  EXPECT_EQ(a.polls_total, 1u);
  EXPECT_EQ(a.poll_failures_total, 0u);
  EXPECT_DOUBLE_EQ(a.poll_duration_seconds, 0.0125);
  EXPECT_EQ(a.varbinds_last_poll, standard_walk().size());
  ASSERT_TRUE(a.last_poll);
  EXPECT_EQ(a.last_poll->time_since_epoch(), std::chrono::seconds(1'700'000'000));
  EXPECT_EQ(a.location, "rack 12");

  ASSERT_EQ(a.boards.size(), 2u);
  EXPECT_EQ(a.boards[0].id, "A");
  EXPECT_EQ(a.boards[0].page_name, "page A");
  EXPECT_EQ(a.boards[0].code_version, "v4.0c");
  EXPECT_EQ(a.boards[0].temperature_c, 27.0);
  EXPECT_EQ(a.boards[0].input_load_amps, 10.0);
  EXPECT_EQ(a.boards[1].id, "B");
  EXPECT_FALSE(a.boards[1].temperature_c);  // "N/A": no probe
  EXPECT_FALSE(a.boards[1].input_load_amps);

  ASSERT_EQ(a.ports.size(), 4u);
  EXPECT_EQ(a.ports[0].id, "A1");
  EXPECT_EQ(a.ports[1].id, "A2");
  EXPECT_EQ(a.ports[2].id, "A3");
  EXPECT_EQ(a.ports[3].id, "B1");
  const auto& a1 = a.ports[0];
  EXPECT_EQ(a1.name, "web1");
  EXPECT_EQ(a1.control, "On");
  EXPECT_EQ(a1.module, "Normal");
  EXPECT_EQ(a1.load_text, "2.50A");
  EXPECT_EQ(a1.load_amps, 2.5);
  EXPECT_EQ(a1.updated.time_since_epoch(), std::chrono::seconds(1'700'000'000));
  EXPECT_EQ(port(a, "A2")->load_text, "Not On");
  EXPECT_EQ(port(a, "A2")->load_amps, 0.0);  // "Not On": off, draws nothing
  EXPECT_EQ(port(a, "A3")->load_text, "N/A");
  EXPECT_FALSE(port(a, "A3")->load_amps);  // no sensor
  EXPECT_EQ(port(a, "A3")->module, "OnS Fail");
  EXPECT_EQ(port(a, "B1")->load_amps, 0.0);  // "0.00A"
  EXPECT_EQ(port(a, "B1")->control, "Pend Off");
  EXPECT_EQ(port(a, "B1")->module, "No Rspns");

  EXPECT_FALSE(a.ups);  // no UPS-MIB in this walk
  // The other agent is untouched.
  EXPECT_EQ(fleet.agent("pdu2")->polls_total, 0u);
}

TEST(FleetState, Sentry2NumbersOfOtherForms) {
  FleetState fleet(two_agents());
  fleet.apply_poll(poll_result(
      "pdu1", sentry2_walk("", {{"A", "", "", "-3.2 Deg C", "0.50A"}, {"B", "", "", "junk", "5"}},
                           {{"A1", "x", "On", "Normal", "12.0A"},
                            {"A2", "y", "On", "Normal", "27.0 Deg C"},  // wrong unit for a load
                            {"A3", "z", "On", "Normal", "A"}})));
  auto a = *fleet.agent("pdu1");
  EXPECT_EQ(board(a, "A")->temperature_c, -3.2);
  EXPECT_EQ(board(a, "A")->input_load_amps, 0.5);
  EXPECT_FALSE(board(a, "B")->temperature_c);
  EXPECT_FALSE(board(a, "B")->input_load_amps);
  EXPECT_EQ(port(a, "A1")->load_amps, 12.0);
  EXPECT_FALSE(port(a, "A2")->load_amps);
  EXPECT_EQ(port(a, "A2")->load_text, "27.0 Deg C");
  EXPECT_FALSE(port(a, "A3")->load_amps);
}

TEST(FleetState, NetpowerGroupAndLock) {
  FleetState fleet(two_agents());
  auto walk = standard_walk();
  walk.push_back(integer(np_port_oid(8, "A3"), 3));  // not a TruthValue
  fleet.apply_poll(poll_result("pdu1", walk));
  auto a = *fleet.agent("pdu1");
  EXPECT_EQ(port(a, "A1")->group, "web");
  EXPECT_EQ(port(a, "A1")->locked, true);
  EXPECT_EQ(port(a, "A2")->locked, false);
  EXPECT_EQ(port(a, "A3")->group, "");
  EXPECT_FALSE(port(a, "A3")->locked);
  EXPECT_EQ(port(a, "B1")->group, "net");
}

TEST(FleetState, WrongTypesAndExceptionsAreIgnored) {
  FleetState fleet(two_agents());
  fleet.apply_poll(
      poll_result("pdu1", {integer(port_oid(4, "A1"), 1),  // control as a number
                           exception(port_oid(6, "A1"), ValueType::kNoSuchInstance),  // no load
                           str(cat(port_oid(4, "A1"), {0}), "On"),  // index too long
                           str(port_oid(4, "A2"), "Off"), exception(ups_oid({2, 4, 0})),
                           str(np_port_oid(8, "A2"), "true")}));
  auto a = *fleet.agent("pdu1");
  ASSERT_EQ(a.ports.size(), 1u);
  EXPECT_EQ(a.ports[0].id, "A2");
  EXPECT_EQ(a.ports[0].control, "Off");
  EXPECT_FALSE(a.ports[0].locked);
  EXPECT_FALSE(a.ups);  // noSuchObject only: no UPS-MIB
}

TEST(FleetState, UpsMibInBaseUnits) {
  FleetState fleet(two_agents());
  fleet.apply_poll(poll_result("pdu1", ups_walk()));
  auto a = *fleet.agent("pdu1");
  ASSERT_TRUE(a.ups);
  const auto& u = *a.ups;
  EXPECT_EQ(u.name, "ups-a");
  auto v = [&](const char* key) {
    auto it = u.values.find(key);
    EXPECT_NE(it, u.values.end()) << key;
    return it == u.values.end() ? -1e9 : it->second;
  };
  EXPECT_DOUBLE_EQ(v("battery.status"), 2);
  EXPECT_DOUBLE_EQ(v("ups.seconds_on_battery"), 0);
  EXPECT_DOUBLE_EQ(v("battery.runtime"), 720);  // 12 minutes
  EXPECT_DOUBLE_EQ(v("battery.charge"), 95);
  EXPECT_DOUBLE_EQ(v("battery.voltage"), 54.5);  // 545 × 0.1 V
  EXPECT_DOUBLE_EQ(v("battery.current"), -1.2);
  EXPECT_DOUBLE_EQ(v("battery.temperature"), 31);
  EXPECT_DOUBLE_EQ(v("input.frequency"), 50.0);  // first line only
  EXPECT_DOUBLE_EQ(v("input.voltage"), 230);
  EXPECT_DOUBLE_EQ(v("input.current"), 4.3);
  EXPECT_DOUBLE_EQ(v("input.realpower"), 950);
  EXPECT_DOUBLE_EQ(v("output.source"), 3);
  EXPECT_DOUBLE_EQ(v("output.frequency"), 49.9);
  EXPECT_DOUBLE_EQ(v("output.voltage"), 229);
  EXPECT_DOUBLE_EQ(v("output.current"), 4.1);
  EXPECT_DOUBLE_EQ(v("output.realpower"), 900);
  EXPECT_DOUBLE_EQ(v("ups.load"), 37);
  EXPECT_EQ(u.alarms,
            (std::vector<std::string>{"1.3.6.1.2.1.33.1.6.3.2", "1.3.6.1.2.1.33.1.6.3.8"}));
  EXPECT_TRUE(a.ports.empty());
}

TEST(FleetState, APollReplacesRowsThatVanished) {
  FleetState fleet(two_agents());
  auto walk = standard_walk();
  auto ups = ups_walk();
  walk.insert(walk.end(), ups.begin(), ups.end());
  fleet.apply_poll(poll_result("pdu1", walk));
  ASSERT_EQ(fleet.agent("pdu1")->ports.size(), 4u);
  ASSERT_TRUE(fleet.agent("pdu1")->ups);

  // Board B was removed from the chain, A3 renamed, the UPS unplugged.
  fleet.apply_poll(poll_result(
      "pdu1",
      sentry2_walk("rack 12b", {{"A", "page A"}}, {{"A1", "web1"}, {"A2", "web2"}, {"A3", "db2"}}),
      2, model::WallTime(std::chrono::seconds(1'700'000'030))));
  auto a = *fleet.agent("pdu1");
  EXPECT_EQ(a.location, "rack 12b");
  ASSERT_EQ(a.boards.size(), 1u);
  EXPECT_EQ(a.boards[0].id, "A");
  ASSERT_EQ(a.ports.size(), 3u);
  EXPECT_FALSE(port(a, "B1"));
  EXPECT_EQ(port(a, "A3")->name, "db2");
  EXPECT_EQ(port(a, "A3")->load_amps, 1.0);
  EXPECT_FALSE(a.ups);
  EXPECT_EQ(a.polls_total, 2u);
}

TEST(FleetState, AFailedPollKeepsTheLastValues) {
  FleetState fleet(two_agents());
  fleet.apply_poll(poll_result("pdu1", standard_walk()));
  auto failed = poll_result("pdu1", {str(cat(kSentry2Chain, {1, 0}), "partial")}, 2,
                            model::WallTime(std::chrono::seconds(1'700'000'030)));
  failed.error = poller::PollError::kTimeout;
  failed.error_text = "timeout: no response from 10.0.0.1:161 to 2 request(s), 2000 ms each";
  fleet.apply_poll(failed);
  auto a = *fleet.agent("pdu1");
  EXPECT_EQ(a.reachability, Reachability::kDown);
  ASSERT_TRUE(a.reachability_since);
  EXPECT_EQ(*a.reachability_since, model::WallTime(std::chrono::seconds(1'700'000'030)) +
                                       std::chrono::microseconds(12'500));
  EXPECT_EQ(a.last_error, failed.error_text);
  EXPECT_EQ(a.polls_total, 2u);
  EXPECT_EQ(a.poll_failures_total, 1u);
  EXPECT_EQ(a.location, "rack 12");  // not the partial walk's
  EXPECT_EQ(a.ports.size(), 4u);

  failed.error_text.clear();
  failed.error = poller::PollError::kWrongAuthKey;
  fleet.apply_poll(failed);
  EXPECT_EQ(fleet.agent("pdu1")->last_error, "wrong auth key");

  fleet.apply_poll(poll_result("pdu1", standard_walk(), 4));
  a = *fleet.agent("pdu1");
  EXPECT_EQ(a.reachability, Reachability::kUp);
  EXPECT_EQ(a.last_error, "");
  // Failures by reason (netpower_agent_poll_failures_by_reason_total); a good poll counts none.
  auto reason = [&](poller::PollError e) {
    return a.poll_failures_by_reason[static_cast<std::size_t>(e)];
  };
  EXPECT_EQ(reason(poller::PollError::kTimeout), 1u);
  EXPECT_EQ(reason(poller::PollError::kWrongAuthKey), 1u);
  EXPECT_EQ(reason(poller::PollError::kNone), 0u);
  EXPECT_EQ(reason(poller::PollError::kTooManyBytes), 0u);
}

TEST(FleetState, RowsTheMibCannotHaveAreCountedNotKept) {
  FleetState fleet(two_agents());
  auto walk = standard_walk();
  walk.push_back(str(port_oid(4, "A5"), "On"));    // a fifth port
  walk.push_back(str(port_oid(4, "[1"), "On"));    // a 27th board
  walk.push_back(str(board_oid(2, "a"), "page"));  // not a board id
  fleet.apply_poll(poll_result("pdu1", walk));
  auto a = *fleet.agent("pdu1");
  EXPECT_EQ(a.ports.size(), 4u);
  EXPECT_EQ(a.rejected_varbinds_total, 3u);
  fleet.apply_poll(poll_result("pdu1", walk, 2));
  EXPECT_EQ(fleet.agent("pdu1")->rejected_varbinds_total, 6u);
}

TEST(FleetState, StateChanges) {
  FleetState fleet(two_agents());
  poller::StateChange change{"pdu2",
                             poller::AgentState::kUnknown,
                             poller::AgentState::kDown,
                             model::WallTime(std::chrono::seconds(1'700'000'005)),
                             poller::PollError::kTimeout,
                             "down: timeout"};
  fleet.apply_state_change(change);
  auto a = *fleet.agent("pdu2");
  EXPECT_EQ(a.reachability, Reachability::kDown);
  EXPECT_EQ(a.reachability_since, change.time);
  change.from = poller::AgentState::kDown;
  change.to = poller::AgentState::kUp;
  change.agent = "unknown-agent";
  fleet.apply_state_change(change);  // ignored
  change.agent = "pdu2";
  fleet.apply_state_change(change);
  EXPECT_EQ(fleet.agent("pdu2")->reachability, Reachability::kUp);
}

TEST(FleetState, UnknownAgentPollIsIgnored) {
  FleetState fleet(two_agents());
  fleet.apply_poll(poll_result("stranger", standard_walk()));
  for (const auto& a : fleet.agents()) EXPECT_EQ(a.polls_total, 0u);
}

TEST(FleetState, ControlStatusTrapUpdatesThePortAtOnce) {
  FleetState fleet(two_agents());
  fleet.apply_poll(poll_result("pdu1", standard_walk()));
  const auto received = model::WallTime(std::chrono::seconds(1'700'000'010));
  auto t = sentry2_port_trap("pdu1", 5, "A1", 4, "Off", "web1");
  t.received = received;
  // What the trap receiver's own helper finds in it agrees.
  ASSERT_TRUE(traps::port_control_change(t));
  EXPECT_EQ(traps::port_control_change(t)->port, "A1");
  fleet.apply_trap(t);
  auto a = *fleet.agent("pdu1");
  EXPECT_EQ(port(a, "A1")->control, "Off");
  EXPECT_EQ(port(a, "A1")->updated, received);
  // An off port has no load: 0 A ("Not On") at once, not the last poll's 2.5 A.
  EXPECT_EQ(port(a, "A1")->load_amps, 0.0);
  EXPECT_EQ(port(a, "A1")->load_text, "Not On");
  EXPECT_EQ(port(a, "A2")->control, "Off");
  EXPECT_EQ(a.traps_total, 1u);
  EXPECT_EQ(a.last_trap, received);
  EXPECT_EQ(fleet.unknown_source_traps(), 0u);
}

TEST(FleetState, OnlyARelayOffTrapClearsTheLoad) {
  FleetState fleet(two_agents());
  auto walk = standard_walk();
  walk.push_back(str(port_oid(6, "B1"), "N/A"));  // no sensor on B1
  fleet.apply_poll(poll_result("pdu1", walk));
  ASSERT_EQ(port(*fleet.agent("pdu1"), "A1")->load_amps, 2.5);
  // Shutdown keeps the relay on while the host is told: the load stays.
  fleet.apply_trap(sentry2_port_trap("pdu1", 5, "A1", 4, "Shutdown"));
  EXPECT_EQ(port(*fleet.agent("pdu1"), "A1")->load_amps, 2.5);
  // A port without a sensor still has no reading after it is switched off.
  fleet.apply_trap(sentry2_port_trap("pdu1", 5, "B1", 4, "Off"));
  EXPECT_FALSE(port(*fleet.agent("pdu1"), "B1")->load_amps);
  EXPECT_EQ(port(*fleet.agent("pdu1"), "B1")->load_text, "N/A");
  // Pend On: still off.
  fleet.apply_trap(sentry2_port_trap("pdu1", 5, "A1", 4, "Pend On"));
  EXPECT_EQ(port(*fleet.agent("pdu1"), "A1")->load_amps, 0.0);
}

TEST(FleetState, TrapForAPortNotYetPolledAddsIt) {
  FleetState fleet(two_agents());
  fleet.apply_poll(poll_result("pdu1", standard_walk()));
  fleet.apply_trap(sentry2_port_trap("pdu1", 5, "A4", 4, "Reboot", "new-host"));
  auto a = *fleet.agent("pdu1");
  ASSERT_EQ(a.ports.size(), 5u);
  EXPECT_EQ(a.ports[3].id, "A4");  // in chain order
  EXPECT_EQ(a.ports[3].control, "Reboot");
  EXPECT_EQ(a.ports[3].name, "new-host");
  EXPECT_EQ(a.ports[4].id, "B1");

  // Before any poll at all.
  fleet.apply_trap(sentry2_port_trap("pdu2", 5, "C2", 4, "On"));
  a = *fleet.agent("pdu2");
  ASSERT_EQ(a.ports.size(), 1u);
  EXPECT_EQ(a.ports[0].id, "C2");
  EXPECT_EQ(a.location, "rack 12");
}

TEST(FleetState, ModuleLoadAndBoardTraps) {
  FleetState fleet(two_agents());
  fleet.apply_poll(poll_result("pdu1", standard_walk()));
  fleet.apply_trap(sentry2_port_trap("pdu1", 6, "A1", 5, "Off Fail"));
  EXPECT_EQ(port(*fleet.agent("pdu1"), "A1")->module, "Off Fail");
  fleet.apply_trap(sentry2_port_trap("pdu1", 7, "A1", 5, "Normal"));
  EXPECT_EQ(port(*fleet.agent("pdu1"), "A1")->module, "Normal");
  fleet.apply_trap(sentry2_port_trap("pdu1", 8, "A1", 6, "15.20A"));
  EXPECT_EQ(port(*fleet.agent("pdu1"), "A1")->load_amps, 15.2);
  EXPECT_EQ(port(*fleet.agent("pdu1"), "A1")->load_text, "15.20A");
  fleet.apply_trap(sentry2_port_trap("pdu1", 9, "A2", 6, "Not On"));
  EXPECT_EQ(port(*fleet.agent("pdu1"), "A2")->load_amps, 0.0);
  fleet.apply_trap(sentry2_board_trap("pdu1", 2, "A", 4, "45.5 Deg C"));
  EXPECT_EQ(board(*fleet.agent("pdu1"), "A")->temperature_c, 45.5);
  fleet.apply_trap(sentry2_board_trap("pdu1", 4, "B", 4, "N/A"));
  EXPECT_FALSE(board(*fleet.agent("pdu1"), "B")->temperature_c);
  fleet.apply_trap(sentry2_board_trap("pdu1", 11, "A", 5, "31.00A"));
  EXPECT_EQ(board(*fleet.agent("pdu1"), "A")->input_load_amps, 31.0);
  fleet.apply_trap(sentry2_board_trap("pdu1", 13, "C", 5, "1.00A"));  // a board not yet polled
  auto a = *fleet.agent("pdu1");
  ASSERT_EQ(a.boards.size(), 3u);
  EXPECT_EQ(a.boards[2].id, "C");
  EXPECT_EQ(a.boards[2].page_name, "page C");
  EXPECT_EQ(a.boards[2].input_load_amps, 1.0);
  EXPECT_EQ(a.traps_total, 8u);
}

TEST(FleetState, OtherTrapsAreCountedOnly) {
  FleetState fleet(two_agents());
  fleet.apply_poll(poll_result("pdu1", standard_walk()));
  // A linkDown carrying an OID that looks like a port's: not a Sentry2 notification.
  fleet.apply_trap(trap("pdu1", "1.3.6.1.6.3.1.1.5.3", {trap_str(port_oid(4, "A1"), "Off")}));
  auto a = *fleet.agent("pdu1");
  EXPECT_EQ(port(a, "A1")->control, "On");
  EXPECT_EQ(a.traps_total, 1u);

  fleet.apply_trap(sentry2_port_trap("10.9.9.9", 5, "A1", 4, "Off"));  // unknown source
  EXPECT_EQ(fleet.unknown_source_traps(), 1u);
  EXPECT_EQ(port(*fleet.agent("pdu1"), "A1")->control, "On");
  EXPECT_EQ(fleet.agent("pdu1")->traps_total, 1u);
}

TEST(FleetState, UpsTraps) {
  FleetState fleet(two_agents());
  fleet.apply_poll(poll_result("pdu1", ups_walk()));
  // upsTrapOnBattery: upsEstimatedMinutesRemaining, upsSecondsOnBattery, upsConfigLowBattTime.
  traps::Varbind minutes{ups_oid({2, 3, 0}), traps::ValueType::kInteger, 5, 0, ""};
  traps::Varbind seconds{ups_oid({2, 2, 0}), traps::ValueType::kInteger, 42, 0, ""};
  traps::Varbind low{ups_oid({9, 7, 0}), traps::ValueType::kInteger, 2, 0, ""};
  fleet.apply_trap(trap("pdu1", "1.3.6.1.2.1.33.2.1", {minutes, seconds, low}));
  auto u = *fleet.agent("pdu1")->ups;
  EXPECT_DOUBLE_EQ(u.values.at("battery.runtime"), 300);
  EXPECT_DOUBLE_EQ(u.values.at("ups.seconds_on_battery"), 42);
  EXPECT_DOUBLE_EQ(u.values.at("output.source"), 5);  // battery

  traps::Varbind id{ups_oid({6, 2, 1, 1, 9}), traps::ValueType::kInteger, 9, 0, ""};
  traps::Varbind descr{ups_oid({6, 2, 1, 2, 9}), traps::ValueType::kOid, 0, 0,
                       "1.3.6.1.2.1.33.1.6.3.3"};
  fleet.apply_trap(trap("pdu1", "1.3.6.1.2.1.33.2.3", {id, descr}));  // entry added
  u = *fleet.agent("pdu1")->ups;
  EXPECT_EQ(u.alarms.size(), 3u);
  EXPECT_EQ(u.alarms.back(), "1.3.6.1.2.1.33.1.6.3.3");
  fleet.apply_trap(trap("pdu1", "1.3.6.1.2.1.33.2.3", {id, descr}));  // again: no duplicate
  EXPECT_EQ(fleet.agent("pdu1")->ups->alarms.size(), 3u);

  descr.octets = "1.3.6.1.2.1.33.1.6.3.2";  // upsAlarmOnBattery removed: back on mains
  fleet.apply_trap(trap("pdu1", "1.3.6.1.2.1.33.2.4", {id, descr}));
  u = *fleet.agent("pdu1")->ups;
  EXPECT_EQ(u.alarms,
            (std::vector<std::string>{"1.3.6.1.2.1.33.1.6.3.8", "1.3.6.1.2.1.33.1.6.3.3"}));
  EXPECT_DOUBLE_EQ(u.values.at("output.source"), 3);
  EXPECT_EQ(fleet.agent("pdu1")->traps_total, 4u);
}

TEST(FleetState, RecentEventsRing) {
  FleetState fleet(two_agents(), 3);
  for (int i = 0; i < 5; ++i) {
    model::Event e;
    e.agent = i % 2 == 0 ? "pdu1" : "pdu2";
    e.kind = model::EventKind::kTrap;
    e.text = "event " + std::to_string(i);
    fleet.add_event(e);
  }
  auto all = fleet.recent_events(10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].text, "event 4");
  EXPECT_EQ(all[1].text, "event 3");
  EXPECT_EQ(all[2].text, "event 2");
  auto two = fleet.recent_events(2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1].text, "event 3");
  auto pdu1 = fleet.recent_events(10, "pdu1");
  ASSERT_EQ(pdu1.size(), 2u);
  EXPECT_EQ(pdu1[0].text, "event 4");
  EXPECT_EQ(pdu1[1].text, "event 2");

  FleetState partial(two_agents(), 10);
  model::Event e;
  e.text = "only";
  partial.add_event(e);
  ASSERT_EQ(partial.recent_events(10).size(), 1u);
  EXPECT_EQ(partial.recent_events(10)[0].text, "only");

  FleetState none(two_agents(), 0);
  none.add_event(e);
  EXPECT_TRUE(none.recent_events(10).empty());
}

// Readers (visit, copies, events) while a writer polls and traps: every snapshot a reader sees
// is one whole poll (all four ports with the same load) or one whole trap. Run under TSan/ASan
// for the full value; no timing is asserted.
TEST(FleetState, ReadersWhileAWriterUpdates) {
  FleetState fleet(two_agents(), 50);
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> reads{0};
  std::atomic<int> torn{0};

  std::thread writer([&] {
    for (int i = 1; i <= 2000; ++i) {
      const std::string load = std::to_string(i) + ".00A";
      std::vector<PortRow> rows;
      for (const char* id : {"A1", "A2", "A3", "A4"})
        rows.push_back({id, "n", "On", "Normal", load});
      fleet.apply_poll(poll_result("pdu1", sentry2_walk("x", {{"A", "p"}}, rows),
                                   static_cast<std::uint64_t>(i)));
      fleet.apply_trap(sentry2_port_trap("pdu1", 5, "A1", 4, i % 2 ? "Off" : "On"));
      model::Event e;
      e.agent = "pdu1";
      e.text = std::to_string(i);
      fleet.add_event(e);
    }
    done = true;
  });
  auto reader = [&] {
    while (!done) {
      fleet.visit([&](const AgentState& a) {
        if (a.name != "pdu1" || a.ports.empty()) return;
        // A2..A4 come from the same poll; A1's load is cleared by its Off traps.
        for (const auto& p : a.ports) {
          if (p.id != "A1" && p.load_amps != a.ports.back().load_amps) ++torn;
        }
        if (a.ports.size() != 4) ++torn;
      });
      auto copy = fleet.agent("pdu1");
      if (copy && !copy->ports.empty() && copy->ports.size() != 4) ++torn;
      (void)fleet.recent_events(5, "pdu1");
      (void)fleet.version();
      ++reads;
    }
  };
  std::thread r1(reader), r2(reader), r3(reader);
  writer.join();
  r1.join();
  r2.join();
  r3.join();
  EXPECT_EQ(torn.load(), 0);
  auto a = *fleet.agent("pdu1");
  EXPECT_EQ(a.polls_total, 2000u);
  EXPECT_EQ(a.traps_total, 2000u);
  EXPECT_EQ(port(a, "A1")->control, "On");
  EXPECT_EQ(port(a, "A4")->load_amps, 2000.0);
  EXPECT_EQ(fleet.recent_events(1)[0].text, "2000");
}

}  // namespace
}  // namespace netpower::manager::state
