#include "core/timer_queue.h"

namespace netpower::core {

TimerId TimerQueue::schedule(TimePoint when, std::function<void()> fn) {
  TimerId id = next_id_++;
  auto it = queue_.emplace(when, std::make_pair(id, std::move(fn)));
  by_id_.emplace(id, it);
  return id;
}

bool TimerQueue::cancel(TimerId id) {
  auto found = by_id_.find(id);
  if (found == by_id_.end()) return false;
  queue_.erase(found->second);
  by_id_.erase(found);
  return true;
}

std::optional<TimePoint> TimerQueue::next_deadline() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.begin()->first;
}

std::size_t TimerQueue::run_due(TimePoint now) {
  std::size_t ran = 0;
  while (!queue_.empty() && queue_.begin()->first <= now) {
    auto it = queue_.begin();
    auto fn = std::move(it->second.second);
    by_id_.erase(it->second.first);
    queue_.erase(it);
    fn();
    ++ran;
  }
  return ran;
}

}  // namespace netpower::core
