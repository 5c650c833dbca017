#include "agent/traps/condition_tracker.h"

namespace netpower::agent::traps {

const char* to_string(Level level) {
  switch (level) {
    case Level::kNormal:
      return "normal";
    case Level::kHigh:
      return "high";
    case Level::kLow:
      return "low";
    case Level::kError:
      return "error";
  }
  return "unknown";
}

ConditionTracker::ConditionTracker(core::EventLoop& loop, core::Duration period, Announce announce)
    : loop_(loop), period_(period), announce_(std::move(announce)) {}

ConditionTracker::~ConditionTracker() {
  if (timer_ != 0) loop_.cancel(timer_);
}

void ConditionTracker::observe(std::optional<Level> level) {
  bool was_unknown = !current_;
  current_ = level;
  if (!level) {
    in_range_all_period_ = false;
    return;
  }
  if (*level != Level::kNormal) in_range_all_period_ = false;
  if (*level != Level::kNormal && *level != condition_) {
    start(*level);  // a new condition, or another one than the condition announced
    return;
  }
  if (condition_ == Level::kNormal) return;
  if (was_unknown && period_ended_while_unknown_) {
    period_ended_while_unknown_ = false;
    if (*level == Level::kNormal) {
      // A whole known period in range from now on ends the condition.
      arm(loop_.clock().now() + period_);
      return;
    }
    arm(loop_.clock().now() + period_);
    announce_(condition_);
  }
}

void ConditionTracker::reset() {
  if (timer_ != 0) loop_.cancel(timer_);
  timer_ = 0;
  condition_ = Level::kNormal;
  period_ended_while_unknown_ = false;
}

void ConditionTracker::start(Level level) {
  condition_ = level;
  period_ended_while_unknown_ = false;
  arm(loop_.clock().now() + period_);
  announce_(level);  // last: it may reset()
}

void ConditionTracker::arm(core::TimePoint deadline) {
  if (timer_ != 0) loop_.cancel(timer_);
  deadline_ = deadline;
  in_range_all_period_ = current_ == Level::kNormal;
  timer_ = loop_.call_at(deadline, [this]() {
    timer_ = 0;
    period_ended();
  });
}

void ConditionTracker::period_ended() {
  if (!current_) {
    period_ended_while_unknown_ = true;
    return;
  }
  if (in_range_all_period_) {
    condition_ = Level::kNormal;
    announce_(Level::kNormal);
    return;
  }
  // The next period starts at this one's end, not at the time the timer ran, so repeats keep
  // their cadence.
  arm(deadline_ + period_);
  announce_(condition_);
}

}  // namespace netpower::agent::traps
