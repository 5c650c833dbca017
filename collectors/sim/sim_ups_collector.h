#pragma once
// The "sim" UPS driver: a SimUps behind the UpsCollector interface, with an optional control
// server (its own socket, its own protocol: sim_ups_protocol.h).

#include <yaml-cpp/yaml.h>

#include <memory>

#include "collectors/driver_context.h"
#include "collectors/sim/sim_chain.h"
#include "collectors/sim/sim_control_server.h"
#include "collectors/sim/sim_ups.h"
#include "collectors/ups.h"

namespace netpower::collectors::sim {

class SimUpsCollector final : public UpsCollector {
 public:
  SimUpsCollector(const SimUpsSettings& settings, core::EventLoop& loop);
  ~SimUpsCollector() override;
  SimUpsCollector(const SimUpsCollector&) = delete;
  SimUpsCollector& operator=(const SimUpsCollector&) = delete;

  std::string name() const override { return "sim"; }
  UpsReading read() override { return ups_.read(); }
  std::vector<std::string> commands() const override { return ups_.commands(); }
  std::chrono::seconds max_command_delay() const override { return ups_.max_command_delay(); }
  void run(const UpsCommand& command, UpsCommandDone done) override;

  void serve_control(const std::string& path);
  // Puts `chain` behind the UPS: the UPS's load is what the chain draws, and the chain has power
  // only while the UPS's output is on. `chain` must outlive this collector (it is detached here).
  void feed(SimChain& chain);
  SimUps& ups() { return ups_; }

 private:
  core::EventLoop& loop_;
  SimUps ups_;
  SimChain* fed_chain_ = nullptr;
  std::unique_ptr<SimControlServer> server_;  // after ups_: stops serving before the UPS goes
};

// Throws core::ConfigError for bad settings, a control socket that cannot be set up, or
// `feeds_chain` without a sim PDU collector in `context.pdu`.
std::unique_ptr<SimUpsCollector> make_sim_ups_collector(const YAML::Node& settings,
                                                        DriverContext context);

}  // namespace netpower::collectors::sim
