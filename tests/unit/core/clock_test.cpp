#include "core/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>

namespace netpower::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ManualClock, StartsAtOneHourAndMovesOnlyWhenTold) {
  ManualClock clock;
  EXPECT_EQ(clock.now().time_since_epoch(), std::chrono::hours(1));
  auto before = clock.now();
  EXPECT_EQ(clock.now(), before);
  clock.advance(seconds(15));
  EXPECT_EQ(clock.now() - before, seconds(15));
  clock.set(TimePoint(seconds(5)));
  EXPECT_EQ(clock.now().time_since_epoch(), seconds(5));
}

TEST(ManualClock, RealWaitIsZeroWhenDueAndForeverOtherwise) {
  ManualClock clock;
  EXPECT_EQ(clock.real_wait(clock.now()), Duration::zero());
  EXPECT_EQ(clock.real_wait(clock.now() - seconds(1)), Duration::zero());
  EXPECT_EQ(clock.real_wait(clock.now() + Duration(1)), Duration::max());
  auto deadline = clock.now() + seconds(60);
  clock.advance(seconds(60));
  EXPECT_EQ(clock.real_wait(deadline), Duration::zero());
}

TEST(SteadyClock, RealWaitIsTheRemainingTime) {
  SteadyClock clock;
  EXPECT_EQ(clock.real_wait(clock.now() - seconds(1)), Duration::zero());
  auto wait = clock.real_wait(clock.now() + seconds(1));
  EXPECT_GT(wait, Duration::zero());
  EXPECT_LE(wait, seconds(1));
}

TEST(ScaledClock, RejectsFactorsThatAreNotPositive) {
  EXPECT_THROW(ScaledClock(0.0), std::invalid_argument);
  EXPECT_THROW(ScaledClock(-2.0), std::invalid_argument);
  EXPECT_THROW(ScaledClock(std::nan("")), std::invalid_argument);
}

TEST(ScaledClock, RealWaitDividesByTheFactor) {
  ScaledClock clock(100.0);
  // 15 s on the clock are 150 ms of real time; a little of it may already have passed.
  auto wait = clock.real_wait(clock.now() + seconds(15));
  EXPECT_LE(wait, milliseconds(150) + Duration(1));
  EXPECT_GT(wait, milliseconds(100));
}

TEST(ScaledClock, RealWaitIsZeroForThePastAndNeverZeroForTheFuture) {
  ScaledClock clock(1000.0);
  EXPECT_EQ(clock.real_wait(clock.now() - seconds(1)), Duration::zero());
  // A deadline a nanosecond ahead must not round down to "due".
  EXPECT_GT(clock.real_wait(clock.now() + seconds(10)), Duration::zero());
}

TEST(ScaledClock, RunsFactorTimesFaster) {
  ScaledClock clock(100.0);
  auto start = clock.now();
  std::this_thread::sleep_for(milliseconds(20));
  auto elapsed = clock.now() - start;
  EXPECT_GE(elapsed, seconds(2));
  EXPECT_LT(elapsed, seconds(60));  // generous: a loaded machine may oversleep
}

TEST(ScaledClock, StartsNearTheSteadyClock) {
  SteadyClock steady;
  ScaledClock scaled(50.0);
  auto gap = scaled.now() - steady.now();
  EXPECT_LT(gap, seconds(5));
  EXPECT_GT(gap, -seconds(5));
}

}  // namespace
}  // namespace netpower::core
