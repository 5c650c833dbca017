#pragma once
// The clock of the UPS-MIB's TimeStamps (upsAlarmTime, upsTestStartTime): the master agent's
// sysUpTime in hundredths of a second, or, without a source, the time since this clock was made.
// It notices when sysUpTime goes back (the master restarted). Loop thread.

#include <cstdint>
#include <functional>
#include <optional>

#include "core/clock.h"

namespace netpower::agent::ups {

class SysUpTime {
 public:
  // Counts on `clock` from its now until a source is set. `clock` must outlive this.
  explicit SysUpTime(const core::Clock& clock) : clock_(clock), started_(clock.now()) {}

  // The master's sysUpTime, not wrapped (Subagent::uptime_ticks).
  void set_source(std::function<std::uint64_t()> source) { source_ = std::move(source); }
  std::uint64_t now() const;

  struct Stamp {
    std::uint32_t ticks;  // now(), as a TimeTicks value (modulo 2^32)
    bool restarted;       // more than a second back since the last stamp(): a new sysUpTime
  };
  // A time for a new TimeStamp.
  Stamp stamp();

 private:
  const core::Clock& clock_;
  core::TimePoint started_;
  std::function<std::uint64_t()> source_;
  std::optional<std::uint64_t> last_;
};

}  // namespace netpower::agent::ups
