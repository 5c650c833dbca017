#include "core/timer_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace netpower::core {
namespace {

using std::chrono::seconds;

class TimerQueueTest : public ::testing::Test {
 protected:
  TimePoint at(int s) const { return TimePoint(seconds(s)); }
  std::function<void()> log(std::string name) {
    return [this, name] { ran.push_back(name); };
  }

  TimerQueue queue;
  std::vector<std::string> ran;
};

TEST_F(TimerQueueTest, RunsDueTimersEarliestFirst) {
  queue.schedule(at(30), log("c"));
  queue.schedule(at(10), log("a"));
  queue.schedule(at(20), log("b"));
  EXPECT_EQ(queue.next_deadline(), at(10));
  EXPECT_EQ(queue.run_due(at(20)), 2u);
  EXPECT_EQ(ran, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue.next_deadline(), at(30));
  EXPECT_EQ(queue.run_due(at(29)), 0u);
  EXPECT_EQ(queue.run_due(at(30)), 1u);
  EXPECT_EQ(ran.back(), "c");
  EXPECT_EQ(queue.next_deadline(), std::nullopt);
}

TEST_F(TimerQueueTest, TiesRunInSchedulingOrder) {
  for (const char* name : {"1", "2", "3", "4"}) queue.schedule(at(5), log(name));
  queue.run_due(at(5));
  EXPECT_EQ(ran, (std::vector<std::string>{"1", "2", "3", "4"}));
}

TEST_F(TimerQueueTest, CancelledTimersDoNotRun) {
  auto a = queue.schedule(at(1), log("a"));
  auto b = queue.schedule(at(2), log("b"));
  EXPECT_TRUE(queue.cancel(a));
  EXPECT_FALSE(queue.cancel(a));
  EXPECT_EQ(queue.size(), 1u);
  queue.run_due(at(10));
  EXPECT_EQ(ran, (std::vector<std::string>{"b"}));
  EXPECT_FALSE(queue.cancel(b));  // already ran
  EXPECT_FALSE(queue.cancel(12345));
}

TEST_F(TimerQueueTest, IdsAreNeverReused) {
  auto a = queue.schedule(at(1), log("a"));
  queue.cancel(a);
  auto b = queue.schedule(at(1), log("b"));
  queue.run_due(at(1));
  auto c = queue.schedule(at(1), log("c"));
  EXPECT_NE(a, b);
  EXPECT_NE(b, c);
  EXPECT_NE(a, c);
}

TEST_F(TimerQueueTest, TimersScheduledByACallbackRunInTheSameCallWhenDue) {
  queue.schedule(at(1), [this] {
    ran.push_back("first");
    queue.schedule(at(1), log("due now"));
    queue.schedule(at(0), log("overdue"));
    queue.schedule(at(9), log("later"));
  });
  EXPECT_EQ(queue.run_due(at(1)), 3u);
  EXPECT_EQ(ran, (std::vector<std::string>{"first", "overdue", "due now"}));
  EXPECT_EQ(queue.next_deadline(), at(9));
  EXPECT_EQ(queue.run_due(at(9)), 1u);
  EXPECT_EQ(ran.back(), "later");
}

TEST_F(TimerQueueTest, ACallbackMayCancelAnotherPendingTimer) {
  TimerId victim = 0;
  queue.schedule(at(1), [&] {
    ran.push_back("killer");
    EXPECT_TRUE(queue.cancel(victim));
  });
  victim = queue.schedule(at(1), log("victim"));
  queue.run_due(at(1));
  EXPECT_EQ(ran, (std::vector<std::string>{"killer"}));
  EXPECT_EQ(queue.size(), 0u);
}

TEST_F(TimerQueueTest, ACallbackCancellingItselfIsHarmless) {
  TimerId self = 0;
  self = queue.schedule(at(1), [&] {
    ran.push_back("self");
    EXPECT_FALSE(queue.cancel(self));
  });
  EXPECT_EQ(queue.run_due(at(1)), 1u);
  EXPECT_EQ(ran.size(), 1u);
}

}  // namespace
}  // namespace netpower::core
