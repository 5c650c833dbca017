#pragma once
// A real snmptrapd on loopback that logs every SNMPv2c notification it receives, for tests that
// check what an snmpd master delivered to its trap sinks.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace netpower::testing {

struct ReceivedTrap {
  std::string trap_oid;  // snmpTrapOID.0, numeric with a leading dot
  // Every varbind after sysUpTime.0 and snmpTrapOID.0, in order: (numeric OID, "TYPE: value").
  std::vector<std::pair<std::string, std::string>> varbinds;
  // The value text of the varbind named `oid` (as "TYPE: value"), if present.
  std::optional<std::string> value(const std::string& oid) const;
  // The value of the first varbind whose OID starts with `prefix`.
  std::optional<std::string> value_under(const std::string& prefix) const;
};

class TrapReceiver {
 public:
  // Starts snmptrapd on udp:127.0.0.1:<free port>, accepting v1/v2c notifications with
  // `community`. Throws std::runtime_error if it does not come up.
  explicit TrapReceiver(std::string community = "np-trap-test");
  ~TrapReceiver();
  TrapReceiver(const TrapReceiver&) = delete;
  TrapReceiver& operator=(const TrapReceiver&) = delete;

  std::uint16_t port() const { return port_; }
  const std::string& community() const { return community_; }
  // The snmpd.conf line that sends v2c traps here.
  std::string sink_line() const;

  // Everything received so far, in arrival order.
  std::vector<ReceivedTrap> traps() const;
  std::vector<ReceivedTrap> traps_of(const std::string& trap_oid) const;
  // Waits for a trap with `trap_oid` (and `match`, if given) that arrived after the first `skip`
  // traps of that OID.
  std::optional<ReceivedTrap> wait_for(const std::string& trap_oid,
                                       std::chrono::milliseconds timeout,
                                       std::function<bool(const ReceivedTrap&)> match = {},
                                       std::size_t skip = 0) const;
  std::string log_text() const;

 private:
  TempDir dir_{"np-trapd"};
  std::string community_;
  std::uint16_t port_ = 0;
  ProcessPtr process_;
};

}  // namespace netpower::testing
