#pragma once
// A small inventory read through the real configuration code, and the notifications netpower-host
// sends, built as the trap receiver would decode them.

#include <optional>
#include <string>

#include "core/yaml_reader.h"
#include "manager/actions/inventory.h"
#include "manager/config/manager_config.h"
#include "manager/mib/oids.h"
#include "manager/traps/decoded_trap.h"
#include "manager/traps/trap_settings.h"

namespace netpower::manager::actions::testing {

// pdu1 and pdu2; hosts web1 (pdu1.A1), db1 (dual-corded: pdu1.A2 + pdu2.B1), router (pdu1.A3,
// answers with linkUp from 10.0.0.9), dumb (pdu1.A4, cannot answer). Heartbeats 100 ms, timeout
// factor 2 (200 ms); answers 100 ms, SETs 50 ms, verify 200 ms every 20 ms, off time 300 ms,
// boot 1 s.
inline const char* kConfig = R"(agents:
  - name: pdu1
    address: 127.0.0.1
    port: 16101
    version: 2c
    community: "np-test-community"
    labels: {site: ams, rack: "12"}
  - name: pdu2
    address: 127.0.0.1
    port: 16102
    version: 2c
    community: "np-test-community"
    labels: {site: fra}
traps:
  port: 0
  users:
    - {user: web1-user, auth_key: auth-secret-1, priv_key: priv-secret-1}
    - {user: db1-user, auth_key: auth-secret-2, priv_key: priv-secret-2}
    - {user: other-user, auth_key: auth-secret-3, priv_key: priv-secret-3}
hosts:
  - name: web1
    id: id-web1
    user: web1-user
    outlets: [pdu1.A1]
    heartbeat: 100ms
  - name: db1
    id: id-db1
    user: db1-user
    outlets: [pdu1.A2, {agent: pdu2, port: B1}]
    heartbeat: 100ms
  - name: router
    outlets: [pdu1.A3]
    answer: {trap: {oid: 1.3.6.1.6.3.1.1.5.4, address: 10.0.0.9}}
  - name: dumb
    outlets: [pdu1.A4]
    answer: none
actions:
  answer_timeout: 100ms
  switch_timeout: 50ms
  verify_timeout: 200ms
  verify_interval: 20ms
  off_time: 300ms
  boot_timeout: 1s
  heartbeat_timeout: 2
)";

struct Loaded {
  config::ManagerConfig config;
  traps::TrapSettings traps;
  Inventory inventory;
};

inline Loaded load(const std::string& text = kConfig) {
  Loaded out;
  out.config = config::parse_manager_config(text, "manager.yaml");
  core::YamlReader reader(out.config.file);
  out.traps = traps::read_trap_settings(reader, out.config.traps);
  out.inventory = read_inventory(out.config, &out.traps);
  return out;
}

enum class Note { kHello, kHeartbeat, kAnswer };

// A netpower-host notification as decoded by the trap receiver.
inline traps::DecodedTrap host_trap(Note note, const std::string& id, const std::string& boot,
                                    const std::string& user,
                                    std::optional<std::uint64_t> nonce = std::nullopt,
                                    std::uint32_t sequence = 1) {
  traps::DecodedTrap t;
  t.agent = t.source_address = "192.0.2.10";
  t.version = traps::TrapVersion::kV3;
  t.kind = snmp::NotificationKind::kInform;
  t.user = user;
  t.received = model::wall_now();
  const auto& oid = note == Note::kHello       ? mib::kNetpowerHostHello
                    : note == Note::kHeartbeat ? mib::kNetpowerHostHeartbeat
                                               : mib::kNetpowerTickleAnswer;
  t.trap_oid = snmp::to_string(oid);
  if (nonce) {
    std::string octets(8, '\0');
    auto n = *nonce;
    for (int i = 7; i >= 0; --i, n >>= 8) octets[static_cast<std::size_t>(i)] = char(n & 0xff);
    t.varbinds.push_back(snmp::octets_value(mib::kNetpowerHostNonce0, octets));
  }
  t.varbinds.push_back(snmp::octets_value(mib::kNetpowerHostId0, id));
  t.varbinds.push_back(snmp::octets_value(mib::kNetpowerHostName0, id + ".example"));
  t.varbinds.push_back(snmp::octets_value(mib::kNetpowerHostBootId0, boot));
  t.varbinds.push_back(
      snmp::unsigned_value(mib::kNetpowerHostSequence0, snmp::ValueType::kGauge32, sequence));
  return t;
}

}  // namespace netpower::manager::actions::testing
