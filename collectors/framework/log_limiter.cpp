#include "collectors/framework/log_limiter.h"

#include <algorithm>

namespace netpower::collectors::framework {

LogLimiter::LogLimiter(std::uint64_t first, std::uint64_t every)
    : first_(first), every_(std::max<std::uint64_t>(every, 1)) {}

bool LogLimiter::count() {
  ++failures_;
  bool log = failures_ <= first_ || (failures_ - first_) % every_ == 0;
  if (!log) {
    ++skipped_;
    return false;
  }
  held_ = skipped_;
  skipped_ = 0;
  return true;
}

std::uint64_t LogLimiter::recover() {
  auto n = failures_;
  failures_ = 0;
  held_ = 0;
  skipped_ = 0;
  return n;
}

}  // namespace netpower::collectors::framework
