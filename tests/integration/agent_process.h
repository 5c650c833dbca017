#pragma once
// A real netpower-agent process (the built binary) with a simulated chain and/or a UPS, registered
// with a real snmpd.

#include <filesystem>
#include <string>

#include "tests/integration/sim_client.h"
#include "tests/support/process.h"
#include "tests/support/snmpd_server.h"
#include "tests/support/temp_dir.h"

namespace netpower::testing {

struct AgentSetup {
  int boards = 4;
  double time_scale = 1.0;  // --time-scale
  std::string poll_interval = "50ms";
  std::string chain_yaml;  // lines inside `chain:` (indented by 2)
  std::string sim_yaml;    // extra lines inside `pdu.settings:` (indented by 4)
  bool pdu = true;         // false: no `pdu:` section (a UPS-only agent)
  // A whole `ups:` section (unindented key), or empty for none. "@UPS_SOCKET@" is replaced by the
  // path of the sim UPS's control socket.
  std::string ups_yaml;
  // Other top-level sections (unindented keys), e.g. "traps:\n  period: 1s\n".
  std::string extra_yaml;
};

class AgentProcess {
 public:
  AgentProcess(const SnmpdServer& snmpd, AgentSetup setup);
  // Writes the configuration, starts the agent, and waits until snmpd serves its chain.
  void start();
  // Starts without waiting for anything (for tests of start-up failures and of a missing master).
  void spawn();
  Process& process() { return *process_; }
  std::string log_text() const;
  SimClient sim() const { return SimClient(sim_socket_); }
  const std::filesystem::path& ups_socket() const { return ups_socket_; }
  const std::filesystem::path& config_path() const { return config_; }
  // Where the agent keeps settings changed over SNMP (in the agent's folder; survives restarts).
  std::filesystem::path settings_file() const { return dir_.path() / "settings.yaml"; }
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  std::string render() const;

  const SnmpdServer& snmpd_;
  AgentSetup setup_;
  TempDir dir_{"np-agent"};
  std::filesystem::path config_;
  std::filesystem::path sim_socket_;
  std::filesystem::path ups_socket_;
  ProcessPtr process_;
};

}  // namespace netpower::testing
