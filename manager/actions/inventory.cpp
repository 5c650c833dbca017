#include "manager/actions/inventory.h"

#include <arpa/inet.h>

#include <cctype>
#include <map>
#include <set>

#include "core/duration.h"
#include "manager/snmp/varbind.h"

namespace netpower::manager::actions {

namespace {

using core::Duration;
using core::YamlReader;
using namespace std::chrono_literals;

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || c == '_' || c == '.' || c == '-')) return false;
  }
  return true;
}

bool numeric_address(const std::string& text) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

Duration bounded(const YamlReader& r, const YAML::Node& map, const char* key, Duration fallback,
                 Duration min, Duration max) {
  if (!map || !map[key]) return fallback;
  auto d = r.duration(map, key, fallback);
  if (d < min || d > max) {
    r.fail(map[key], std::string("'") + key + "' must be between " + core::format_duration(min) +
                         " and " + core::format_duration(max));
  }
  return d;
}

struct Agents {
  std::set<std::string> names;
};

model::OutletRef read_outlet(const YamlReader& r, const YAML::Node& node, const Agents& agents) {
  model::OutletRef out;
  if (node.IsScalar()) {
    const auto text = node.Scalar();
    const auto dot = text.rfind('.');
    if (dot == std::string::npos || dot == 0) {
      r.fail(node, "an outlet is written 'agent.PORT' (rack12-pdu.A1), not '" + text + "'");
    }
    out.agent = text.substr(0, dot);
    out.port = port_id(text.substr(dot + 1));
    if (out.port.empty()) {
      r.fail(node, "'" + text.substr(dot + 1) + "' is not a port id (A1 .. Z4) in '" + text + "'");
    }
  } else if (node.IsMap()) {
    r.expect_map(node, "an outlet", {"agent", "port"});
    out.agent = r.string(node, "agent", "");
    const auto port = r.string(node, "port", "");
    out.port = port_id(port);
    if (out.agent.empty() || port.empty()) r.fail(node, "an outlet needs 'agent' and 'port'");
    if (out.port.empty()) r.fail(node["port"], "'" + port + "' is not a port id (A1 .. Z4)");
  } else {
    r.fail(node, "an outlet is 'agent.PORT' or {agent: ..., port: ...}");
  }
  if (!agents.names.count(out.agent)) {
    r.fail(node, "outlet " + out.text() + ": no agent named '" + out.agent + "' in 'agents'");
  }
  return out;
}

void read_answer(const YamlReader& r, const YAML::Node& host, HostSettings& h) {
  auto node = host["answer"];
  if (!node || node.IsNull()) return;
  if (node.IsScalar()) {
    const auto text = node.Scalar();
    if (text == "netpower-host") {
      h.answer = AnswerMode::kNetpowerHost;
    } else if (text == "none") {
      h.answer = AnswerMode::kNone;
    } else {
      r.fail(node,
             "'answer' must be netpower-host, none or {trap: {oid: ..., address: ...}}, not '" +
                 text + "'");
    }
    return;
  }
  r.expect_map(node, "answer", {"trap"});
  auto trap = node["trap"];
  if (!trap || !trap.IsMap())
    r.fail(node, "'answer' as a mapping is {trap: {oid: ..., address: ...}}");
  r.expect_map(trap, "answer.trap", {"oid", "address"});
  const auto oid_text = r.string(trap, "oid", "");
  auto oid = snmp::parse_oid(oid_text);
  if (!oid) r.fail(trap["oid"] ? trap["oid"] : trap, "answer.trap needs a numeric 'oid'");
  h.trap_oid = snmp::to_string(*oid);
  h.trap_address = r.string(trap, "address", "");
  if (!numeric_address(h.trap_address)) {
    r.fail(trap["address"] ? trap["address"] : trap,
           "answer.trap needs the numeric 'address' the trap comes from");
  }
  h.answer = AnswerMode::kTrap;
}

struct TrapUsers {
  std::map<std::string, snmp::SecurityLevel> levels;
  bool receiver = false;
};

HostSettings read_host(const YamlReader& r, const YAML::Node& node, const Agents& agents,
                       const TrapUsers& users) {
  if (!node.IsMap())
    r.fail(node, "each entry of 'hosts' must be a mapping (name, id, outlets, ...)");
  r.expect_map(node, "a host", {"name", "id", "user", "outlets", "heartbeat", "answer"});
  HostSettings h;
  h.line = node.Mark().line + 1;
  h.name = r.string(node, "name", "");
  if (!valid_name(h.name)) {
    r.fail(node["name"] ? node["name"] : node,
           "a host needs a 'name' of 1..64 characters of A-Z a-z 0-9 _ . -");
  }
  const std::string who = "host '" + h.name + "'";
  read_answer(r, node, h);
  h.id = r.string(node, "id", "", 64);
  h.user = r.string(node, "user", "", 32);
  if (h.answer == AnswerMode::kNetpowerHost) {
    if (h.id.empty())
      r.fail(node, who + " answers with netpower-host and needs its 'id' (netpowerHostId)");
    if (h.user.empty())
      r.fail(node, who + " answers with netpower-host and needs its SNMPv3 'user'");
  }
  if (!h.user.empty()) {
    if (!users.receiver) {
      r.fail(node["user"], who + ": its answers come to the trap receiver, which is off ('traps')");
    }
    auto it = users.levels.find(h.user);
    if (it == users.levels.end()) {
      r.fail(node["user"], who + ": user '" + h.user + "' is not one of traps.users");
    }
    if (it->second == snmp::SecurityLevel::kNoAuthNoPriv) {
      r.fail(node["user"], who + ": user '" + h.user +
                               "' is noAuthNoPriv in traps.users: its answers could be forged");
    }
  }
  if (h.answer == AnswerMode::kTrap && !users.receiver) {
    r.fail(node["answer"], who + " answers with a trap, but the trap receiver is off ('traps')");
  }
  h.heartbeat = bounded(r, node, "heartbeat", h.heartbeat, 10ms, 24h);
  auto outlets = node["outlets"];
  if (!outlets || !outlets.IsSequence() || outlets.size() < 1 || outlets.size() > 2) {
    r.fail(outlets ? outlets : node,
           who + " needs 'outlets': a list of one outlet, or two for a dual-corded host");
  }
  for (const auto& item : outlets) {
    auto outlet = read_outlet(r, item, agents);
    for (const auto& other : h.outlets) {
      if (other == outlet) r.fail(item, who + " names outlet " + outlet.text() + " twice");
    }
    h.outlets.push_back(std::move(outlet));
  }
  return h;
}

void read_settings(const YamlReader& r, const YAML::Node& node, ActionSettings& s) {
  r.expect_map(node, "actions",
               {"answer_timeout", "switch_timeout", "verify_timeout", "verify_interval", "off_time",
                "boot_timeout", "heartbeat_timeout", "load_threshold", "max_in_flight"});
  if (!node || node.IsNull()) return;
  s.answer_timeout = bounded(r, node, "answer_timeout", s.answer_timeout, 1ms, 10min);
  s.switch_timeout = bounded(r, node, "switch_timeout", s.switch_timeout, 1ms, 10min);
  s.verify_timeout = bounded(r, node, "verify_timeout", s.verify_timeout, 1ms, 1h);
  s.verify_interval = bounded(r, node, "verify_interval", s.verify_interval, 1ms, 1min);
  if (s.verify_interval > s.verify_timeout) {
    r.fail(node["verify_interval"] ? node["verify_interval"] : node["verify_timeout"],
           "'verify_interval' must not be longer than 'verify_timeout'");
  }
  s.off_time = bounded(r, node, "off_time", s.off_time, 0ms, 1h);
  s.boot_timeout = bounded(r, node, "boot_timeout", s.boot_timeout, 1ms, 24h);
  s.heartbeat_timeout = r.number(node, "heartbeat_timeout", s.heartbeat_timeout, 1.0, 100.0);
  s.load_threshold = r.number(node, "load_threshold", s.load_threshold, 0.0, 60.0);
  s.max_in_flight = static_cast<std::size_t>(
      r.integer(node, "max_in_flight", static_cast<long>(s.max_in_flight), 1, 100000));
}

}  // namespace

const char* to_string(AnswerMode mode) {
  switch (mode) {
    case AnswerMode::kNetpowerHost:
      return "netpower-host";
    case AnswerMode::kTrap:
      return "trap";
    case AnswerMode::kNone:
      return "none";
  }
  return "?";
}

std::string port_id(std::string_view text) {
  if (!text.empty() && text[0] == '.') text.remove_prefix(1);
  if (text.size() != 2) return "";
  const char board = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  if (board < 'A' || board > 'Z' || text[1] < '1' || text[1] > '4') return "";
  return std::string{board, text[1]};
}

const HostSettings* Inventory::host(const std::string& name) const {
  for (const auto& h : hosts) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

const HostSettings* Inventory::host_by_id(const std::string& id) const {
  if (id.empty()) return nullptr;
  for (const auto& h : hosts) {
    if (h.id == id) return &h;
  }
  return nullptr;
}

const HostSettings* Inventory::host_on(const model::OutletRef& outlet) const {
  for (const auto& h : hosts) {
    for (const auto& o : h.outlets) {
      if (o == outlet) return &h;
    }
  }
  return nullptr;
}

core::Duration Inventory::heartbeat_timeout(const HostSettings& host) const {
  return std::chrono::duration_cast<core::Duration>(host.heartbeat * settings.heartbeat_timeout);
}

Inventory read_inventory(const config::ManagerConfig& config, const traps::TrapSettings* traps) {
  YamlReader r(config.file);
  Inventory inventory;
  Agents agents;
  for (const auto& a : config.agents) agents.names.insert(a.name);
  TrapUsers users;
  if (traps && traps->enabled) {
    users.receiver = true;
    for (const auto& u : traps->users) users.levels[u.usm.user] = u.usm.level;
  }
  read_settings(r, config.actions, inventory.settings);
  const auto& list = config.hosts;
  if (!list || list.IsNull()) return inventory;
  if (!list.IsSequence()) r.fail(list, "'hosts' must be a list of hosts");
  std::map<std::string, int> names, ids, user_of;
  std::map<model::OutletRef, std::string> outlet_of;
  for (const auto& node : list) {
    auto h = read_host(r, node, agents, users);
    auto taken = [&](std::map<std::string, int>& seen, const std::string& value, const char* key,
                     const std::string& what) {
      if (value.empty()) return;
      if (auto [it, fresh] = seen.emplace(value, h.line); !fresh) {
        r.fail(node[key], what + " '" + value + "' is already used by the host at line " +
                              std::to_string(it->second));
      }
    };
    taken(names, h.name, "name", "host name");
    taken(ids, h.id, "id", "host id");
    taken(user_of, h.user, "user", "user");
    for (std::size_t i = 0; i < h.outlets.size(); ++i) {
      const auto& o = h.outlets[i];
      if (auto [it, fresh] = outlet_of.emplace(o, h.name); !fresh) {
        r.fail(node["outlets"][i],
               "outlet " + o.text() + " is already the outlet of host '" + it->second + "'");
      }
    }
    inventory.hosts.push_back(std::move(h));
  }
  return inventory;
}

}  // namespace netpower::manager::actions
