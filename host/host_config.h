#pragma once
// netpower-host's configuration file (docs/host.md): YAML, unknown keys refused, every error
// naming the file and line.

#include <optional>
#include <string>

#include "core/clock.h"
#include "core/yaml_reader.h"

namespace netpower::host {

struct LineConfig {
  enum class Kind { kSim, kSerial, kGpio };
  Kind kind = Kind::kSim;
  // sim: the Unix datagram socket this host binds ("@name": abstract namespace).
  std::string socket;
  // serial: the tty and the modem-status inputs carrying the tickle and the shutdown signal
  // (dcd, cts, dsr, ri; shutdown may be none).
  std::string device;
  std::string tickle_signal = "dcd";
  std::string shutdown_signal = "none";
  // gpio: the chip and the line offsets (shutdown -1: none), debounce, polarity.
  std::string chip;
  int tickle_offset = -1;
  int shutdown_offset = -1;
  core::Duration debounce{0};
  bool active_low = false;
};

struct ManagerConfig {
  std::string address;  // net-snmp transport address: "udp:10.0.0.5:162", "udp6:[::1]:162"
  std::string user;     // SNMPv3 security name
  std::string auth_protocol = "SHA";  // MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512
  std::string auth_passphrase;
  std::string priv_protocol = "AES";  // DES, AES (AES-128)
  std::string priv_passphrase;
  core::Duration timeout = std::chrono::seconds(2);  // per inform attempt
  int retries = 2;   // net-snmp's own retransmissions of one attempt
  int attempts = 5;  // attempts of each notification, with a backoff doubling from `timeout`
};

struct HostConfig {
  std::string host_id;   // empty: the first line of identity_file
  std::string hostname;  // empty: gethostname()
  std::string host_id_file = "/etc/machine-id";
  std::string boot_id_file = "/proc/sys/kernel/random/boot_id";
  LineConfig line;
  core::Duration min_bit_time = std::chrono::microseconds(100);
  core::Duration max_bit_time = std::chrono::seconds(1);
  ManagerConfig manager;
  core::Duration heartbeat = std::chrono::seconds(30);
  std::string shutdown_command;  // run by /bin/sh -c; empty: log only
  std::string log_level = "info";
};

// Reads and validates the file (core::ConfigError naming file and line on any problem).
HostConfig load_host_config(const std::string& path);
// The same from text (for tests); `file` names it in errors.
HostConfig parse_host_config(const std::string& text, const std::string& file = "<config>");

}  // namespace netpower::host
