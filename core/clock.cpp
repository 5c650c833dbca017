#include "core/clock.h"

#include <stdexcept>

namespace netpower::core {

TimePoint SteadyClock::now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::steady_clock::now());
}

Duration SteadyClock::real_wait(TimePoint deadline) const {
  auto d = deadline - now();
  return d > Duration::zero() ? d : Duration::zero();
}

ScaledClock::ScaledClock(double factor)
    : factor_(factor), origin_(std::chrono::steady_clock::now()) {
  if (!(factor > 0.0)) throw std::invalid_argument("clock scale factor must be > 0");
}

TimePoint ScaledClock::now() const {
  auto real = std::chrono::steady_clock::now() - origin_;
  auto scaled = std::chrono::duration_cast<Duration>(real * factor_);
  // Start at the real origin so that timestamps stay comparable with a SteadyClock's.
  return std::chrono::time_point_cast<Duration>(origin_) + scaled;
}

Duration ScaledClock::real_wait(TimePoint deadline) const {
  auto d = deadline - now();
  if (d <= Duration::zero()) return Duration::zero();
  return std::chrono::duration_cast<Duration>(d / factor_) + Duration(1);
}

Duration ManualClock::real_wait(TimePoint deadline) const {
  return deadline <= now_ ? Duration::zero() : Duration::max();
}

}  // namespace netpower::core
