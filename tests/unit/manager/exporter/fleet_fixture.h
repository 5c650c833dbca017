#pragma once
// A realistic fleet for the exporter's tests and benchmark: PDU chains of full boards (4 ports
// each, every Sentry2 value form), NETPOWER groups and locks, UPS-MIB agents, agents that are down,
// traps received; fed to a FleetState the way netpower-manager feeds it (apply_poll, apply_trap).

#include <string>
#include <vector>

#include "manager/state/fleet_state.h"
#include "tests/unit/manager/state/poll_builder.h"

namespace netpower::manager::testing {

inline std::vector<Varbind> ups_varbinds(const std::string& name, bool on_battery) {
  return {
      str(ups_oid({1, 5, 0}), name),
      integer(ups_oid({2, 1, 0}), on_battery ? 3 : 2),
      integer(ups_oid({2, 2, 0}), on_battery ? 125 : 0),
      integer(ups_oid({2, 3, 0}), on_battery ? 9 : 47),
      integer(ups_oid({2, 4, 0}), on_battery ? 38 : 100),
      integer(ups_oid({2, 5, 0}), 545),
      integer(ups_oid({2, 6, 0}), on_battery ? -85 : 0),
      integer(ups_oid({2, 7, 0}), 29),
      integer(ups_oid({3, 3, 1, 2, 1}), 500),
      integer(ups_oid({3, 3, 1, 3, 1}), on_battery ? 0 : 231),
      integer(ups_oid({3, 3, 1, 4, 1}), on_battery ? 0 : 43),
      integer(ups_oid({3, 3, 1, 5, 1}), on_battery ? 0 : 960),
      integer(ups_oid({4, 1, 0}), on_battery ? 5 : 3),
      integer(ups_oid({4, 2, 0}), 500),
      integer(ups_oid({4, 4, 1, 2, 1}), 230),
      integer(ups_oid({4, 4, 1, 3, 1}), 41),
      integer(ups_oid({4, 4, 1, 4, 1}), 920),
      integer(ups_oid({4, 4, 1, 5, 1}), 37),
      gauge(ups_oid({6, 1, 0}), on_battery ? 1 : 0),
  };
}

struct FleetShape {
  int agents = 10;
  int boards = 26;     // per agent, 4 ports each
  int ups_every = 3;   // every n-th agent also serves the UPS-MIB
  int down_every = 7;  // every n-th agent's last poll failed
};

inline std::vector<config::AgentSettings> fleet_agents(const FleetShape& shape) {
  std::vector<config::AgentSettings> out;
  for (int i = 0; i < shape.agents; ++i) {
    config::AgentSettings a;
    a.name = "rack" + std::to_string(i) + "-pdu";
    a.address = "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    a.labels = {{"site", i % 2 ? "par1" : "fra2"}, {"rack", "r" + std::to_string(i)}};
    out.push_back(std::move(a));
  }
  return out;
}

inline std::vector<Varbind> agent_walk(int agent, const FleetShape& shape) {
  static const char* kControl[] = {"On", "On", "On", "Off", "Reboot", "Pend Off", "Shutdown"};
  static const char* kModule[] = {"Normal",   "Normal", "Normal",  "No Rspns",
                                  "OnS Fail", "Normal", "Off Fail"};
  std::vector<BoardRow> boards;
  std::vector<PortRow> ports;
  for (int b = 0; b < shape.boards; ++b) {
    const std::string id(1, static_cast<char>('A' + b));
    const bool probe = b % 5 != 4;
    boards.push_back({id, "Page " + id, "v4.0c",
                      probe ? std::to_string(20 + (agent + b) % 15) + ".5 Deg C" : "N/A",
                      std::to_string(8 + b % 7) + ".25A"});
    for (int n = 1; n <= 4; ++n) {
      const int k = agent * 131 + b * 4 + n;
      PortRow p;
      p.id = id + std::to_string(n);
      p.name = "host-" + std::to_string(agent) + "-" + p.id;
      p.control = kControl[k % 7];
      p.module = kModule[k % 7];
      p.load = p.control == std::string("Off") ? "Not On"
               : k % 11 == 0                   ? "N/A"
                             : std::to_string(k % 9) + "." + std::to_string(k % 100) + "A";
      p.group = n <= 2 ? "web" : n == 3 ? "db" : "";
      p.locked = k % 5 == 0 ? 1 : 2;
      ports.push_back(std::move(p));
    }
  }
  auto out = sentry2_walk("Rack " + std::to_string(agent) + ", row 4", boards, ports);
  if (shape.ups_every > 0 && agent % shape.ups_every == 0) {
    auto ups = ups_varbinds("ups-" + std::to_string(agent), agent % (2 * shape.ups_every) == 0);
    out.insert(out.end(), ups.begin(), ups.end());
    if (agent % (2 * shape.ups_every) == 0) {
      out.push_back(oid_value(ups_oid({6, 2, 1, 2, 1}), "1.3.6.1.2.1.33.1.6.3.2"));
    }
  }
  return out;
}

inline void fill_fleet(state::FleetState& fleet, const FleetShape& shape) {
  for (int i = 0; i < shape.agents; ++i) {
    const std::string name = "rack" + std::to_string(i) + "-pdu";
    fleet.apply_poll(poll_result(name, agent_walk(i, shape), 1));
    if (shape.down_every > 0 && i % shape.down_every == shape.down_every - 1) {
      auto failed = poll_result(name, {}, 2, model::WallTime(std::chrono::seconds(1'700'000'030)));
      failed.error = poller::PollError::kTimeout;
      failed.error_text = "timeout";
      fleet.apply_poll(failed);
    }
    fleet.apply_trap(sentry2_port_trap(name, 5, "A1", 4, "Off"));
  }
}

}  // namespace netpower::manager::testing
