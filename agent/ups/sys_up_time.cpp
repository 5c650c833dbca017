#include "agent/ups/sys_up_time.h"

#include <chrono>

namespace netpower::agent::ups {

std::uint64_t SysUpTime::now() const {
  if (source_) return source_();
  auto elapsed = clock_.now() - started_;
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() / 10);
}

SysUpTime::Stamp SysUpTime::stamp() {
  auto ticks = now();
  // Back by a second or more, not a clock's jitter between two resynchronisations.
  bool restarted = last_ && ticks + 100 < *last_;
  last_ = ticks;
  return {static_cast<std::uint32_t>(ticks), restarted};
}

}  // namespace netpower::agent::ups
