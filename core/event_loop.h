#pragma once
// The single-threaded loop that an agent process runs on. Collectors watch their descriptors and
// set timers through it; nothing inside a callback may block.

#include <functional>

#include "core/clock.h"
#include "core/timer_queue.h"

namespace netpower::core {

class EventLoop {
 public:
  virtual ~EventLoop() = default;
  // The clock that timers run on (possibly scaled or manual).
  virtual const Clock& clock() const = 0;
  // Runs `fn` on the loop thread once the clock reaches `when`.
  virtual TimerId call_at(TimePoint when, std::function<void()> fn) = 0;
  TimerId call_after(Duration delay, std::function<void()> fn) {
    return call_at(clock().now() + delay, std::move(fn));
  }
  // Cancels a timer; harmless if it already ran.
  virtual void cancel(TimerId id) = 0;
  // Calls `on_readable` whenever `fd` is readable (or at EOF/error) until unwatch(fd). The caller
  // keeps ownership of the descriptor and must unwatch before closing it.
  virtual void watch_readable(int fd, std::function<void()> on_readable) = 0;
  // Calls `on_writable` whenever `fd` is writable (a non-blocking connect() finished, a full
  // socket buffer drained) until unwatch_writable(fd) or unwatch(fd). Watch only while there is
  // something to write: an idle socket is always writable.
  virtual void watch_writable(int fd, std::function<void()> on_writable) = 0;
  virtual void unwatch_writable(int fd) = 0;
  // Stops both watches of `fd`.
  virtual void unwatch(int fd) = 0;
};

}  // namespace netpower::core
