#pragma once
// An EventLoop for unit tests: timers on a ManualClock, run when the test advances time.

#include "core/event_loop.h"

namespace netpower::agent::testing {

class ManualLoop final : public core::EventLoop {
 public:
  const core::Clock& clock() const override { return clock_; }
  core::TimerId call_at(core::TimePoint when, std::function<void()> fn) override {
    return timers_.schedule(when, std::move(fn));
  }
  void cancel(core::TimerId id) override { timers_.cancel(id); }
  void watch_readable(int, std::function<void()>) override {}
  void watch_writable(int, std::function<void()>) override {}
  void unwatch_writable(int) override {}
  void unwatch(int) override {}
  // Moves the clock and runs whatever became due.
  void advance(core::Duration d) {
    clock_.advance(d);
    timers_.run_due(clock_.now());
  }
  core::ManualClock& manual_clock() { return clock_; }

 private:
  core::ManualClock clock_;
  core::TimerQueue timers_;
};

}  // namespace netpower::agent::testing
