#pragma once
// A whole rack on loopback for the power-action tests: a real snmpd with netpower-agent on the sim
// chain (each port's signal line wired to the host plugged into it), real netpower-host processes,
// a real netpower-manager process (SQLite) with the inventory the test believes, and netpowerctl.
//
// The harness plays the physics the sim does not: a host is powered while any outlet its cords are
// really plugged into has its relay on. When power goes, its netpower-host process is killed (a
// power cut); when it comes back, the host "boots": a new boot id, and netpower-host starts again.
// Where a host is plugged (`plugged`) and where the inventory believes it is (`believed`) are set
// apart, so that a test can swap cables behind the manager's back.

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/actions/udp_relay.h"
#include "tests/integration/agent_process.h"
#include "tests/support/manager/http_client.h"
#include "tests/support/process.h"
#include "tests/support/snmpd_server.h"
#include "tests/support/temp_dir.h"

namespace netpower::testing {

struct FleetHost {
  std::string name;                   // the inventory's name and the hostname it announces
  std::string id;                     // the host_id it announces; empty: "id-<name>"
  std::vector<std::string> plugged;   // the sim ports its cords really are in ("A1")
  std::vector<std::string> believed;  // the inventory's outlets; empty: the same as plugged
  bool in_inventory = true;
  bool runs_host = true;      // false: a dead host (no netpower-host ever starts)
  std::string auth_override;  // netpower-host's auth pass phrase, when it must be wrong
  std::string clone_of;       // a cloned machine: it uses that host's SNMPv3 user and keys
  std::string answer_yaml;    // the inventory's `answer:` ("{trap: {...}}"); empty: netpower-host
  double load_amps = 1.5;     // its load on each cord while powered
};

struct FleetSetup {
  int boards = 1;
  std::string bit_time = "1ms";  // the agent's tickle bit time
  std::vector<FleetHost> hosts;
  // Lines inside the manager's `actions:` section (indented by 2); the harness's defaults first.
  std::string actions_yaml;
  std::string heartbeat = "300ms";  // every host's heartbeat period
  // Hosts send to the manager through a UdpRelay that records their datagrams (for replays).
  bool relay = false;
};

struct FleetCtl {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::string describe() const;
};

class Fleet {
 public:
  explicit Fleet(FleetSetup setup);
  ~Fleet();
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  // Starts snmpd, the agent, the manager and the hosts (powered as their outlets are), and waits
  // until the manager has polled the agent and heard every running host's hello.
  void start();

  // netpowerctl with the token of `role` ("viewer", "operator", "admin").
  FleetCtl ctl(std::vector<std::string> args, const std::string& role = "operator",
               std::chrono::milliseconds timeout = std::chrono::seconds(120));
  // GET on the manager's API with the token of `role`.
  HttpResponse get(const std::string& target, const std::string& role = "viewer");
  nlohmann::json get_json(const std::string& target);
  // POST with a JSON body.
  HttpResponse post(const std::string& target, const nlohmann::json& body,
                    const std::string& role = "operator");

  SimClient sim() const { return agent_->sim(); }
  // Relay changes the sim recorded for `port` (switches that reached the hardware).
  int relay_changes(const std::string& port) const;
  // Relay changes on every port.
  std::map<std::string, int> all_relay_changes() const;
  // How many times the host booted (1 after start when powered).
  int boots(const std::string& host) const;
  std::string boot_id(const std::string& host) const;
  bool host_running(const std::string& host) const;
  // The SNMPv3 user and pass phrases the manager expects from `host` (SHA, AES).
  struct Credentials {
    std::string user, auth, priv;
  };
  Credentials credentials(const std::string& host) const;

  // Everything the processes logged, for failure messages.
  std::string logs() const;
  const TempDir& dir() const { return dir_; }
  std::uint16_t http_port() const { return http_port_; }
  std::uint16_t trap_port() const { return trap_port_; }
  const FleetSetup& setup() const { return setup_; }
  UdpRelay& relay() { return *relay_; }  // with setup.relay

 private:
  struct HostState {
    FleetHost spec;
    std::string user;
    std::string auth = "auth-secret-";
    std::string priv = "priv-secret-";
    int boots = 0;
    std::string boot_id;
    std::unique_ptr<Process> process;
  };

  std::string agent_yaml() const;
  std::string manager_yaml() const;
  void write_host_config(HostState& host);
  void power_loop();
  void follow_power(const nlohmann::json& state);
  std::string token_file(const std::string& role) const;

  FleetSetup setup_;
  TempDir dir_{"np-fleet"};
  std::unique_ptr<SnmpdServer> snmpd_;
  std::unique_ptr<AgentProcess> agent_;
  std::unique_ptr<Process> manager_;
  std::unique_ptr<UdpRelay> relay_;
  std::uint16_t http_port_ = 0;
  std::uint16_t trap_port_ = 0;
  mutable std::mutex mutex_;
  std::map<std::string, HostState> hosts_;
  std::atomic<bool> stop_{false};
  std::thread power_;
};

}  // namespace netpower::testing
