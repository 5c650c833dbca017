#include "manager/daemon/polled_agent.h"

#include <stdexcept>
#include <string>

namespace netpower::manager::daemon {

namespace {

snmp::TargetPtr make_target(const config::AgentSettings& agent) {
  auto t = std::make_shared<snmp::Target>();
  t->address = agent.address;
  t->port = agent.port;
  t->timeout = std::chrono::duration_cast<std::chrono::milliseconds>(agent.timeout);
  t->retries = agent.retries;
  if (agent.version == config::SnmpVersion::kV2c) {
    t->version = snmp::Version::kV2c;
    t->community = agent.community.reveal();
  } else {
    t->version = snmp::Version::kV3;
    const auto& u = agent.usm;
    try {
      t->usm = snmp::make_usm_credentials(u.user, u.level, u.auth_protocol, u.auth_key.reveal(),
                                          u.priv_protocol, u.priv_key.reveal());
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("poller: " + std::string(e.what()) + " (agent " + agent.name +
                                  ")");
    }
  }
  return t;
}

}  // namespace

poller::PolledAgent polled_agent(const config::AgentSettings& agent) {
  poller::PolledAgent p{agent.name, make_target(agent), agent.poll_interval};
  // Unset: the poller's defaults (poller::default_poll_deadline, poller::PollLimits).
  if (agent.poll_deadline) p.poll_deadline = *agent.poll_deadline;
  if (agent.max_poll_varbinds) p.limits.max_varbinds = *agent.max_poll_varbinds;
  if (agent.max_poll_bytes) p.limits.max_bytes = static_cast<std::size_t>(*agent.max_poll_bytes);
  return p;
}

}  // namespace netpower::manager::daemon
