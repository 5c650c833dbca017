#pragma once
// A FleetState with a small, realistic fleet, fed the way the manager feeds it (poll results,
// state changes, events), for the HTTP API's and netpowerctl's tests.
//   rack12-pdu: up; location "Paris R12"; board A; ports A1 web1 (On, Normal, 2.50A, group web,
//               unlocked), A2 db1 (On, OnS Fail, 0.00A, group db, locked), A3 spare (Off, Normal,
//               Not On), A4 router (On, Normal, N/A); labels site=par1 rack=r12.
//   ups-room:   up; no PDU; UPS "room-ups" on battery, 87 % charge, 25 min runtime, one alarm.
//   old-pdu:    down; "timeout (2 requests, no response)".
//   new-pdu:    never polled (unknown).
// Events: rack12-pdu up, a trap from rack12-pdu, old-pdu down (newest).

#include <memory>
#include <string>
#include <vector>

#include "manager/config/manager_config.h"
#include "manager/poller/poller.h"
#include "manager/state/fleet_state.h"

namespace netpower::manager::http::testing {

inline poller::Oid oid(std::initializer_list<std::uint32_t> prefix,
                       std::initializer_list<std::uint32_t> suffix = {}) {
  poller::Oid out(prefix);
  out.insert(out.end(), suffix);
  return out;
}

inline poller::Varbind text_vb(poller::Oid o, std::string value) {
  poller::Varbind vb;
  vb.oid = std::move(o);
  vb.type = poller::ValueType::kOctetString;
  vb.octets = std::move(value);
  return vb;
}

inline poller::Varbind int_vb(poller::Oid o, std::int64_t value) {
  poller::Varbind vb;
  vb.oid = std::move(o);
  vb.type = poller::ValueType::kInteger;
  vb.integer = value;
  return vb;
}

inline poller::Varbind gauge_vb(poller::Oid o, std::uint64_t value) {
  poller::Varbind vb;
  vb.oid = std::move(o);
  vb.type = poller::ValueType::kGauge32;
  vb.number = value;
  return vb;
}

inline poller::Varbind oid_vb(poller::Oid o, std::string value) {
  poller::Varbind vb;
  vb.oid = std::move(o);
  vb.type = poller::ValueType::kOid;
  vb.octets = std::move(value);
  return vb;
}

inline config::AgentSettings agent_settings(std::string name, std::string address,
                                            std::map<std::string, std::string> labels = {}) {
  config::AgentSettings a;
  a.name = std::move(name);
  a.address = std::move(address);
  a.labels = std::move(labels);
  return a;
}

// A fixed time, so that documents can be compared: 2024-05-01T12:00:00Z.
inline model::WallTime fixture_time(int seconds_after = 0) {
  return model::WallTime(std::chrono::seconds(1714564800 + seconds_after));
}

inline std::unique_ptr<state::FleetState> make_fleet() {
  auto fleet = std::make_unique<state::FleetState>(std::vector<config::AgentSettings>{
      agent_settings("rack12-pdu", "10.1.12.5", {{"site", "par1"}, {"rack", "r12"}}),
      agent_settings("ups-room", "10.1.0.9"), agent_settings("old-pdu", "10.1.12.6"),
      agent_settings("new-pdu", "10.1.12.7")});

  // Sentry2-MIB chain group and NETPOWER-MIB port config of rack12-pdu.
  const std::initializer_list<std::uint32_t> chain = {1, 3, 6, 1, 4, 1, 1718, 2, 1};
  const std::initializer_list<std::uint32_t> board = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 3, 1};
  const std::initializer_list<std::uint32_t> port = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 4, 1};
  const std::initializer_list<std::uint32_t> np_port = {1, 3, 6, 1, 4, 1, 32473, 1, 1, 3, 1};
  poller::PollResult pdu;
  pdu.agent = "rack12-pdu";
  pdu.poll_number = 1;
  pdu.started = fixture_time(0);
  pdu.duration = std::chrono::milliseconds(34);
  pdu.varbinds.push_back(text_vb(oid(chain, {1, 0}), "Paris R12"));
  pdu.varbinds.push_back(text_vb(oid(board, {2, 'A'}), "Main"));
  pdu.varbinds.push_back(text_vb(oid(board, {3, 'A'}), "v2.1"));
  pdu.varbinds.push_back(text_vb(oid(board, {4, 'A'}), "24 Deg C"));
  pdu.varbinds.push_back(text_vb(oid(board, {5, 'A'}), "2.5 A"));
  struct Port {
    char n;
    const char* name;
    const char* control;
    const char* module;
    const char* load;
    const char* group;
    int locked;
  };
  for (const Port& p : {Port{'1', "web1", "On", "Normal", "2.50A", "web", 2},
                        Port{'2', "db1", "On", "OnS Fail", "0.00A", "db", 1},
                        Port{'3', "spare", "Off", "Normal", "Not On", "", 2},
                        Port{'4', "router", "On", "Normal", "N/A", "", 2}}) {
    const std::uint32_t a = 'A';
    const std::uint32_t n = static_cast<std::uint32_t>(p.n);
    pdu.varbinds.push_back(text_vb(oid(port, {3, a, n}), p.name));
    pdu.varbinds.push_back(text_vb(oid(port, {4, a, n}), p.control));
    pdu.varbinds.push_back(text_vb(oid(port, {5, a, n}), p.module));
    pdu.varbinds.push_back(text_vb(oid(port, {6, a, n}), p.load));
    pdu.varbinds.push_back(text_vb(oid(np_port, {3, a, n}), p.group));
    pdu.varbinds.push_back(int_vb(oid(np_port, {8, a, n}), p.locked));
  }
  fleet->apply_state_change({.agent = "rack12-pdu",
                             .from = poller::AgentState::kUnknown,
                             .to = poller::AgentState::kUp,
                             .time = fixture_time(0),
                             .text = "up"});
  fleet->apply_poll(pdu);

  // UPS-MIB of ups-room.
  const std::initializer_list<std::uint32_t> ups = {1, 3, 6, 1, 2, 1, 33, 1};
  poller::PollResult room;
  room.agent = "ups-room";
  room.poll_number = 1;
  room.started = fixture_time(1);
  room.duration = std::chrono::milliseconds(12);
  room.varbinds.push_back(text_vb(oid(ups, {1, 5, 0}), "room-ups"));
  room.varbinds.push_back(int_vb(oid(ups, {2, 3, 0}), 25));         // minutes
  room.varbinds.push_back(int_vb(oid(ups, {2, 4, 0}), 87));         // percent
  room.varbinds.push_back(int_vb(oid(ups, {4, 1, 0}), 5));          // battery
  room.varbinds.push_back(gauge_vb(oid(ups, {3, 3, 1, 3, 1}), 0));  // input volts
  room.varbinds.push_back(oid_vb(oid(ups, {6, 2, 1, 2, 1}), "1.3.6.1.2.1.33.1.6.3.2"));
  fleet->apply_poll(room);

  poller::PollResult dead;
  dead.agent = "old-pdu";
  dead.poll_number = 1;
  dead.started = fixture_time(2);
  dead.duration = std::chrono::seconds(4);
  dead.error = poller::PollError::kTimeout;
  dead.error_text = "timeout (2 requests, no response)";
  fleet->apply_poll(dead);

  fleet->add_event({.agent = "rack12-pdu",
                    .time = fixture_time(0),
                    .kind = model::EventKind::kUp,
                    .text = "up"});
  fleet->add_event({.agent = "rack12-pdu",
                    .time = fixture_time(3),
                    .kind = model::EventKind::kTrap,
                    .oid = "1.3.6.1.4.1.1718.2.100.0.5",
                    .varbinds_json = R"([{"oid":"1.3.6.1.4.1.1718.2.1.1.0","type":"STRING",)"
                                     R"("value":"Paris R12"}])",
                    .text = "sentry2PortControlStatusChange from rack12-pdu: A1 = On"});
  fleet->add_event({.agent = "old-pdu",
                    .time = fixture_time(6),
                    .kind = model::EventKind::kDown,
                    .text = "down: timeout (2 requests, no response)"});
  return fleet;
}

}  // namespace netpower::manager::http::testing
