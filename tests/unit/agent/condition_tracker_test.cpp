// The steady-state rules of one trap condition on a manual clock: the 60th and 61st second of a
// period, flapping, High to Low, unknown values, reset.

#include "agent/traps/condition_tracker.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/agent/manual_loop.h"

namespace netpower::agent::traps {
namespace {

using namespace std::chrono_literals;
using testing::ManualLoop;

class ConditionTrackerTest : public ::testing::Test {
 protected:
  ConditionTrackerTest()
      : tracker_(loop_, 60s, [this](Level level) {
          sent_.push_back({level, loop_.clock().now() - start_});
        }) {}

  struct Sent {
    Level level;
    core::Duration at;  // since the test's start
    bool operator==(const Sent&) const = default;
  };
  // The levels sent so far, and when.
  std::vector<Level> levels() const {
    std::vector<Level> out;
    for (const auto& s : sent_) out.push_back(s.level);
    return out;
  }

  ManualLoop loop_;
  core::TimePoint start_ = loop_.clock().now();
  std::vector<Sent> sent_;
  ConditionTracker tracker_;
};

TEST_F(ConditionTrackerTest, ANewConditionIsSentAtOnceAndRepeatsExactlyOncePerPeriod) {
  tracker_.observe(Level::kNormal);
  EXPECT_TRUE(sent_.empty());  // normal from the start: nothing to say
  tracker_.observe(Level::kHigh);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0], (Sent{Level::kHigh, 0s}));
  // The value is read many times inside the period: no extra traps.
  for (int i = 0; i < 59; ++i) {
    loop_.advance(1s);
    tracker_.observe(Level::kHigh);
  }
  loop_.advance(999ms);  // 59.999 s
  EXPECT_EQ(sent_.size(), 1u);
  loop_.advance(1ms);  // 60 s
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1], (Sent{Level::kHigh, 60s}));
  loop_.advance(1s);  // 61 s
  EXPECT_EQ(sent_.size(), 2u);
  // A loop that runs the timer late (at 126 s) does not shift the cadence: the next is at 180 s.
  loop_.advance(65s);  // 126 s
  ASSERT_EQ(sent_.size(), 3u);
  EXPECT_EQ(sent_[2].at, 126s);
  loop_.advance(53999ms);
  EXPECT_EQ(sent_.size(), 3u);
  loop_.advance(1ms);  // 180 s
  ASSERT_EQ(sent_.size(), 4u);
  EXPECT_EQ(sent_[3].at, 180s);
  EXPECT_EQ(tracker_.condition(), Level::kHigh);
}

TEST_F(ConditionTrackerTest, NormalOnlyAfterAWholePeriodInRangeAndOnce) {
  tracker_.observe(Level::kHigh);  // 0 s
  loop_.advance(1s);
  tracker_.observe(Level::kNormal);  // back in range at 1 s: the first period was not all in range
  loop_.advance(59s);                // 60 s
  EXPECT_EQ(levels(), (std::vector<Level>{Level::kHigh, Level::kHigh}));
  loop_.advance(59999ms);  // 119.999 s
  EXPECT_EQ(sent_.size(), 2u);
  loop_.advance(1ms);  // 120 s: in range for the whole period 60..120
  ASSERT_EQ(sent_.size(), 3u);
  EXPECT_EQ(sent_[2], (Sent{Level::kNormal, 120s}));
  EXPECT_EQ(tracker_.condition(), Level::kNormal);
  loop_.advance(10min);
  EXPECT_EQ(sent_.size(), 3u);  // Normal is sent once, then nothing
  // A new condition after that is sent at once again.
  tracker_.observe(Level::kHigh);
  ASSERT_EQ(sent_.size(), 4u);
  EXPECT_EQ(sent_[3].level, Level::kHigh);
}

TEST_F(ConditionTrackerTest, BackInRangeJustBeforeAPeriodEndsIsNormalAtTheNextEnd) {
  tracker_.observe(Level::kHigh);  // 0 s
  loop_.advance(59999ms);
  tracker_.observe(Level::kNormal);  // 59.999 s
  loop_.advance(1ms);                // 60 s: repeat, the period was not all in range
  EXPECT_EQ(levels(), (std::vector<Level>{Level::kHigh, Level::kHigh}));
  loop_.advance(59999ms);
  EXPECT_EQ(sent_.size(), 2u);
  loop_.advance(1ms);  // 120 s: the whole period 60..120 in range
  EXPECT_EQ(levels(), (std::vector<Level>{Level::kHigh, Level::kHigh, Level::kNormal}));
  EXPECT_EQ(sent_.back().at, 120s);
}

TEST_F(ConditionTrackerTest, StillOutOfRangeAtThePeriodEndMeansAnotherWholePeriod) {
  tracker_.observe(Level::kHigh);    // 0 s
  loop_.advance(60s);                // repeat at 60 s: the value read last is still high
  tracker_.observe(Level::kNormal);  // read in range just after the period began
  loop_.advance(60s);                // 120 s: that period began out of range
  EXPECT_EQ(levels(), (std::vector<Level>{Level::kHigh, Level::kHigh, Level::kHigh}));
  loop_.advance(60s);
  EXPECT_EQ(sent_.back(), (Sent{Level::kNormal, 180s}));
}

TEST_F(ConditionTrackerTest, FlappingInsideAPeriodSendsNothingExtra) {
  tracker_.observe(Level::kHigh);  // 0 s
  for (int i = 0; i < 5; ++i) {    // in and out every 5 s until 50 s
    loop_.advance(5s);
    tracker_.observe(Level::kNormal);
    loop_.advance(5s);
    tracker_.observe(Level::kHigh);
  }
  loop_.advance(5s);
  tracker_.observe(Level::kNormal);  // 55 s: in range, but not for the whole period
  EXPECT_EQ(sent_.size(), 1u);
  loop_.advance(5s);  // 60 s: the condition lasted, one repeat
  EXPECT_EQ(levels(), (std::vector<Level>{Level::kHigh, Level::kHigh}));
  loop_.advance(30s);
  tracker_.observe(Level::kHigh);  // 90 s: out again, same condition: nothing at once
  loop_.advance(1s);
  tracker_.observe(Level::kNormal);
  EXPECT_EQ(sent_.size(), 2u);
  loop_.advance(29s);  // 120 s: not a whole period in range: repeat, not Normal
  EXPECT_EQ(levels(), (std::vector<Level>{Level::kHigh, Level::kHigh, Level::kHigh}));
  loop_.advance(60s);  // 180 s
  EXPECT_EQ(sent_.back(), (Sent{Level::kNormal, 180s}));
  EXPECT_EQ(sent_.size(), 4u);
}

TEST_F(ConditionTrackerTest, HighToLowIsANewConditionSentAtOnceWithItsOwnPeriod) {
  tracker_.observe(Level::kHigh);  // 0 s
  loop_.advance(10s);
  tracker_.observe(Level::kLow);  // 10 s
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1], (Sent{Level::kLow, 10s}));
  loop_.advance(50s);  // 60 s: the High period no longer runs
  EXPECT_EQ(sent_.size(), 2u);
  loop_.advance(10s);  // 70 s
  ASSERT_EQ(sent_.size(), 3u);
  EXPECT_EQ(sent_[2], (Sent{Level::kLow, 70s}));
  // Straight through the range to High: new again, even inside a period.
  loop_.advance(5s);
  tracker_.observe(Level::kNormal);
  tracker_.observe(Level::kHigh);
  ASSERT_EQ(sent_.size(), 4u);
  EXPECT_EQ(sent_[3], (Sent{Level::kHigh, 75s}));
}

TEST_F(ConditionTrackerTest, AnUnknownValueFreezesTheCondition) {
  tracker_.observe(Level::kHigh);  // 0 s
  loop_.advance(10s);
  tracker_.observe(std::nullopt);  // probe gone, link down
  loop_.advance(5min);
  EXPECT_EQ(sent_.size(), 1u);  // no repeats while unknown
  tracker_.observe(std::nullopt);
  EXPECT_EQ(sent_.size(), 1u);
  // Known again and still out of range: the period that ended meanwhile is settled at once.
  tracker_.observe(Level::kHigh);  // 310 s
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1], (Sent{Level::kHigh, 310s}));
  loop_.advance(60s);
  EXPECT_EQ(sent_.size(), 3u);  // and the cadence restarts from there
  EXPECT_EQ(sent_[2].at, 370s);
}

TEST_F(ConditionTrackerTest, KnownAgainInRangeNeedsAWholeKnownPeriodForNormal) {
  tracker_.observe(Level::kLow);  // 0 s
  loop_.advance(30s);
  tracker_.observe(std::nullopt);
  loop_.advance(60s);                // 90 s: the period ended while unknown
  tracker_.observe(Level::kNormal);  // nothing at once: unknown time is not time in range
  EXPECT_EQ(sent_.size(), 1u);
  loop_.advance(59999ms);
  EXPECT_EQ(sent_.size(), 1u);
  loop_.advance(1ms);  // 150 s
  ASSERT_EQ(sent_.size(), 2u);
  EXPECT_EQ(sent_[1], (Sent{Level::kNormal, 150s}));
}

TEST_F(ConditionTrackerTest, UnknownInsideAPeriodDoesNotCountAsInRange) {
  tracker_.observe(Level::kHigh);  // 0 s
  loop_.advance(59s);
  tracker_.observe(Level::kNormal);
  loop_.advance(1s);  // 60 s: repeat; in range since 59 s
  loop_.advance(10s);
  tracker_.observe(std::nullopt);
  loop_.advance(10s);
  tracker_.observe(Level::kNormal);
  loop_.advance(40s);  // 120 s: in range only when known: the condition lasts
  EXPECT_EQ(levels(), (std::vector<Level>{Level::kHigh, Level::kHigh, Level::kHigh}));
  loop_.advance(60s);
  EXPECT_EQ(sent_.back().level, Level::kNormal);
}

TEST_F(ConditionTrackerTest, ResetForgetsWithoutSendingAndTheNextObservationStartsAfresh) {
  tracker_.observe(Level::kHigh);
  tracker_.reset();
  EXPECT_EQ(tracker_.condition(), Level::kNormal);
  loop_.advance(5min);
  EXPECT_EQ(sent_.size(), 1u);  // no repeat, no Normal
  tracker_.observe(Level::kHigh);
  EXPECT_EQ(levels(), (std::vector<Level>{Level::kHigh, Level::kHigh}));
  // A reset from inside the announcement (the kind was disabled meanwhile) stops everything.
  ConditionTracker self_resetting(loop_, 60s, [&](Level) { self_resetting.reset(); });
  self_resetting.observe(Level::kLow);
  EXPECT_EQ(self_resetting.condition(), Level::kNormal);
  loop_.advance(5min);
}

}  // namespace
}  // namespace netpower::agent::traps
