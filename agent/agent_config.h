#pragma once
// netpower-agent's configuration file (YAML; docs/agent.md describes every key). Loading validates
// everything and throws core::ConfigError naming the file, line and problem.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <optional>
#include <string>

#include "agent/model/chain_settings.h"
#include "agent/ups/ups_model.h"
#include "core/clock.h"

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

struct AgentConfig {
  std::string file;
  AgentxSettings agentx;
  std::string log_level = "info";
  ChainSettings chain;
  PduSettings pdu;
  UpsSection ups;
};

AgentConfig load_agent_config(const std::string& file);
// The same from text, `file` naming it in errors.
AgentConfig parse_agent_config(const std::string& text, const std::string& file);

}  // namespace netpower::agent
