#pragma once
// Log limiting for a problem that repeats (a UPS that stops answering fails every poll): the
// first `first` problems of a run are logged, then one in `every`, and the end of the run is
// worth one line ("recovered after K failures"). Counts only, no clock: a run of failures at one
// poll interval is logged at a rate that follows the interval.
//
// Loop thread only.

#include <cstdint>

namespace netpower::collectors::framework {

class LogLimiter {
 public:
  static constexpr std::uint64_t kFirst = 3;
  static constexpr std::uint64_t kEvery = 30;  // about once a minute at a 2 s poll interval

  // `first` >= 0, `every` >= 1.
  explicit LogLimiter(std::uint64_t first = kFirst, std::uint64_t every = kEvery);

  // Counts one problem; true when this one is to be logged.
  bool count();
  // After count() returned true: how many problems were not logged between the previous logged
  // one and this one (for "(n similar not logged)").
  std::uint64_t held() const { return held_; }
  // Problems in the current run.
  std::uint64_t failures() const { return failures_; }
  // Ends the run; returns how many problems it had (0: there was no run, nothing to log).
  std::uint64_t recover();

 private:
  std::uint64_t first_;
  std::uint64_t every_;
  std::uint64_t failures_ = 0;
  std::uint64_t held_ = 0;     // reported by held()
  std::uint64_t skipped_ = 0;  // not logged since the last logged one
};

}  // namespace netpower::collectors::framework
