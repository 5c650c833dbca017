// netpower-simctl: sends one command to a simulated chain's control socket and prints the reply
// (docs/simulator.md lists the commands).

#include <CLI/CLI.hpp>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "collectors/sim/sim_control_client.h"

int main(int argc, char** argv) {
  std::string socket_path;
  std::vector<std::string> words;
  int timeout_ms = 5000;
  CLI::App app{
      "netpower-simctl: talks to the control socket of netpower's simulated PDU chain or UPS",
      "netpower-simctl"};
  app.add_option("socket", socket_path, "the sim's control_socket path")->required();
  app.add_option("command", words,
                 "state | history [PORT] | fault PORT|BOARD KIND | load PORT AMPS | "
                 "temperature BOARD C|none | unplug | plug | switch PORT on|off | help")
      ->required();
  app.add_option("--timeout-ms", timeout_ms, "how long to wait for the reply")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::string line;
  for (const auto& w : words) line += (line.empty() ? "" : " ") + w;
  try {
    auto reply = netpower::collectors::sim::control_request(socket_path, line,
                                                            std::chrono::milliseconds(timeout_ms));
    std::printf("%s\n", reply.c_str());
    return reply.rfind("error:", 0) == 0 ? 1 : 0;
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr,
                 "netpower-simctl: %s (is netpower-agent running with the sim's control_socket "
                 "set?)\n",
                 e.what());
    return 2;
  }
}
