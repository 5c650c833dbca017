#pragma once
// The Megatec/Q1 serial UPS driver (the protocol of NUT's blazer_ser and nutdrv_qx "megatec").
//
// It polls Q1 every poll_interval, asks F (ratings) and I (identity) until they are answered, and
// sends instant commands between polls, one request in flight at a time, all through the loop.
// Replies that do not parse, lines nobody asked for and silence are counted and logged (rate
// limited); a failed poll makes the reading stale (last values kept), comm_lost_after without a
// good poll makes it lost (values cleared). A device that fails (I/O error, hang-up) is closed and
// reopened every poll_interval. docs/megatec.md lists the settings and what is read or computed.
//
// Commands: Megatec UPSes acknowledge nothing but echo what they refuse, so run()'s `done` comes
// reply_timeout after the bytes went out: kFailed on an echo (or NAK), else kSuccess.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>

#include "collectors/driver_context.h"
#include "collectors/megatec/megatec_settings.h"
#include "collectors/ups.h"

namespace netpower::collectors::megatec {

// Running totals since the driver started, for tests and diagnostics.
struct MegatecCounters {
  std::uint64_t requests = 0;        // Q1, F and I written
  std::uint64_t good_replies = 0;    // Q1, F and I replies that parsed
  std::uint64_t timeouts = 0;        // Q1, F and I without a reply within reply_timeout
  std::uint64_t short_replies = 0;   // shorter than the reply asked for
  std::uint64_t garbage = 0;         // otherwise malformed: length, start, separator, field
  std::uint64_t absent_fields = 0;   // good replies with '@'-filled (absent) fields
  std::uint64_t overlong_lines = 0;  // lines beyond the line cap, discarded
  std::uint64_t unsolicited = 0;     // lines that came while nothing was asked, discarded
  std::uint64_t commands_sent = 0;
  std::uint64_t commands_refused = 0;  // echoed back by the UPS
  std::uint64_t opens = 0;
  std::uint64_t open_failures = 0;
  std::uint64_t device_lost = 0;  // read/write errors and hang-ups that closed the device
};

class MegatecCollector : public UpsCollector {
 public:
  // Loop thread.
  virtual const MegatecCounters& counters() const = 0;
  // Whether the serial port is open now.
  virtual bool device_open() const = 0;
};

// Builds the driver. With `open` false nothing is opened and no timer set (configuration check);
// otherwise the port is opened at once (a failure is retried every poll_interval, not thrown).
// `loop` must outlive the driver.
std::unique_ptr<MegatecCollector> make_megatec_collector(const MegatecSettings& settings,
                                                         core::EventLoop& loop, bool open);

// The registry's entry: parses `settings` (core::ConfigError naming file and line on a mistake).
UpsCollectorPtr make_megatec_collector(const YAML::Node& settings, DriverContext context);

}  // namespace netpower::collectors::megatec
