#pragma once
// The manager's SNMP trap receiver: one UDP socket (v1/v2c traps, v2c/v3 informs, answered), a
// receive thread that only moves datagrams from the kernel (recvmmsg) into per-decoder queues, and
// decoder threads that decode, authenticate (community / USM), answer informs, and hand each
// notification to the hooks below. docs/traps.md describes the configuration and the counters.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "manager/model/event_bus.h"
#include "manager/traps/decoded_trap.h"
#include "manager/traps/trap_settings.h"

namespace netpower::manager::traps {

// Every datagram read is counted once in `received` and then in exactly one of decoded, malformed,
// unauthenticated, discovery (v3 engine-ID discovery probes, answered with a Report) — once the
// decoders have caught up. `kernel_dropped` counts datagrams the kernel threw away because the
// socket buffer was full (SO_RXQ_OVFL): they were never received. Monotonic; any thread.
struct TrapCounters {
  std::uint64_t received = 0;
  std::uint64_t decoded = 0;          // accepted notifications, given to the hooks
  std::uint64_t malformed = 0;        // not SNMP, truncated, too large, or not a notification
  std::uint64_t unauthenticated = 0;  // unknown community, unknown v3 user, wrong key, ...
  std::uint64_t discovery = 0;        // v3 discovery / time-window probes answered with a Report
  std::uint64_t kernel_dropped = 0;
  std::uint64_t informs_answered = 0;  // Responses sent (v2c and v3)
  std::uint64_t queue_full_waits = 0;  // times the receive thread waited for a decoder

  // Datagrams whose fate is known (all of them once the decoders are idle).
  std::uint64_t accounted() const { return decoded + malformed + unauthenticated + discovery; }
};

// A configured agent, for naming the source of a trap.
struct AgentAddress {
  std::string name;
  std::string address;  // numeric or a host name (resolved once, at start)
};

struct TrapReceiverOptions {
  std::vector<AgentAddress> agents;
  // Called on a decoder thread for every accepted notification, before it is published as an event;
  // several decoder threads may call it at once (notifications from one source always come from the
  // same thread, in arrival order). Must not block: the state cache updates a port here.
  std::function<void(const DecodedTrap&)> on_trap;
  // Where the notifications go as events (the event hub: batched publish() calls from the decoder
  // threads); may be null. Not owned; must outlive the receiver.
  model::EventSink* events = nullptr;
};

class TrapReceiver {
 public:
  virtual ~TrapReceiver() = default;  // stops (see stop())

  // The bound UDP port (the configured one, or the one the kernel chose for port 0).
  virtual std::uint16_t port() const = 0;
  // SO_RCVBUF as the kernel granted it (Linux reports twice the payload it will hold).
  virtual std::uint64_t receive_buffer_bytes() const = 0;
  virtual TrapCounters counters() const = 0;
  // Stops receiving, lets the decoders finish what was queued, joins the threads. Idempotent; any
  // thread but a hook's.
  virtual void stop() = 0;
};
using TrapReceiverPtr = std::unique_ptr<TrapReceiver>;

// Binds the socket and starts the threads. Throws std::system_error when the socket cannot be
// bound, std::runtime_error when the SNMPv3 users cannot be set up.
TrapReceiverPtr start_trap_receiver(const TrapSettings& settings, TrapReceiverOptions options);

}  // namespace netpower::manager::traps
