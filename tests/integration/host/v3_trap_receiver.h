// A real snmptrapd on loopback that accepts SNMPv3 authPriv informs from configured users and logs
// them, standing in for the manager's trap receiver in netpower-host tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace netpower::testing {

struct V3User {
  std::string name;
  std::string auth_passphrase;  // SHA
  std::string priv_passphrase;  // AES
};

struct Inform {
  std::string trap_oid;                                       // numeric, leading dot
  std::vector<std::pair<std::string, std::string>> varbinds;  // (numeric OID, "TYPE: value")
  std::optional<std::string> value(const std::string& oid) const;
};

// The bytes of an OCTET STRING as snmptrapd printed it ("STRING: \"abc\"" or "Hex-STRING: 61 62").
std::optional<std::string> octets_of(const std::string& printed);

class V3TrapReceiver {
 public:
  // Starts snmptrapd on udp:127.0.0.1:<free port>. Throws std::runtime_error if it does not come
  // up.
  explicit V3TrapReceiver(const std::vector<V3User>& users);
  V3TrapReceiver(const V3TrapReceiver&) = delete;
  V3TrapReceiver& operator=(const V3TrapReceiver&) = delete;

  std::uint16_t port() const { return port_; }
  std::string address() const { return "udp:127.0.0.1:" + std::to_string(port_); }
  std::vector<Inform> informs() const;
  std::vector<Inform> informs_of(const std::string& trap_oid) const;
  std::string log_text() const;

 private:
  TempDir dir_{"np-v3trapd"};
  std::uint16_t port_ = 0;
  ProcessPtr process_;
};

}  // namespace netpower::testing
