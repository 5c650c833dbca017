#include "collectors/framework/backoff.h"

#include <gtest/gtest.h>

namespace netpower::collectors::framework {
namespace {

using namespace std::chrono_literals;

TEST(BackoffTest, DoublesUpToItsCap) {
  Backoff b(500ms, 5s);
  EXPECT_EQ(b.next(), 500ms);
  EXPECT_EQ(b.next(), 1s);
  EXPECT_EQ(b.next(), 2s);
  EXPECT_EQ(b.next(), 4s);
  EXPECT_EQ(b.next(), 5s);  // capped, not 8 s
  EXPECT_EQ(b.next(), 5s);
  EXPECT_EQ(b.peek(), 5s);
}

TEST(BackoffTest, ResetStartsOver) {
  Backoff b(100ms, 1s);
  b.next();
  b.next();
  EXPECT_EQ(b.peek(), 400ms);
  b.reset();
  EXPECT_EQ(b.next(), 100ms);
}

TEST(BackoffTest, AFirstDelayAboveTheCapIsTheCap) {
  Backoff b(500ms, 400ms);
  EXPECT_EQ(b.next(), 400ms);
  EXPECT_EQ(b.next(), 400ms);
}

TEST(BackoffTest, AHugeCapDoesNotOverflow) {
  Backoff b(1h, core::Duration::max());
  for (int i = 0; i < 80; ++i) EXPECT_GT(b.next(), 0ns);
  EXPECT_EQ(b.peek(), core::Duration::max());
}

}  // namespace
}  // namespace netpower::collectors::framework
