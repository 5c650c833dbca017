// Polling instead of fixed sleeps: tests wait for a condition with a generous upper bound.
#pragma once

#include <chrono>
#include <thread>

namespace netpower::testing {

// Calls `predicate` until it returns true or `timeout` has passed, sleeping `poll_interval` between
// calls. The predicate is always evaluated at least once and once more at the deadline, so a
// condition that becomes true during the last interval is not missed. Returns the last result.
template <typename Predicate>
bool wait_until(Predicate&& predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll_interval = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (predicate()) {
      return true;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return false;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    std::this_thread::sleep_for(left < poll_interval ? left : poll_interval);
  }
}

}  // namespace netpower::testing
