#include "manager/actions/target_resolver.h"

#include <algorithm>
#include <set>

namespace netpower::manager::actions {

namespace {

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

std::string TargetSpec::text() const {
  if (!host.empty()) return "host " + host;
  if (!group.empty()) {
    if (!agent.empty()) return "group " + group + " on " + agent;
    if (!selector.empty()) return "group " + group + " on " + selector;
    return "group " + group;
  }
  if (!selector.empty()) return selector;
  if (!port.empty()) return agent + " " + port;
  return agent;
}

std::optional<std::map<std::string, std::string>> parse_selector(const std::string& text) {
  std::map<std::string, std::string> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    auto comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    const auto item = text.substr(at, comma - at);
    const auto eq = item.find('=');
    if (eq == std::string::npos) return std::nullopt;
    auto name = trim(item.substr(0, eq));
    auto value = trim(item.substr(eq + 1));
    if (name.empty() || out.count(name)) return std::nullopt;
    out[name] = value;
    at = comma + 1;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

TargetResolver::TargetResolver(const config::ManagerConfig& config, const Inventory& inventory,
                               const state::FleetState* fleet)
    : config_(config), inventory_(inventory), fleet_(fleet) {}

bool TargetResolver::known_agent(const std::string& name) const {
  return std::any_of(config_.agents.begin(), config_.agents.end(),
                     [&](const auto& a) { return a.name == name; });
}

std::vector<std::string> TargetResolver::agents_matching(
    const std::map<std::string, std::string>& labels) const {
  std::vector<std::string> out;
  for (const auto& a : config_.agents) {
    bool all = true;
    for (const auto& [k, v] : labels) {
      auto it = a.labels.find(k);
      all = all && it != a.labels.end() && it->second == v;
    }
    if (all) out.push_back(a.name);
  }
  return out;
}

bool TargetResolver::polled(const std::string& agent) const {
  if (fleet_ == nullptr) return false;
  auto st = fleet_->agent(agent);
  return st && !st->ports.empty();
}

std::vector<std::string> TargetResolver::ports_of(const std::string& agent) const {
  std::set<std::string> ports;
  if (fleet_ != nullptr) {
    if (auto st = fleet_->agent(agent)) {
      for (const auto& p : st->ports) ports.insert(p.id);
    }
  }
  for (const auto& h : inventory_.hosts) {
    for (const auto& o : h.outlets) {
      if (o.agent == agent) ports.insert(o.port);
    }
  }
  return {ports.begin(), ports.end()};  // "A1" < "A2" < "B1": chain order
}

std::vector<ResolvedAction> TargetResolver::expand(
    const std::vector<model::OutletRef>& outlets) const {
  std::vector<ResolvedAction> out;
  std::set<std::string> hosts_done;
  std::set<model::OutletRef> seen;
  for (const auto& o : outlets) {
    if (!seen.insert(o).second) continue;
    const auto* host = inventory_.host_on(o);
    if (host == nullptr) {
      out.push_back({{o}, nullptr, "outlet " + o.text() + " (no inventory host)"});
      continue;
    }
    if (!hosts_done.insert(host->name).second) continue;
    ResolvedAction a;
    a.host = host;
    a.outlets = host->outlets;
    a.detail = "host " + host->name + " on ";
    for (std::size_t i = 0; i < host->outlets.size(); ++i) {
      a.detail += (i ? " and " : "") + host->outlets[i].text();
    }
    if (host->outlets.size() > 1) a.detail += " (dual-corded)";
    out.push_back(std::move(a));
  }
  return out;
}

Resolution TargetResolver::resolve(const TargetSpec& spec) const {
  Resolution r;
  const bool host = !spec.host.empty(), agent = !spec.agent.empty(), port = !spec.port.empty(),
             group = !spec.group.empty(), selector = !spec.selector.empty();
  const bool valid = (host && !agent && !port && !group && !selector) ||
                     (agent && port && !host && !group && !selector) ||
                     (group && !host && !port && !(agent && selector)) ||
                     (selector && !host && !port && !agent) ||
                     (agent && !host && !port && !group && !selector);
  if (!valid) {
    r.error =
        "name a host, an agent and port, a group (on an agent or a selector), a selector, or an "
        "agent";
    return r;
  }
  if (host) {
    const auto* h = inventory_.host(spec.host);
    if (h == nullptr) {
      r.error = "no host named '" + spec.host + "' in the inventory";
      return r;
    }
    r.actions = expand(h->outlets);
    return r;
  }
  std::vector<std::string> agents;
  if (agent) {
    if (!known_agent(spec.agent)) {
      r.error = "no agent named '" + spec.agent + "'";
      return r;
    }
    agents.push_back(spec.agent);
  } else if (selector) {
    auto labels = parse_selector(spec.selector);
    if (!labels) {
      r.error = "'" + spec.selector + "' is not a label selector (write site=ams,rack=12)";
      return r;
    }
    agents = agents_matching(*labels);
    if (agents.empty()) {
      r.error = "no agent has the labels " + spec.selector;
      return r;
    }
  } else {
    for (const auto& a : config_.agents) agents.push_back(a.name);
  }

  std::vector<model::OutletRef> outlets;
  if (port) {
    // A port id is taken as written until the agent's ports were polled, then it must be one.
    const auto id = port_id(spec.port);
    std::vector<std::string> polled;
    if (fleet_ != nullptr) {
      if (auto st = fleet_->agent(spec.agent)) {
        for (const auto& p : st->ports) polled.push_back(p.id);
      }
    }
    const bool absolute = spec.port[0] == '.';
    if (!id.empty() && (polled.empty() || std::count(polled.begin(), polled.end(), id) > 0)) {
      outlets.push_back({spec.agent, id});
    } else if (!absolute && fleet_ != nullptr) {
      if (auto st = fleet_->agent(spec.agent)) {
        for (const auto& p : st->ports) {
          if (p.name == spec.port) outlets.push_back({spec.agent, p.id});
        }
      }
    }
    if (outlets.empty()) {
      r.error = "agent " + spec.agent + " has no port " +
                (id.empty() || !absolute ? "named " : "") + "'" + spec.port + "'";
      return r;
    }
    r.actions = expand(outlets);
    return r;
  }
  for (const auto& a : agents) {
    if (group) {
      if (fleet_ == nullptr) continue;
      if (auto st = fleet_->agent(a)) {
        for (const auto& p : st->ports) {
          if (p.group == spec.group) outlets.push_back({a, p.id});
        }
      }
    } else {
      for (const auto& p : ports_of(a)) outlets.push_back({a, p});
    }
  }
  if (outlets.empty()) {
    r.error = group ? "no port of group '" + spec.group + "' on " +
                          (agent      ? spec.agent
                           : selector ? spec.selector
                                      : "any agent")
                    : "the ports of " + (agent ? spec.agent : spec.selector) +
                          " are not known yet (not polled)";
    return r;
  }
  r.actions = expand(outlets);
  return r;
}

std::vector<std::string> TargetResolver::agents(const DiscoverySpec& spec,
                                                std::string& error) const {
  if (!spec.agent.empty() && !spec.selector.empty()) {
    error = "name an agent or a selector, not both";
    return {};
  }
  if (!spec.agent.empty()) {
    if (!known_agent(spec.agent)) {
      error = "no agent named '" + spec.agent + "'";
      return {};
    }
    return {spec.agent};
  }
  if (!spec.selector.empty()) {
    auto labels = parse_selector(spec.selector);
    if (!labels) {
      error = "'" + spec.selector + "' is not a label selector (write site=ams,rack=12)";
      return {};
    }
    auto out = agents_matching(*labels);
    if (out.empty()) error = "no agent has the labels " + spec.selector;
    return out;
  }
  std::vector<std::string> out;
  for (const auto& a : config_.agents) out.push_back(a.name);
  if (out.empty()) error = "no agents are configured";
  return out;
}

}  // namespace netpower::manager::actions
