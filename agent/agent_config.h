#pragma once
// netpower-agent's configuration file (YAML; docs/agent.md describes every key). Loading validates
// everything and throws core::ConfigError naming the file, line and problem.

#include <yaml-cpp/yaml.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "agent/model/chain_settings.h"
#include "agent/ups/ups_model.h"
#include "core/clock.h"
#include "core/tickle_code.h"
#include "core/yaml_reader.h"

namespace netpower::agent {

struct AgentxSettings {
  std::string socket;  // empty: net-snmp's default /var/agentx/master
  std::chrono::seconds ping_interval{5};
};

struct PduSettings {
  std::string driver;  // empty: no PDU
  core::Duration poll_interval = std::chrono::seconds(1);
  YAML::Node driver_settings;  // the driver's own block, validated by the driver
};

struct UpsSection {
  std::string driver;  // empty: no UPS
  ups::UpsAgentSettings agent;
  YAML::Node driver_settings;
};

struct TrapSettings {
  core::Duration period = kDefaultTrapPeriod;  // the steady-state period of the Sentry2 traps
};

// The tickle's pattern (docs/tickle.md): the bit time of every tickle the agent sends.
struct TickleSettings {
  core::Duration bit_time = core::kDefaultTickleBitTime;  // 1us .. 10s
};

inline constexpr std::size_t kUserNameMax = 32;  // SnmpAdminString of an SNMPv3 user name

// A user of the patent's access model: an administrator controls every port; a user only the
// ports granted to it. netpower-agent --snmpd-access turns the list into snmpd VACM views.
struct AccessUser {
  std::string name;  // the SNMPv3 (USM) user name, as created in snmpd
  bool admin = false;
  std::array<bool, core::kMaxPorts> ports{};  // for a user: the ports it may switch
  bool may_switch(core::PortId id) const {
    return admin || ports[static_cast<std::size_t>(id.flat())];
  }
};

struct AccessSettings {
  std::vector<AccessUser> users;
  const AccessUser* find(const std::string& name) const {
    for (const auto& user : users) {
      if (user.name == name) return &user;
    }
    return nullptr;
  }
};

inline constexpr const char* kDefaultSettingsFile = "/var/lib/netpower/agent-settings.yaml";

struct AgentConfig {
  std::string file;
  AgentxSettings agentx;
  std::string log_level = "info";
  // Where settings changed over SNMP are kept (written atomically); they override `chain`.
  std::string settings_file = kDefaultSettingsFile;
  ChainSettings chain;
  TrapSettings traps;
  TickleSettings tickle;
  AccessSettings access;
  PduSettings pdu;
  UpsSection ups;
};

// Reads a `chain:` mapping over `out` (only the keys present change). Used for the configuration
// file and for the settings file that keeps SNMP changes.
void read_chain_settings(const core::YamlReader& r, const YAML::Node& node, ChainSettings& out);

AgentConfig load_agent_config(const std::string& file);
// The same from text, `file` naming it in errors.
AgentConfig parse_agent_config(const std::string& text, const std::string& file);

}  // namespace netpower::agent
