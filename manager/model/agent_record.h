#pragma once
// An agent as the configuration describes it: what the store keeps in `agents` and what the API
// shows beside the agent's state.

#include <cstdint>
#include <map>
#include <string>

namespace netpower::manager::model {

struct AgentRecord {
  std::string name;
  std::string address;
  std::uint16_t port = 161;
  std::string version;                        // "2c" or "3"
  std::map<std::string, std::string> labels;  // site, rack, ...
};

}  // namespace netpower::manager::model
