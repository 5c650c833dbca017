#include "collectors/ups_driver.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "core/duration.h"

namespace netpower::collectors {

namespace {

std::string held_note(std::uint64_t n) {
  return n == 0 ? "" : " (" + std::to_string(n) + " similar not logged)";
}

}  // namespace

UpsDriverRunner::UpsDriverRunner(core::EventLoop& loop, UpsDriverPolicy policy, const Factory& make,
                                 bool open)
    : loop_(loop),
      policy_(policy),
      active_(open),
      staleness_(policy.stale_after, policy.lost_after),
      backoff_(policy.reopen_first, policy.reopen_max),
      read_log_(policy.log_first, policy.log_every),
      open_log_(policy.log_first, policy.log_every),
      lost_log_(policy.log_first, policy.log_every),
      driver_(make(*this)) {
  if (!active_) return;
  reopen_timer_ = loop_.call_after(core::Duration::zero(), [this] {
    reopen_timer_.reset();
    open_now();
  });
  tick_timer_ = loop_.call_after(policy_.poll_interval, [this] { on_tick(); });
}

UpsDriverRunner::~UpsDriverRunner() {
  for (auto timer : {tick_timer_, reopen_timer_}) {
    if (timer) loop_.cancel(*timer);
  }
  driver_.reset();
}

UpsReading UpsDriverRunner::read() {
  check_lost();
  auto out = staleness_.reading(loop_.clock().now());
  if (!active_ && !staleness_.last_good()) out.detail = "not opened";
  return out;
}

void UpsDriverRunner::run(const UpsCommand& command, UpsCommandDone done) {
  if (!active_) {
    UpsCommandResult result{UpsCommandStatus::kNoResponse,
                            "the " + driver_->name() + " driver is not opened"};
    loop_.call_after(core::Duration::zero(), [done = std::move(done), result] { done(result); });
    return;
  }
  driver_->run(command, std::move(done));
}

void UpsDriverRunner::open_now() {
  if (state_ != State::kClosed) return;
  state_ = State::kOpening;
  inside_open_ = true;
  update_after_open_ = false;
  driver_->open();
  inside_open_ = false;
  if (state_ == State::kOpen && update_after_open_) driver_->update();
}

void UpsDriverRunner::opened() {
  state_ = State::kOpen;
  if (inside_open_) {
    update_after_open_ = true;
  } else {
    driver_->update();
  }
}

void UpsDriverRunner::device_failed(const std::string& why) {
  auto& limiter = state_ == State::kOpen ? lost_log_ : open_log_;
  state_ = State::kClosed;
  problem(limiter, why);
  if (reopen_timer_) return;
  auto delay = backoff_.next();
  reopen_timer_ = loop_.call_after(delay, [this] {
    reopen_timer_.reset();
    open_now();
  });
}

void UpsDriverRunner::data_ok(UpsVars vars) {
  auto failures = staleness_.failures();
  for (auto* limiter : {&read_log_, &open_log_, &lost_log_}) limiter->recover();
  if (failures > 0) {
    spdlog::info("{}: the UPS answers again, recovered after {} failure(s)", prefix(), failures);
  } else if (lost_logged_) {
    spdlog::info("{}: the UPS answers again", prefix());
  }
  lost_logged_ = false;
  staleness_.ok(std::move(vars), loop_.clock().now());
  backoff_.reset();
}

void UpsDriverRunner::data_failed(const std::string& why) { problem(read_log_, why); }

void UpsDriverRunner::problem(framework::LogLimiter& limiter, const std::string& why) {
  staleness_.failed(why, loop_.clock().now());
  if (limiter.count()) {
    std::string retry;
    if (state_ == State::kClosed) {
      retry = "; reopening in " + core::format_duration(backoff_.peek());
    }
    spdlog::warn("{}: {}{}{}", prefix(), why, retry, held_note(limiter.held()));
  }
}

void UpsDriverRunner::warn(framework::LogLimiter& limiter, const std::string& what) {
  if (!limiter.count()) return;
  spdlog::warn("{}: {}{}", prefix(), what, held_note(limiter.held()));
}

void UpsDriverRunner::on_tick() {
  tick_timer_ = loop_.call_after(policy_.poll_interval, [this] { on_tick(); });
  check_lost();
  if (state_ == State::kOpen) driver_->update();
}

void UpsDriverRunner::check_lost() {
  if (lost_logged_ || !staleness_.last_good()) return;
  if (staleness_.link(loop_.clock().now()) != UpsLink::kLost) return;
  lost_logged_ = true;
  spdlog::warn("{}: no good read for {}; the UPS values are no longer shown", prefix(),
               core::format_duration(policy_.lost_after));
}

std::string UpsDriverRunner::prefix() const { return driver_->name() + " " + driver_->where(); }

}  // namespace netpower::collectors
