#pragma once
// SNMPv3 notifications through net-snmp's message processing and USM: engine-ID discovery
// (Reports), authentication, decryption, time windows, and the Response to an inform. net-snmp is
// not thread-safe, so one engine serialises its callers.

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "manager/traps/decoded_trap.h"
#include "manager/traps/detail/engine_identity.h"
#include "manager/traps/trap_settings.h"

namespace netpower::manager::traps::detail {

class UsmEngine {
 public:
  // Sends one datagram to a peer (the receiver's socket).
  using Send = std::function<void(std::span<const std::uint8_t>, const sockaddr*, socklen_t)>;

  enum class Outcome {
    kTrap,             // a notification was accepted: `trap` is filled (not the source fields)
    kDiscovery,        // a discovery/time-window probe, answered with a Report
    kUnauthenticated,  // unknown user, wrong key, unsupported level (a Report may have been sent)
    kMalformed,        // not a parseable SNMPv3 message, or not a notification
  };
  struct Result {
    Outcome outcome = Outcome::kMalformed;
    bool answered = false;  // an inform's Response was sent
    std::string error;
  };

  // Sets up net-snmp (no configuration files read, nothing persisted by net-snmp), our engine ID
  // and boots (`identity`, which the caller persists: engine_identity.h), and the users localized
  // to that engine. Only one engine at a time per process; another one later in the same process
  // (tests) takes its identity, but its snmpEngineTime goes on from the first one's start. Throws
  // std::runtime_error.
  UsmEngine(const TrapSettings& settings, const EngineIdentity& identity, Send send);
  ~UsmEngine();
  UsmEngine(const UsmEngine&) = delete;
  UsmEngine& operator=(const UsmEngine&) = delete;

  // Any thread (calls are serialised).
  Result process(std::span<const std::uint8_t> packet, const sockaddr* from, socklen_t from_len,
                 DecodedTrap& trap);

  // The engine ID in hex, and snmpEngineBoots.
  std::string engine_id() const;
  std::uint32_t engine_boots() const;

  struct State;

 private:
  void set_up(const TrapSettings& settings, const EngineIdentity& identity);

  std::mutex mutex_;
  std::unique_ptr<State> state_;
};

}  // namespace netpower::manager::traps::detail
