#pragma once
// The UPS driver framework: what every UPS driver would otherwise repeat, once, as Network UPS
// Tools' main.c and dstate do for its drivers. A driver only opens its device, starts a read when
// told and reports how it went (NUT's dstate_dataok() / dstate_datastale()); UpsDriverRunner owns
// the rest and is the driver's UpsCollector:
//
//   scheduling   open() at start; update() right after every open and then every poll_interval
//                while the device is open
//   staleness    online / stale / lost from the driver's reports and the clock
//                (framework/staleness.h): values kept while stale, none shown once lost
//   reopening    after device_failed(): open() again after a backoff of reopen_first, doubling up
//                to reopen_max, started over by the next good read (framework/backoff.h)
//   logging      failed reads, failed opens and lost devices each logged the first few times,
//                then one in many, until the next good read says "recovered after K failures"
//                (framework/log_limiter.h); a link that goes lost is logged once
//
// Everything runs on the loop's clock, so tests drive it with a manual clock in milliseconds.
// Every call, in both directions, is on the loop thread; nothing may block.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/framework/backoff.h"
#include "collectors/framework/log_limiter.h"
#include "collectors/framework/staleness.h"
#include "collectors/ups.h"
#include "core/event_loop.h"

namespace netpower::collectors {

struct UpsDriverPolicy {
  core::Duration poll_interval{std::chrono::seconds(2)};  // update() while open
  core::Duration stale_after{std::chrono::seconds(6)};    // no good read for longer: stale
  core::Duration lost_after{std::chrono::seconds(30)};    // no good read this long: lost
  core::Duration reopen_first{std::chrono::seconds(2)};   // first delay after device_failed()
  core::Duration reopen_max{std::chrono::seconds(30)};    // backoff cap
  // Log limits, each kind of problem (failed reads, failed opens, lost devices) counted apart
  // until the next good read: the first `log_first` of each logged, then one in `log_every`.
  std::uint64_t log_first = framework::LogLimiter::kFirst;
  std::uint64_t log_every = framework::LogLimiter::kEvery;
};

// What the framework offers a driver.
class UpsDriverHost {
 public:
  virtual core::EventLoop& loop() = 0;
  // dstate_dataok(): a good read; `vars` is the whole new snapshot.
  virtual void data_ok(UpsVars vars) = 0;
  // dstate_datastale(): a read failed; `why` in words. The device stays open.
  virtual void data_failed(const std::string& why) = 0;
  // The open() in progress succeeded (from inside open() or later).
  virtual void opened() = 0;
  // open() failed, or the open device failed; the driver has closed it (and failed what it had in
  // flight). The framework opens it again after the backoff.
  virtual void device_failed(const std::string& why) = 0;
  // The link as read() would tell it now.
  virtual UpsLink link() const = 0;
  // Logs a warning about a problem other than the read itself (garbage, unsolicited lines) under
  // `limiter`, prefixed with the driver's name and where() and suffixed with what was held back.
  // Such a limiter counts over the driver's life (a UPS that always sends garbage in one field is
  // logged 3 times, then once in 30) unless the driver calls its recover().
  virtual void warn(framework::LogLimiter& limiter, const std::string& what) = 0;

 protected:
  ~UpsDriverHost() = default;
};

// A UPS driver: NUT's upsdrv_initups() / upsdrv_updateinfo() / instcmd(). The framework calls
// open() only while the device is closed and update() only while it is open.
class UpsDriver {
 public:
  virtual ~UpsDriver() = default;
  // "megatec", "nut".
  virtual std::string name() const = 0;
  // The device for logs ("/dev/ttyUSB0", "UPS 'x' at 127.0.0.1:3493").
  virtual std::string where() const = 0;
  // Opens the device; reports opened() or device_failed(), at once or later.
  virtual void open() = 0;
  // Starts one read; reports data_ok() or data_failed() (or device_failed()), at once or later.
  // A driver may ignore the call while its previous read is still being answered.
  virtual void update() = 0;
  virtual std::vector<std::string> commands() const = 0;
  virtual std::chrono::seconds max_command_delay() const = 0;
  // UpsCollector::run(): `done` later on the loop, exactly once.
  virtual void run(const UpsCommand& command, UpsCommandDone done) = 0;
};
using UpsDriverPtr = std::unique_ptr<UpsDriver>;

class UpsDriverRunner final : public UpsCollector, private UpsDriverHost {
 public:
  using Factory = std::function<UpsDriverPtr(UpsDriverHost&)>;
  // Builds the driver with `make`. With `open` false the driver is built but never opened, no
  // timer is set, read() says lost and run() answers kNoResponse (configuration check). `loop`
  // must outlive the runner.
  UpsDriverRunner(core::EventLoop& loop, UpsDriverPolicy policy, const Factory& make, bool open);
  // Cancels the timers, then destroys the driver (which fails its commands in flight).
  ~UpsDriverRunner() override;
  UpsDriverRunner(const UpsDriverRunner&) = delete;
  UpsDriverRunner& operator=(const UpsDriverRunner&) = delete;

  std::string name() const override { return driver_->name(); }
  UpsReading read() override;
  std::vector<std::string> commands() const override { return driver_->commands(); }
  std::chrono::seconds max_command_delay() const override { return driver_->max_command_delay(); }
  void run(const UpsCommand& command, UpsCommandDone done) override;

  // Whether the device is open now (opened() and no device_failed() since).
  bool device_open() const { return state_ == State::kOpen; }
  const framework::Staleness& staleness() const { return staleness_; }
  // The delay before the next reopen (after a failure) or the first one (after a success).
  core::Duration next_reopen_delay() const { return backoff_.peek(); }

 private:
  enum class State { kClosed, kOpening, kOpen };

  core::EventLoop& loop() override { return loop_; }
  void data_ok(UpsVars vars) override;
  void data_failed(const std::string& why) override;
  void opened() override;
  void device_failed(const std::string& why) override;
  UpsLink link() const override { return staleness_.link(loop_.clock().now()); }
  void warn(framework::LogLimiter& limiter, const std::string& what) override;

  void open_now();
  void on_tick();
  void check_lost();
  void problem(framework::LogLimiter& limiter, const std::string& why);
  std::string prefix() const;

  core::EventLoop& loop_;
  UpsDriverPolicy policy_;
  bool active_;
  State state_ = State::kClosed;
  bool inside_open_ = false;
  bool update_after_open_ = false;
  framework::Staleness staleness_;
  framework::Backoff backoff_;
  framework::LogLimiter read_log_, open_log_, lost_log_;
  bool lost_logged_ = false;
  std::optional<core::TimerId> tick_timer_, reopen_timer_;
  UpsDriverPtr driver_;  // last member: built after, destroyed before, the rest
};

}  // namespace netpower::collectors
