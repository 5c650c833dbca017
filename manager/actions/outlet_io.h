#pragma once
// What an action asks of an outlet's agent, and what the answers mean (docs/actions.md "Steps"):
// a tickle is a SET of netpowerTickleNonce.<port> (8 octets), a switch a SET of
// sentry2PortPowerAction.<port> (powerOff 1, powerOn 2), a read-back a GET of
// sentry2PortControlStatus and sentry2PortDeviceLoad. Pure, no I/O: the runner sends them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "manager/snmp/client.h"

namespace netpower::manager::actions {

struct OutletCommand {
  enum class Kind : std::uint8_t { kTickle, kSwitch, kRead };
  Kind kind = Kind::kRead;
  std::size_t outlet = 0;   // index into the action's outlets
  std::uint64_t nonce = 0;  // kTickle
  bool on = false;          // kSwitch
  bool operator==(const OutletCommand&) const = default;
};

// The answer to a SET.
struct SetResult {
  enum class Kind : std::uint8_t { kOk, kRefused, kTimeout, kError };
  Kind kind = Kind::kOk;
  std::string text;  // why, for people: "inconsistentValue (a tickle is still being sent)"
};

// The answer to a read-back.
struct ReadResult {
  bool ok = false;
  std::string control;              // sentry2PortControlStatus
  std::string load_text;            // sentry2PortDeviceLoad as served
  std::optional<double> load_amps;  // 0 for "Not On", nullopt for "N/A" (no sensor)
  std::string error;                // !ok: why
};

// The PDU for a command on `port` ("A1"). kSet PDUs carry their values.
snmp::RequestPdu request_for(const OutletCommand& command, const std::string& port);
SetResult set_result(const OutletCommand& command, const snmp::Response& response);
ReadResult read_result(const snmp::Response& response);

// The nonce as netpowerTickleNonce's 8 octets, big-endian.
std::string nonce_octets(std::uint64_t nonce);

}  // namespace netpower::manager::actions
