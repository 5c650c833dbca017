// A real net-snmp snmpd on loopback, as the AgentX master that netpower-agent registers with.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/snmp_cli.h"
#include "tests/support/temp_dir.h"

namespace netpower::testing {

struct SnmpdOptions {
  std::uint16_t port = 0;                 // UDP port on 127.0.0.1; 0: pick a free one
  std::vector<std::string> extra_config;  // lines appended to the generated snmpd.conf
  std::filesystem::path agentx_socket;    // empty: <dir>/agentx.sock
  // The SNMPv3 USM user (SHA + AES, authPriv required, read-write on everything). Passwords: at
  // least 8 characters, no whitespace or quotes.
  std::string v3_user = "np-admin";
  std::string v3_auth_password = "np-auth-secret";
  std::string v3_priv_password = "np-priv-secret";
  // v2c communities, accepted from 127.0.0.1 only; empty: "np-ro-<random>" / "np-rw-<random>".
  std::string read_community;
  std::string write_community;
  std::filesystem::path snmpd_path;                // empty: the snmpd found at configure time
  std::chrono::milliseconds start_timeout{10000};  // upper bound for start() to see an answer
};

// Owns one snmpd process and its private directory (config, logs, persistent state, AgentX socket).
//
// The generated configuration follows the project's security model: no public/private communities,
// an authPriv SNMPv3 user with read-write access, a read and a write community with non-default
// names, and no system configuration or MIB files read (-C, -M /nonexistent, -m ""). Not
// thread-safe. The destructor stops snmpd (SIGTERM, SIGKILL after 5 s) and removes the directory.
class SnmpdServer {
 public:
  // Throws std::invalid_argument on unusable options (short passwords, socket path too long).
  explicit SnmpdServer(SnmpdOptions options = {});
  ~SnmpdServer();
  SnmpdServer(const SnmpdServer&) = delete;
  SnmpdServer& operator=(const SnmpdServer&) = delete;

  // Writes the config, starts snmpd in the foreground and returns once it answers an SNMPv3 GET of
  // sysUpTime.0 with its own engine ID. Throws std::runtime_error (message: what failed, last
  // probe, snmpd's log) if it exits or stays silent for start_timeout. With port 0 the first start
  // picks the port and retries with another one if snmpd loses the bind race; later starts reuse
  // the port and socket path.
  void start();
  // SIGTERM and wait (SIGKILL after 5 s): a clean shutdown, snmpd removes its AgentX socket.
  void stop();
  // SIGKILL: the master dies; the AgentX socket file stays behind, connected subagents see EOF.
  void kill();
  // stop() if running, then start() on the same port and AgentX socket path.
  void restart();
  bool running();
  // The status of the last snmpd process once it has ended.
  std::optional<ExitStatus> exit_status() const;
  // The running snmpd, e.g. to SIGSTOP it and simulate a hung master; nullptr before start().
  Process* process() { return process_.get(); }

  std::uint16_t port() const { return port_; }
  std::string target() const;  // "udp:127.0.0.1:<port>"
  const std::filesystem::path& agentx_socket() const { return agentx_socket_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path config_path() const { return dir_.file("snmpd.conf"); }
  // The configuration of the last start.
  std::string config_text() const;
  // snmpd's -Lf log (all starts, each headed by a marker line) and its stdout/stderr.
  std::string log_text() const;

  // snmpEngineID as the agent reports it: 80 00 1F 88 04 followed by "np-<random>" (set with the
  // `engineID` directive, unique per SnmpdServer, kept across restarts; engineBoots restarts at 1).
  const std::string& engine_id() const { return engine_id_; }
  const std::string& v3_user() const { return options_.v3_user; }
  const std::string& v3_auth_password() const { return options_.v3_auth_password; }
  const std::string& v3_priv_password() const { return options_.v3_priv_password; }
  const std::string& read_community() const { return options_.read_community; }
  const std::string& write_community() const { return options_.write_community; }

  SnmpCredentials v3_credentials() const;
  SnmpCredentials read_credentials() const;   // v2c, read community
  SnmpCredentials write_credentials() const;  // v2c, write community
  // Clients aimed at this server; they share <dir>/cli as their persistent directory. The target is
  // fixed at creation: with port 0, create them after the first start().
  SnmpCli cli_v3(SnmpCliOptions options = {}) const;
  SnmpCli cli_read(SnmpCliOptions options = {}) const;
  SnmpCli cli_write(SnmpCliOptions options = {}) const;
  SnmpCli cli(SnmpCredentials credentials, SnmpCliOptions options = {}) const;

 private:
  std::string render_config() const;
  // One attempt: spawn and probe. Returns an empty string on success, else the failure description.
  std::string try_start();

  SnmpdOptions options_;
  TempDir dir_{"np-snmpd"};
  std::filesystem::path agentx_socket_;
  std::string engine_id_;
  std::filesystem::path snmpd_path_;
  std::uint16_t port_ = 0;
  int starts_ = 0;
  ProcessPtr process_;
};

}  // namespace netpower::testing
