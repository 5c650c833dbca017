#include "collectors/sim/sim_ups_collector.h"

#include <system_error>

#include "collectors/sim/sim_collector.h"
#include "collectors/sim/sim_ups_protocol.h"

namespace netpower::collectors::sim {

SimUpsCollector::SimUpsCollector(const SimUpsSettings& settings, core::EventLoop& loop)
    : loop_(loop), ups_(settings, loop.clock()) {}

SimUpsCollector::~SimUpsCollector() {
  if (fed_chain_ != nullptr) fed_chain_->set_supply(nullptr);
}

void SimUpsCollector::feed(SimChain& chain) {
  if (fed_chain_ != nullptr) fed_chain_->set_supply(nullptr);
  ups_.feed(&chain);
  chain.set_supply(&ups_);
  fed_chain_ = &chain;
}

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
  if (parsed.feeds_chain) {
    auto* chain = dynamic_cast<SimCollector*>(context.pdu);
    if (chain == nullptr) {
      context.file.fail(settings["feeds_chain"],
                        "'feeds_chain' needs the simulated chain behind the UPS: the agent's "
                        "'pdu' section with driver sim");
    }
    collector->feed(chain->chain());
  }
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
