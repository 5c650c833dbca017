#pragma once
// The `hosts:` and `actions:` sections of manager.yaml (docs/actions.md "Configuration"): the
// protected hosts with the outlets they are believed to be on and how they answer a tickle, and
// the timeouts of verified power actions. Read with the configuration's rules: errors name the
// file and line, unknown and duplicate keys are refused.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/yaml_reader.h"
#include "manager/config/manager_config.h"
#include "manager/model/action.h"
#include "manager/traps/trap_settings.h"

namespace netpower::manager::actions {

// How a host answers a tickle.
enum class AnswerMode : std::uint8_t {
  kNetpowerHost,  // netpower-host: an SNMPv3 netpowerTickleAnswer inform carrying the nonce
  kTrap,          // an appliance's own trap (`oid`) from its own address (a router's input line)
  kNone,          // cannot answer: only an admin's --force switches it
};
const char* to_string(AnswerMode mode);  // "netpower-host", "trap", "none"

struct HostSettings {
  std::string name;  // unique; [A-Za-z0-9_.-], 1..64
  std::string id;    // netpowerHostId it answers with; unique; required for netpower-host
  std::string user;  // the SNMPv3 user its informs must come from (one of traps.users)
  std::vector<model::OutletRef> outlets;                // 1, or 2 for a dual-corded host
  core::Duration heartbeat = std::chrono::seconds(30);  // the period the host uses
  AnswerMode answer = AnswerMode::kNetpowerHost;
  std::string trap_oid;      // kTrap: snmpTrapOID of the answer, numeric, no leading dot
  std::string trap_address;  // kTrap: the numeric address it comes from
  int line = 0;

  bool can_answer() const { return answer != AnswerMode::kNone; }
};

struct ActionSettings {
  core::Duration answer_timeout = std::chrono::seconds(5);   // tickle acknowledged -> answer
  core::Duration switch_timeout = std::chrono::seconds(10);  // a SET (tickle, switch) answered
  core::Duration verify_timeout = std::chrono::seconds(60);  // switched -> relay and load read back
  core::Duration verify_interval = std::chrono::seconds(1);  // between read-backs
  core::Duration off_time = std::chrono::seconds(15);        // reboot: verified off -> on
  core::Duration boot_timeout = std::chrono::minutes(10);    // verified on -> the host's hello
  double heartbeat_timeout = 2.5;   // a host is down after this many of its heartbeat periods
  double load_threshold = 0.05;     // amperes: at most this is "no load", above it "load back"
  std::size_t max_in_flight = 256;  // actions running at once; more wait their turn
};

struct Inventory {
  std::vector<HostSettings> hosts;
  ActionSettings settings;

  const HostSettings* host(const std::string& name) const;
  const HostSettings* host_by_id(const std::string& id) const;
  // The host the inventory puts on this outlet, or nullptr.
  const HostSettings* host_on(const model::OutletRef& outlet) const;
  // heartbeat * settings.heartbeat_timeout.
  core::Duration heartbeat_timeout(const HostSettings& host) const;
};

// Reads config.hosts and config.actions. Outlets must name configured agents; a netpower-host's
// user must be one of `traps`' users (authNoPriv or authPriv), used by no other host. Throws
// core::ConfigError naming the file and line.
Inventory read_inventory(const config::ManagerConfig& config, const traps::TrapSettings* traps);

// A port id "A1".."Z4" (also ".A1"), normalized to "A1"; "" when it is none.
std::string port_id(std::string_view text);

}  // namespace netpower::manager::actions
