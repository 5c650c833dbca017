#include "collectors/framework/log_limiter.h"

#include <gtest/gtest.h>

#include <vector>

namespace netpower::collectors::framework {
namespace {

TEST(LogLimiterTest, FirstNThenOneInM) {
  LogLimiter limiter(3, 10);
  std::vector<int> logged;
  for (int i = 1; i <= 35; ++i) {
    if (limiter.count()) logged.push_back(i);
  }
  EXPECT_EQ(logged, (std::vector<int>{1, 2, 3, 13, 23, 33}));
  EXPECT_EQ(limiter.failures(), 35u);
}

TEST(LogLimiterTest, HeldCountsWhatWasNotLogged) {
  LogLimiter limiter(2, 5);
  ASSERT_TRUE(limiter.count());
  EXPECT_EQ(limiter.held(), 0u);
  ASSERT_TRUE(limiter.count());
  EXPECT_EQ(limiter.held(), 0u);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(limiter.count());
  ASSERT_TRUE(limiter.count());  // the 7th: 2 + 5
  EXPECT_EQ(limiter.held(), 4u);
}

TEST(LogLimiterTest, RecoverTellsTheRunAndStartsOver) {
  LogLimiter limiter(1, 100);
  EXPECT_EQ(limiter.recover(), 0u);  // no run: nothing to say
  for (int i = 0; i < 7; ++i) limiter.count();
  EXPECT_EQ(limiter.recover(), 7u);  // "recovered after 7 failures"
  EXPECT_EQ(limiter.failures(), 0u);
  EXPECT_TRUE(limiter.count());  // a new run is logged from its first problem
  EXPECT_FALSE(limiter.count());
}

TEST(LogLimiterTest, DefaultsLogTheFirstThreeThenOneInThirty) {
  LogLimiter limiter;
  int logged = 0;
  for (int i = 0; i < 63; ++i) logged += limiter.count();
  EXPECT_EQ(logged, 3 + 2);  // 1, 2, 3, 33, 63
}

}  // namespace
}  // namespace netpower::collectors::framework
