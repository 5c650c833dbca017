#pragma once
// What netpower-host tells the manager, as data (no SNMP library here): the hello at start, the
// heartbeat, and the answer to a tickle. The informer turns them into SNMPv3 informs.

#include <cstdint>
#include <string>
#include <vector>

#include "host/host_oids.h"

namespace netpower::host {

struct HostIdentity {
  std::string host_id;   // configured, else /etc/machine-id
  std::string hostname;  // configured, else gethostname()
  std::string boot_id;   // /proc/sys/kernel/random/boot_id
};

struct NotificationVarbind {
  enum class Type { kOctets, kUnsigned32 };
  OidVector oid;
  Type type = Type::kOctets;
  std::string octets;
  std::uint32_t number = 0;
};

struct Notification {
  enum class Kind { kHello, kHeartbeat, kTickleAnswer };
  Kind kind = Kind::kHello;
  OidVector trap_oid;
  std::vector<NotificationVarbind> varbinds;
};

const char* to_string(Notification::Kind kind);

// Every notification carries host id, hostname, boot id and `sequence` (one counter per process,
// so the manager sees gaps and restarts); the answer carries the nonce first, as 8 big-endian
// bytes.
Notification make_hello(const HostIdentity& identity, std::uint32_t sequence);
Notification make_heartbeat(const HostIdentity& identity, std::uint32_t sequence);
Notification make_tickle_answer(const HostIdentity& identity, std::uint64_t nonce,
                                std::uint32_t sequence);

// The 8 bytes of a nonce as carried in netpowerHostNonce.
std::string nonce_octets(std::uint64_t nonce);
// "0123456789abcdef".
std::string nonce_hex(std::uint64_t nonce);

}  // namespace netpower::host
