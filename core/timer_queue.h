#pragma once
// Deadlines on a Clock, run in order. Not thread-safe: owned by one loop.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>

#include "core/clock.h"

namespace netpower::core {

using TimerId = std::uint64_t;

class TimerQueue {
 public:
  // Schedules `fn` at `when`; returns an id for cancel(). Ids are never reused.
  TimerId schedule(TimePoint when, std::function<void()> fn);
  // Cancels a pending timer; false if it already ran or was cancelled.
  bool cancel(TimerId id);
  std::optional<TimePoint> next_deadline() const;
  // Runs every timer due at `now`, earliest first (ties in scheduling order). Timers scheduled by a
  // callback for a time <= now run in the same call. Returns how many ran.
  std::size_t run_due(TimePoint now);
  std::size_t size() const { return by_id_.size(); }

 private:
  using Queue = std::multimap<TimePoint, std::pair<TimerId, std::function<void()>>>;
  Queue queue_;
  std::unordered_map<TimerId, Queue::iterator> by_id_;
  TimerId next_id_ = 1;
};

}  // namespace netpower::core
