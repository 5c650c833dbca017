#include "collectors/sim/sim_ups_collector.h"

#include <system_error>

#include "collectors/sim/sim_ups_protocol.h"

namespace netpower::collectors::sim {

SimUpsCollector::SimUpsCollector(const SimUpsSettings& settings, core::EventLoop& loop)
    : loop_(loop), ups_(settings, loop.clock()) {}

void SimUpsCollector::run(const UpsCommand& command, UpsCommandDone done) {
  auto result = ups_.run(command);
  loop_.call_after(core::Duration::zero(), [done = std::move(done), result]() { done(result); });
}

void SimUpsCollector::serve_control(const std::string& path) {
  server_ = std::make_unique<SimControlServer>(loop_, path, [this](std::string_view line) {
    return execute_ups_control_command(ups_, line);
  });
}

std::unique_ptr<SimUpsCollector> make_sim_ups_collector(const YAML::Node& settings,
                                                        DriverContext context) {
  auto parsed = parse_sim_ups_settings(settings, context.file);
  auto collector = std::make_unique<SimUpsCollector>(parsed, context.loop);
  if (context.open && !parsed.control_socket.empty()) {
    try {
      collector->serve_control(parsed.control_socket);
    } catch (const std::system_error& e) {
      context.file.fail(settings["control_socket"],
                        std::string("cannot serve the control socket: ") + e.what());
    }
  }
  return collector;
}

}  // namespace netpower::collectors::sim
