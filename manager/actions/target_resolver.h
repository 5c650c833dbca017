#pragma once
// From what a request names (TargetSpec: a host, an outlet by port id or name, a group, a label
// selector, an agent) to the actions it makes: one per inventory host (both outlets of a
// dual-corded host together, whichever was named) and one per outlet without a host. Port names
// and groups come from the fleet state (the agents' NETPOWER-MIB as polled); labels from the
// configuration. Thread-safe (reads only).

#include <map>
#include <string>
#include <vector>

#include "manager/actions/action_service.h"
#include "manager/actions/inventory.h"
#include "manager/config/manager_config.h"
#include "manager/state/fleet_state.h"

namespace netpower::manager::actions {

struct ResolvedAction {
  std::vector<model::OutletRef> outlets;
  const HostSettings* host = nullptr;  // nullptr: an outlet without an inventory host
  std::string detail;                  // for the resolve step: "host web1 on pdu1.A1"
};

struct Resolution {
  std::vector<ResolvedAction> actions;
  std::string error;  // why nothing was found (unknown-target), for people
};

// "site=ams,rack=12" into {site: ams, rack: 12}; nullopt when malformed.
std::optional<std::map<std::string, std::string>> parse_selector(const std::string& text);

class TargetResolver {
 public:
  // `fleet` may be null (no port names or groups known). References must outlive the resolver.
  TargetResolver(const config::ManagerConfig& config, const Inventory& inventory,
                 const state::FleetState* fleet);

  Resolution resolve(const TargetSpec& spec) const;
  // The configured agents a discovery covers (one, by selector, or all); error when none.
  std::vector<std::string> agents(const DiscoverySpec& spec, std::string& error) const;
  // An agent's ports as known: the fleet state's polled rows and the inventory's outlets on it,
  // in chain order.
  std::vector<std::string> ports_of(const std::string& agent) const;
  // Whether a poll has told which ports the agent has (before that, ports_of() knows only the
  // inventory's outlets on it).
  bool polled(const std::string& agent) const;
  // The whole fleet's outlets expanded into actions (dual-corded hosts together), in order.
  std::vector<ResolvedAction> expand(const std::vector<model::OutletRef>& outlets) const;

 private:
  bool known_agent(const std::string& name) const;
  std::vector<std::string> agents_matching(const std::map<std::string, std::string>& labels) const;

  const config::ManagerConfig& config_;
  const Inventory& inventory_;
  const state::FleetState* fleet_;
};

}  // namespace netpower::manager::actions
