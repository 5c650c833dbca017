#include "manager/daemon/polled_agent.h"

#include <stdexcept>
#include <string>

#include "manager/config/agent_target.h"

namespace netpower::manager::daemon {

poller::PolledAgent polled_agent(const config::AgentSettings& agent) {
  try {
    return {agent.name, config::agent_target(agent), agent.poll_interval};
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("poller: " + std::string(e.what()));
  }
}

}  // namespace netpower::manager::daemon
