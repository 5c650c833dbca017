#pragma once
// Plays the simulated chain's signal lines onto the wires: every edge of a tickle, and every change
// of a shutdown signal, is sent (core/tickle_wire.h) to the port's cable endpoint at the edge's
// time on the loop's clock (so a scaled clock plays a tickle faster); the changes of a port that
// are due together go in one datagram. The cable's state is read when each change is sent:
// swapping or cutting a cable mid-tickle takes effect at once. Non-blocking: when the endpoint's
// queue is full the datagram is retried a millisecond later (the times travel with the changes,
// so lateness is no jitter); a change for a cut cable or an endpoint nobody listens on is dropped
// and counted, as an edge on a real line that nobody watches is lost.

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>

#include "collectors/sim/sim_chain.h"
#include "core/event_loop.h"
#include "core/tickle_wire.h"

namespace netpower::collectors::sim {

class SimWirePlayer final : public SimLineSink {
 public:
  // Opens an unbound datagram socket; throws std::system_error if it cannot. `loop` and `chain`
  // must outlive the player; the player registers itself as the chain's line sink and unregisters
  // on destruction.
  SimWirePlayer(core::EventLoop& loop, SimChain& chain, std::uint64_t seed = 1);
  ~SimWirePlayer() override;
  SimWirePlayer(const SimWirePlayer&) = delete;
  SimWirePlayer& operator=(const SimWirePlayer&) = delete;

  void tickle(core::PortId port, const core::TicklePattern& pattern) override;
  void shutdown_signal(core::PortId port, bool asserted) override;

  std::uint64_t sent() const { return sent_; }
  std::uint64_t dropped() const { return dropped_; }
  // Changes scheduled and not yet sent.
  std::size_t pending() const;

 private:
  struct Outbox {
    std::deque<core::WireEvent> events;  // in time order
    std::optional<core::TimerId> timer;
    core::TimePoint armed_for{};
  };
  void schedule(core::PortId port, core::WireEvent event);
  void arm(int flat, core::TimePoint when);
  void flush(int flat);

  core::EventLoop& loop_;
  SimChain& chain_;
  int fd_ = -1;
  std::mt19937_64 rng_;
  std::array<Outbox, core::kMaxPorts> outboxes_;
  std::uint64_t sent_ = 0;
  std::uint64_t dropped_ = 0;
};

// The edges of `pattern` starting at `start`, XOR `glitches` short pulses (each 2% to 30% of a bit
// time wide, placed uniformly from two bit times before the frame to two after): what a noisy line
// carries. Exposed for tests.
std::vector<core::WireEvent> noisy_tickle_events(const core::TicklePattern& pattern,
                                                 core::TimePoint start, int glitches,
                                                 std::mt19937_64& rng);

}  // namespace netpower::collectors::sim
