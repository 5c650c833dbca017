#pragma once
// Delivers notifications to the manager. The daemon calls send() on its loop thread; delivery
// happens elsewhere and never blocks the caller.

#include <cstdint>
#include <memory>

#include "host/host_config.h"
#include "host/notification.h"

namespace netpower::host {

struct InformerStats {
  std::uint64_t delivered = 0;  // acknowledged by the manager
  std::uint64_t failed = 0;     // given up after every attempt, or dropped from a full queue
  std::uint64_t attempts = 0;
};

class Informer {
 public:
  virtual ~Informer() = default;
  // Queues `notification` for delivery (with retries). Loop thread; must not block.
  virtual void send(Notification notification) = 0;
  virtual InformerStats stats() const = 0;
};
using InformerPtr = std::unique_ptr<Informer>;

// SNMPv3 authPriv informs through net-snmp's library, on a thread of their own: each notification
// is an InformRequest-PDU (snmpTrapOID.0 = its OID, then its varbinds) sent to `config.address`
// as `config.user`; an attempt is net-snmp's timeout and retransmissions, and a failed attempt
// is repeated `config.attempts` times in all with a doubling backoff. At most kMaxQueued wait;
// beyond that the oldest is dropped (and counted failed). Throws std::runtime_error when the
// passphrases cannot be turned into keys.
InformerPtr make_snmp_informer(const ManagerConfig& config);

inline constexpr std::size_t kMaxQueued = 1024;

}  // namespace netpower::host
