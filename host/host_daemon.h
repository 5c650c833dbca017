#pragma once
// netpower-host's work, on one event loop: the line's tickle edges go through the core decoder and
// every decoded nonce is answered; a hello at start and a heartbeat every period; the outlet's
// shutdown signal, once asserted, runs the shutdown command (once per process). Testable
// in-process with a fake informer and events fed by hand.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/event_loop.h"
#include "core/tickle_code.h"
#include "core/tickle_wire.h"
#include "host/host_config.h"
#include "host/informer.h"
#include "host/line.h"
#include "host/notification.h"

namespace netpower::host {

struct HostStats {
  std::uint64_t answered = 0;       // nonces decoded and answered
  std::uint64_t broken_frames = 0;  // frames that locked and then failed (noise, check code)
  std::uint64_t heartbeats = 0;
  bool shutdown_started = false;
};

// The identity from the configuration, the machine-id file and the boot-id file. Throws
// core::ConfigError when no host id can be found (empty configured id and unreadable file).
HostIdentity read_identity(const HostConfig& config);

class HostDaemon {
 public:
  // `loop` and `informer` must outlive the daemon.
  HostDaemon(const HostConfig& config, HostIdentity identity, core::EventLoop& loop,
             Informer& informer);
  ~HostDaemon();
  HostDaemon(const HostDaemon&) = delete;
  HostDaemon& operator=(const HostDaemon&) = delete;

  // Sends the hello, arms the heartbeat and starts `line` (kept until destruction; nullptr: events
  // come only through on_line_event). Throws std::system_error from the line.
  void start(LinePtr line);
  // One change of the line (what the line delivers; tests call it directly).
  void on_line_event(const core::WireEvent& event);

  const HostStats& stats() const { return stats_; }
  const HostIdentity& identity() const { return identity_; }

 private:
  void heartbeat();
  void run_shutdown();
  void reap_shutdown();
  std::uint32_t next_sequence() { return sequence_++; }

  HostConfig config_;
  HostIdentity identity_;
  core::EventLoop& loop_;
  Informer& informer_;
  LinePtr line_;
  core::TickleDecoder decoder_;
  std::uint32_t sequence_ = 0;
  HostStats stats_;
  std::optional<core::TimerId> heartbeat_timer_;
  std::optional<core::TimerId> reap_timer_;
  pid_t shutdown_pid_ = -1;
};

}  // namespace netpower::host
