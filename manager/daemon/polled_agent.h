#pragma once
// The configuration's agent as the poller sees it: its SNMP target (v2c community or SNMPv3 USM
// credentials: config/agent_target.h), its schedule and its poll's bounds (deadline, varbinds,
// bytes).

#include "manager/config/manager_config.h"
#include "manager/poller/poller.h"

namespace netpower::manager::daemon {

// Throws std::invalid_argument naming the agent for unusable credentials.
poller::PolledAgent polled_agent(const config::AgentSettings& agent);

}  // namespace netpower::manager::daemon
