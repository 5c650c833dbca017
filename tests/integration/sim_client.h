#pragma once
// A client of the sim collector's control socket (docs/simulator.md): what a test uses to read the
// simulated hardware's state and inject faults into a running netpower-agent.

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "collectors/sim/sim_control_client.h"

namespace netpower::testing {

class SimClient {
 public:
  explicit SimClient(std::filesystem::path socket) : socket_(std::move(socket)) {}
  // Sends one command line and returns the reply line. Throws std::runtime_error on a socket
  // failure or when no reply arrives within `timeout`.
  std::string command(const std::string& line,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) const {
    return collectors::sim::control_request(socket_.string(), line, timeout);
  }
  // command() that must answer "ok".
  void must(const std::string& line) const {
    auto reply = command(line);
    if (reply != "ok") throw std::runtime_error("sim: '" + line + "' answered '" + reply + "'");
  }
  nlohmann::json state() const { return nlohmann::json::parse(command("state")); }
  nlohmann::json history(const std::string& port) const {
    return nlohmann::json::parse(command("history " + port));
  }

 private:
  std::filesystem::path socket_;
};

}  // namespace netpower::testing
