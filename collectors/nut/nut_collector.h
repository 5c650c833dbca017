#pragma once
// The "nut" UPS driver: a client of a Network UPS Tools server (upsd) that polls one UPS with
// LIST VAR and runs instant commands with INSTCMD, following their results through NUT's
// TRACKING. Non-blocking TCP on the agent's loop; see docs/nut.md for settings and behaviour.
// The UPS driver framework (collectors/ups_driver.h) schedules the polls, keeps the link state
// and reconnects with backoff; this driver only speaks to upsd.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "collectors/driver_context.h"
#include "collectors/nut/nut_protocol.h"
#include "collectors/nut/nut_settings.h"
#include "collectors/ups.h"
#include "collectors/ups_driver.h"
#include "core/event_loop.h"

namespace netpower::collectors::nut {

// What the collector has seen, for tests, logs and measurements.
struct NutStats {
  std::uint64_t connects = 0;             // TCP sessions established
  std::uint64_t connect_failures = 0;     // refused, unreachable or timed-out connects
  std::uint64_t polls = 0;                // LIST VAR answered with the list
  std::uint64_t poll_errors = 0;          // LIST VAR answered with ERR (DATA-STALE, ...)
  std::uint64_t protocol_errors = 0;      // malformed or unexpected replies (connection dropped)
  std::uint64_t timeouts = 0;             // replies missing after `timeout` (connection dropped)
  core::Duration last_poll_round_trip{};  // LIST VAR sent -> END LIST VAR received
};

namespace detail {
class NutDriver;
}

class NutCollector final : public UpsCollector {
 public:
  // Starts connecting on the loop when `open`; otherwise holds the settings only (read() says
  // lost, run() answers kNoResponse). `loop` must outlive the collector.
  NutCollector(NutSettings settings, core::EventLoop& loop, bool open = true);
  // Closes the connection; commands still waiting get kNoResponse (posted on the loop).
  ~NutCollector() override;
  NutCollector(const NutCollector&) = delete;
  NutCollector& operator=(const NutCollector&) = delete;

  std::string name() const override { return runner_->name(); }
  UpsReading read() override { return runner_->read(); }
  std::vector<std::string> commands() const override { return runner_->commands(); }
  // upsd has no portable delayed command: the agent counts every delay.
  std::chrono::seconds max_command_delay() const override { return std::chrono::seconds(0); }
  void run(const UpsCommand& command, UpsCommandDone done) override;

  const NutSettings& settings() const { return settings_; }
  const NutStats& stats() const;
  // Whether a TCP session with upsd is up right now.
  bool connected() const;

 private:
  NutSettings settings_;
  detail::NutDriver* driver_ = nullptr;  // owned by runner_
  std::unique_ptr<UpsDriverRunner> runner_;
};

// The driver factory: reads `settings` (see docs/nut.md) and, when context.open, starts
// connecting on context.loop. Throws core::ConfigError for bad settings.
UpsCollectorPtr make_nut_collector(const YAML::Node& settings, DriverContext context);

}  // namespace netpower::collectors::nut
