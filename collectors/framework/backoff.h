#pragma once
// Reconnect / reopen delays: `first`, then twice as long each time up to `max`; reset() after a
// success starts over at `first`. Loop thread only.

#include <algorithm>

#include "core/clock.h"

namespace netpower::collectors::framework {

class Backoff {
 public:
  // `first` is capped at `max`.
  Backoff(core::Duration first, core::Duration max) : first_(std::min(first, max)), max_(max) {
    next_ = first_;
  }

  // The delay to wait now; the next call returns twice as much (at most `max`).
  core::Duration next() {
    auto delay = next_;
    next_ = next_ > max_ / 2 ? max_ : std::min(next_ * 2, max_);
    return delay;
  }
  // The delay that next() would return.
  core::Duration peek() const { return next_; }
  void reset() { next_ = first_; }

 private:
  core::Duration first_;
  core::Duration max_;
  core::Duration next_;
};

}  // namespace netpower::collectors::framework
