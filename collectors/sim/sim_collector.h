#pragma once
// The "sim" PDU driver: a SimChain behind the PduCollector interface, with an optional control
// server through which tests and operators inject faults and read the history.

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>

#include "collectors/pdu.h"
#include "collectors/sim/sim_chain.h"
#include "collectors/sim/sim_control_server.h"
#include "collectors/sim/sim_wire.h"
#include "core/event_loop.h"
#include "core/yaml_reader.h"

namespace netpower::collectors::sim {

class SimCollector final : public PduCollector {
 public:
  // `clock` must outlive the collector.
  SimCollector(const SimSettings& settings, const core::Clock& clock);
  SimCollector(const SimCollector&) = delete;
  SimCollector& operator=(const SimCollector&) = delete;

  std::string name() const override { return "sim"; }
  ChainReadResult read() override { return chain_.read(); }
  PduResult switch_port(core::PortId port, bool on) override {
    return chain_.switch_port(port, on);
  }
  PduResult set_shutdown_signal(core::PortId port, bool asserted) override {
    return chain_.set_shutdown_signal(port, asserted);
  }
  PduResult acknowledge_power_up(core::BoardId board) override {
    return chain_.acknowledge_power_up(board);
  }
  PduResult tickle(core::PortId port, const std::vector<std::uint8_t>& pattern) override {
    return chain_.tickle(port, pattern);
  }

  // Serves the control protocol on the Unix socket `path` until destruction. Throws
  // std::system_error when the socket cannot be set up.
  void serve_control(core::EventLoop& loop, const std::string& path);

  // Plays the chain's signal lines onto the ports' wires until destruction. Throws
  // std::system_error when the wire socket cannot be opened.
  void play_wires(core::EventLoop& loop);

  SimChain& chain() { return chain_; }
  const SimWirePlayer* wire_player() const { return wires_.get(); }
  const SimControlServer* control_server() const { return server_.get(); }

 private:
  SimChain chain_;
  std::unique_ptr<SimWirePlayer> wires_;      // after chain_: unregisters before the chain goes
  std::unique_ptr<SimControlServer> server_;  // after chain_: stops serving before the chain goes
};

// The driver factory: reads `settings` (see docs/simulator.md), runs on `loop`'s clock, and serves
// the control socket when one is configured. Throws core::ConfigError for bad settings or a control
// socket that cannot be set up.
std::unique_ptr<SimCollector> make_sim_collector(const YAML::Node& settings,
                                                 const core::YamlReader& reader,
                                                 core::EventLoop& loop, bool open = true);

}  // namespace netpower::collectors::sim
