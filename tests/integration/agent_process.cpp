#include "tests/integration/agent_process.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/wait.h"

namespace netpower::testing {

AgentProcess::AgentProcess(const SnmpdServer& snmpd, AgentSetup setup)
    : snmpd_(snmpd),
      setup_(std::move(setup)),
      config_(dir_.file("agent.yaml")),
      sim_socket_(dir_.file("sim.sock")),
      ups_socket_(dir_.file("ups.sock")) {}

std::string AgentProcess::render() const {
  std::ostringstream out;
  out << "agentx:\n  socket: " << snmpd_.agentx_socket().string() << "\n  ping_interval: 1s\n"
      << "log:\n  level: debug\n"
      << "settings_file: " << settings_file().string() << "\n";
  if (setup_.pdu) {
    out << "chain:\n"
        << (setup_.chain_yaml.empty() ? "  location: \"\"\n" : setup_.chain_yaml) << "pdu:\n"
        << "  driver: sim\n  poll_interval: " << setup_.poll_interval << "\n"
        << "  settings:\n    boards: " << setup_.boards
        << "\n    control_socket: " << sim_socket_.string() << "\n"
        << setup_.sim_yaml;
  }
  std::string ups = setup_.ups_yaml;
  for (auto at = ups.find("@UPS_SOCKET@"); at != std::string::npos; at = ups.find("@UPS_SOCKET@")) {
    ups.replace(at, 12, ups_socket_.string());
  }
  out << ups << setup_.extra_yaml;
  return out.str();
}

void AgentProcess::spawn() {
  {
    std::ofstream file(config_);
    file << render();
  }
  std::vector<std::string> argv = {NETPOWER_AGENT_BIN, "--config", config_.string()};
  if (setup_.time_scale != 1.0) {
    argv.push_back("--time-scale");
    argv.push_back(std::to_string(setup_.time_scale));
  }
  process_ = std::make_unique<Process>(argv, dir_.file("agent.log"));
}

void AgentProcess::start() {
  spawn();
  auto cli = snmpd_.cli_v3();
  // Served once the last board's letter (or, without a PDU, the UPS-MIB's agent version) can be
  // read through the master.
  std::string last(1, static_cast<char>('A' + setup_.boards - 1));
  bool up = wait_until(
      [&]() {
        if (!process_->running()) return true;
        if (!setup_.pdu) {
          auto r = cli.get({"1.3.6.1.2.1.33.1.1.4.0"});
          return r.ok() && !r.varbinds.empty() &&
                 r.varbinds[0].value.find("netpower-agent") != std::string::npos;
        }
        auto r = cli.get({"1.3.6.1.4.1.1718.2.1.2.0"});
        return r.ok() && !r.varbinds.empty() && r.varbinds[0].value == last;
      },
      std::chrono::seconds(20), std::chrono::milliseconds(50));
  if (!up || !process_->running()) {
    throw std::runtime_error("netpower-agent did not come up; its log:\n" + log_text() +
                             "\nsnmpd log:\n" + snmpd_.log_text());
  }
}

std::string AgentProcess::log_text() const { return process_ ? process_->log_text() : ""; }

}  // namespace netpower::testing
