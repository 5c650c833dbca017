#pragma once
// The configuration's agent as an SNMP target (v2c community or SNMPv3 USM credentials, the keys
// derived here: milliseconds per distinct pass phrase), with its timeout and retries. The poller's
// targets and the actions' are built alike (daemon/polled_agent, actions/action_runner).

#include "manager/config/manager_config.h"
#include "manager/snmp/client.h"

namespace netpower::manager::config {

// Throws std::invalid_argument naming the agent for unusable credentials.
snmp::TargetPtr agent_target(const AgentSettings& agent);

}  // namespace netpower::manager::config
