#pragma once
// Injected time. Everything that waits (reboot delay, trap periods, poll intervals) reads a Clock
// so that tests can run the patent's 15-second and 60-second rules in milliseconds.

#include <chrono>
#include <memory>

namespace netpower::core {

using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

class Clock {
 public:
  virtual ~Clock() = default;
  // Current time on this clock. Called from the loop thread.
  virtual TimePoint now() const = 0;
  // Real (wall) time until `deadline` on this clock is reached; zero when it is due,
  // Duration::max() when real time never reaches it (a manual clock).
  virtual Duration real_wait(TimePoint deadline) const = 0;
};
using ClockPtr = std::unique_ptr<Clock>;

// The steady clock of the machine.
class SteadyClock final : public Clock {
 public:
  TimePoint now() const override;
  Duration real_wait(TimePoint deadline) const override;
};

// Real time running `factor` times faster (factor 100: 15 s pass in 150 ms). For tests and demos.
class ScaledClock final : public Clock {
 public:
  explicit ScaledClock(double factor);
  TimePoint now() const override;
  Duration real_wait(TimePoint deadline) const override;

 private:
  double factor_;
  std::chrono::steady_clock::time_point origin_;
};

// A clock that moves only when told. For unit tests.
class ManualClock final : public Clock {
 public:
  TimePoint now() const override { return now_; }
  Duration real_wait(TimePoint deadline) const override;
  void advance(Duration d) { now_ += d; }
  void set(TimePoint t) { now_ = t; }

 private:
  TimePoint now_{std::chrono::hours(1)};
};

}  // namespace netpower::core
