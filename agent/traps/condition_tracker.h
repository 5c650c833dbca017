#pragma once
// One watched value (a board's temperature, a port's load or module status) under the patent's
// trap rules, on the loop's clock:
//   - a new condition is announced at once, and the steady-state period starts;
//   - at the end of every period the condition is announced again, unless the value stayed in
//     range for that whole period: then the condition is over and kNormal is announced, once;
//   - what the value does inside a period (flapping in and out of range) announces nothing extra,
//     but a period with any moment out of range is not "in range for the whole period";
//   - a change between two conditions (High and Low) is a new condition: announced at once, and
//     the period starts again;
//   - an unknown value (no probe, board silent, chain link down) freezes the condition: nothing
//     is announced, and a period that ends meanwhile is settled on the first known value (the
//     condition again at once if the value is out of range, otherwise a new period in range
//     begins). Unknown time never counts as time in range.
// The patent's own example: limit 100 °C; 101 announces High; 99 then 100 inside the period: High
// again when it ends (it was not in range for the whole period); below 100 for the next whole
// period: Normal when that period ends.

#include <functional>
#include <optional>

#include "core/event_loop.h"

namespace netpower::agent::traps {

// Where a value stands against its limits; kError is a status that is not Normal (module status).
enum class Level { kNormal, kHigh, kLow, kError };

const char* to_string(Level level);

class ConditionTracker {
 public:
  // Called for each announcement: the condition (new or lasting), or kNormal when it is over.
  // It may call reset() (the engine does when the kind was disabled meanwhile).
  using Announce = std::function<void(Level)>;

  ConditionTracker(core::EventLoop& loop, core::Duration period, Announce announce);
  ~ConditionTracker();
  ConditionTracker(const ConditionTracker&) = delete;
  ConditionTracker& operator=(const ConditionTracker&) = delete;

  // The value's level now; nullopt while it is unknown. Loop thread.
  void observe(std::optional<Level> level);
  // Forgets the condition without announcing anything (the trap kind was disabled). The next
  // observe() starts afresh.
  void reset();

  // The condition announced and not over yet; kNormal when there is none.
  Level condition() const { return condition_; }

 private:
  void start(Level level);
  void arm(core::TimePoint deadline);
  void period_ended();

  core::EventLoop& loop_;
  core::Duration period_;
  Announce announce_;
  Level condition_ = Level::kNormal;
  std::optional<Level> current_;  // the last observation; nullopt: unknown
  bool in_range_all_period_ = false;
  bool period_ended_while_unknown_ = false;
  core::TimePoint deadline_{};
  core::TimerId timer_ = 0;
};

}  // namespace netpower::agent::traps
