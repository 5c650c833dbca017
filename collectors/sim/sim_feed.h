#pragma once
// The simulated power path from a simulated UPS to the simulated chain behind it
// (`feeds_chain: true` in the sim UPS's settings, docs/ups.md): the UPS's load is what the chain
// draws, and the chain has power only while the UPS's output is on. Both sides run on the agent's
// loop thread; neither owns the other.

namespace netpower::collectors::sim {

// What a simulated UPS feeds.
class SimLoad {
 public:
  virtual ~SimLoad() = default;
  // Amperes drawn with power at the input: the appliances whose outlets let power through
  // (relays and port faults), whatever the supply does now.
  virtual double demand_amps() const = 0;
};

// What feeds a simulated chain.
class SimSupply {
 public:
  virtual ~SimSupply() = default;
  // Brings the supply up to the clock's now (with the demand drawn until now) and says whether
  // its output is on. A chain calls it before each change of its demand, so that the discharge
  // until then is counted with the demand before the change.
  virtual bool output_on_now() = 0;
};

}  // namespace netpower::collectors::sim
