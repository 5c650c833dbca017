#include "manager/daemon/polled_agent.h"

#include <stdexcept>
#include <string>

#include "manager/config/agent_target.h"

namespace netpower::manager::daemon {

poller::PolledAgent polled_agent(const config::AgentSettings& agent) {
  snmp::TargetPtr target;
  try {
    target = config::agent_target(agent);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("poller: " + std::string(e.what()));
  }
  poller::PolledAgent p{agent.name, std::move(target), agent.poll_interval};
  // Unset: the poller's defaults (poller::default_poll_deadline, poller::PollLimits).
  if (agent.poll_deadline) p.poll_deadline = *agent.poll_deadline;
  if (agent.max_poll_varbinds) p.limits.max_varbinds = *agent.max_poll_varbinds;
  if (agent.max_poll_bytes) p.limits.max_bytes = static_cast<std::size_t>(*agent.max_poll_bytes);
  return p;
}

}  // namespace netpower::manager::daemon
