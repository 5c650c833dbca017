#include "collectors/framework/staleness.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace netpower::collectors::framework {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

UpsVars values(const std::string& charge) {
  UpsVars v;
  v.set("battery.charge", charge);
  return v;
}

class StalenessTest : public ::testing::Test {
 protected:
  core::TimePoint t0{std::chrono::hours(1)};
  Staleness s{5s, 30s};
};

TEST_F(StalenessTest, LostUntilTheFirstGoodRead) {
  EXPECT_EQ(s.link(t0), UpsLink::kLost);
  EXPECT_EQ(s.reading(t0).detail, "no answer yet");
  s.failed("cannot open /dev/x", t0);
  auto r = s.reading(t0 + 1ms);
  EXPECT_EQ(r.link, UpsLink::kLost);
  EXPECT_EQ(r.detail, "cannot open /dev/x");
  EXPECT_TRUE(r.vars.empty());
}

TEST_F(StalenessTest, TheStaleEdgeIsOneMillisecondLate) {
  s.ok(values("90"), t0);
  EXPECT_EQ(s.link(t0), UpsLink::kOnline);
  EXPECT_EQ(s.link(t0 + 5s), UpsLink::kOnline);  // a read exactly on time
  auto late = s.reading(t0 + 5s + 1ms);          // the read that is one millisecond late
  EXPECT_EQ(late.link, UpsLink::kStale);
  EXPECT_EQ(late.vars.get("battery.charge"), "90");  // kept, marked stale
  EXPECT_EQ(late.updated, t0);
  EXPECT_THAT(late.detail, HasSubstr("no good read for more than 5s"));
  s.ok(values("91"), t0 + 5s + 1ms);  // it comes
  auto back = s.reading(t0 + 5s + 1ms);
  EXPECT_EQ(back.link, UpsLink::kOnline);
  EXPECT_EQ(back.vars.get("battery.charge"), "91");
  EXPECT_EQ(back.detail, "");
}

TEST_F(StalenessTest, AFailedReadIsStaleAtOnceAndKeepsTheValues) {
  s.ok(values("90"), t0);
  s.failed("no answer to Q1 within 1s", t0 + 2s);
  auto r = s.reading(t0 + 2s);
  EXPECT_EQ(r.link, UpsLink::kStale);
  EXPECT_EQ(r.detail, "no answer to Q1 within 1s");
  EXPECT_EQ(r.vars.get("battery.charge"), "90");
  EXPECT_EQ(r.updated, t0);
  s.failed("garbage", t0 + 4s);
  EXPECT_EQ(s.failures(), 2u);
  EXPECT_EQ(s.reading(t0 + 4s).detail, "garbage");
}

TEST_F(StalenessTest, LostAfterExactlyTheConfiguredTime) {
  s.ok(values("90"), t0);
  s.failed("silence", t0 + 1s);
  EXPECT_EQ(s.link(t0 + 30s - 1ms), UpsLink::kStale);
  auto lost = s.reading(t0 + 30s);
  EXPECT_EQ(lost.link, UpsLink::kLost);
  EXPECT_TRUE(lost.vars.empty());  // ups.h: no values that old are passed on
  EXPECT_EQ(lost.updated, t0);
  EXPECT_EQ(lost.detail, "no good read for 30s: silence");
  // Never wiped: the framework still has them.
  EXPECT_EQ(s.last_values().get("battery.charge"), "90");
  // Without failures reported, the clock alone makes it lost too.
  Staleness quiet(5s, 30s);
  quiet.ok(values("90"), t0);
  EXPECT_EQ(quiet.link(t0 + 30s - 1ms), UpsLink::kStale);
  EXPECT_EQ(quiet.link(t0 + 30s), UpsLink::kLost);
  EXPECT_EQ(quiet.reading(t0 + 30s).detail, "no good read for 30s");
}

TEST_F(StalenessTest, RecoversOnTheNextGoodRead) {
  s.ok(values("90"), t0);
  s.failed("silence", t0 + 1s);
  ASSERT_EQ(s.link(t0 + 40s), UpsLink::kLost);
  s.ok(values("80"), t0 + 40s);
  auto r = s.reading(t0 + 40s);
  EXPECT_EQ(r.link, UpsLink::kOnline);
  EXPECT_EQ(r.vars.get("battery.charge"), "80");
  EXPECT_EQ(r.updated, t0 + 40s);
  EXPECT_EQ(s.failures(), 0u);
  EXPECT_EQ(s.problem(), "");
}

}  // namespace
}  // namespace netpower::collectors::framework
