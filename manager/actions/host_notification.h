#pragma once
// What netpower-host says (docs/tickle.md "The answer"): a hello at start, heartbeats, and an
// answer per decoded nonce, each with the host's id, name, boot id and sequence; taken from the
// trap receiver's decoded notifications. Pure, no I/O.

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "manager/model/time.h"
#include "manager/traps/decoded_trap.h"

namespace netpower::manager::actions {

struct HostNotification {
  enum class Kind : std::uint8_t { kHello, kHeartbeat, kAnswer };
  Kind kind = Kind::kHeartbeat;
  std::optional<std::uint64_t> nonce;  // kAnswer: the nonce, big-endian octets as a number
  std::string host_id;
  std::string hostname;
  std::string boot_id;
  std::uint32_t sequence = 0;
  std::string user;            // the SNMPv3 user it came from ("" for v1/v2c)
  std::string address;         // the sender's numeric address
  core::TimePoint received{};  // on the actions' clock
  model::WallTime received_wall{};
};
const char* to_string(HostNotification::Kind kind);  // "hello", "heartbeat", "answer"

// Longest id, name and boot id accepted (the MIB's sizes); longer ones make the notification
// malformed.
inline constexpr std::size_t kMaxHostIdLength = 64;
inline constexpr std::size_t kMaxHostNameLength = 255;
inline constexpr std::size_t kMaxBootIdLength = 64;

enum class NotificationParse : std::uint8_t {
  kNotHost,  // some other notification
  kParsed,
  kMalformed,  // a host notification without its id, or with a value of the wrong type or size
};

// Parses `trap` when it is netpowerHostHello, netpowerHostHeartbeat or netpowerTickleAnswer.
NotificationParse parse_host_notification(const traps::DecodedTrap& trap, core::TimePoint received,
                                          HostNotification& out);

}  // namespace netpower::manager::actions
