#include "manager/config/agent_target.h"

#include <stdexcept>
#include <string>

namespace netpower::manager::config {

snmp::TargetPtr agent_target(const AgentSettings& agent) {
  auto t = std::make_shared<snmp::Target>();
  t->address = agent.address;
  t->port = agent.port;
  t->timeout = std::chrono::duration_cast<std::chrono::milliseconds>(agent.timeout);
  t->retries = agent.retries;
  if (agent.version == SnmpVersion::kV2c) {
    t->version = snmp::Version::kV2c;
    t->community = agent.community.reveal();
  } else {
    t->version = snmp::Version::kV3;
    const auto& u = agent.usm;
    try {
      t->usm = snmp::make_usm_credentials(u.user, u.level, u.auth_protocol, u.auth_key.reveal(),
                                          u.priv_protocol, u.priv_key.reveal());
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(e.what()) + " (agent " + agent.name + ")");
    }
  }
  return t;
}

}  // namespace netpower::manager::config
