#include "collectors/sim/sim_collector.h"

#include <system_error>

#include "collectors/sim/sim_control_protocol.h"

namespace netpower::collectors::sim {

SimCollector::SimCollector(const SimSettings& settings, const core::Clock& clock)
    : chain_(settings, clock) {}

void SimCollector::serve_control(core::EventLoop& loop, const std::string& path) {
  server_ = std::make_unique<SimControlServer>(
      loop, path, [this](std::string_view line) { return execute_control_command(chain_, line); });
}

void SimCollector::play_wires(core::EventLoop& loop) {
  wires_ = std::make_unique<SimWirePlayer>(loop, chain_);
}

std::unique_ptr<SimCollector> make_sim_collector(const YAML::Node& settings,
                                                 const core::YamlReader& reader,
                                                 core::EventLoop& loop, bool open) {
  auto parsed = parse_sim_settings(settings, reader);
  auto collector = std::make_unique<SimCollector>(parsed, loop.clock());
  if (open) {
    try {
      collector->play_wires(loop);
    } catch (const std::system_error& e) {
      reader.fail(settings, std::string("cannot open the wire socket: ") + e.what());
    }
  }
  if (open && !parsed.control_socket.empty()) {
    try {
      collector->serve_control(loop, parsed.control_socket);
    } catch (const std::system_error& e) {
      reader.fail(settings["control_socket"],
                  std::string("cannot serve the control socket: ") + e.what());
    }
  }
  return collector;
}

}  // namespace netpower::collectors::sim
