#pragma once
// An EventLoop for the framework's unit tests: timers on a ManualClock, run when the test moves
// time; descriptors are never watched.

#include "core/event_loop.h"
#include "core/timer_queue.h"

namespace netpower::collectors::testing {

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
  // Runs what is due now, then moves the clock by `d` and runs what became due.
  void advance(core::Duration d) {
    timers_.run_due(clock_.now());
    clock_.advance(d);
    timers_.run_due(clock_.now());
  }
  core::TimePoint now() const { return clock_.now(); }

 private:
  core::ManualClock clock_;
  core::TimerQueue timers_;
};

}  // namespace netpower::collectors::testing
