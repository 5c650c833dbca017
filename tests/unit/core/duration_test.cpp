#include "core/duration.h"

#include <gtest/gtest.h>

#include <chrono>

namespace netpower::core {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, ReadsEveryUnit) {
  EXPECT_EQ(parse_duration("15s"), Duration(15s));
  EXPECT_EQ(parse_duration("500ms"), Duration(500ms));
  EXPECT_EQ(parse_duration("2m"), Duration(2min));
  EXPECT_EQ(parse_duration("3h"), Duration(3h));
  EXPECT_EQ(parse_duration("200us"), Duration(200us));
  EXPECT_EQ(parse_duration("1ms500us"), Duration(1500us));
}

TEST(ParseDuration, AddsSequencesOfParts) {
  EXPECT_EQ(parse_duration("1h30m"), Duration(90min));
  EXPECT_EQ(parse_duration("1m30s"), Duration(90s));
  EXPECT_EQ(parse_duration("1h2m3s4ms"), Duration(1h + 2min + 3s + 4ms));
}

TEST(ParseDuration, ReadsZero) {
  EXPECT_EQ(parse_duration("0"), Duration::zero());
  EXPECT_EQ(parse_duration("0s"), Duration::zero());
  EXPECT_EQ(parse_duration("0ms"), Duration::zero());
}

TEST(ParseDuration, RejectsMalformedText) {
  for (const char* bad : {"", "15", "s", "-1s", "1x", "1.5s", " 1s", "1s ", "1S", "ms", "1 s",
                          "+1s", "1sec", "1m x", "00", "1h30", "1ns", "1µs", "1US"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(ParseDuration, RejectsHugeNumbers) {
  EXPECT_EQ(parse_duration("99999999999999999999999s"), std::nullopt);
}

TEST(FormatDuration, WritesTheShortestExactForm) {
  EXPECT_EQ(format_duration(15s), "15s");
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(Duration::zero()), "0s");
  EXPECT_EQ(format_duration(90min), "1h30m");
  EXPECT_EQ(format_duration(1h + 2min + 3s + 1ms), "1h2m3s1ms");
  EXPECT_EQ(format_duration(60s), "1m");
  EXPECT_EQ(format_duration(26h), "26h");
  EXPECT_EQ(format_duration(200us), "200us");
  EXPECT_EQ(format_duration(1s + 1500us), "1s1ms500us");
  EXPECT_EQ(format_duration(999ns), "0s") << "below a microsecond";
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (Duration d : {Duration(1ms), Duration(999ms), Duration(1s), Duration(61s), Duration(3601s),
                     Duration(15s), Duration(24h + 1ms), Duration(1us), Duration(10s + 7us)}) {
    auto text = format_duration(d);
    EXPECT_EQ(parse_duration(text), d) << text;
  }
}

}  // namespace
}  // namespace netpower::core

namespace netpower::core {
namespace {
TEST(DurationLimits, HugeValuesAreRejectedNotOverflowed) {
  EXPECT_FALSE(parse_duration("1000000000h"));
  EXPECT_FALSE(parse_duration("367d"));
  EXPECT_FALSE(parse_duration("8785h"));  // 366 days + 1 hour
  EXPECT_EQ(parse_duration("8784h"), std::chrono::hours(8784));
  EXPECT_FALSE(parse_duration("99999999999999999999s"));
}
}  // namespace
}  // namespace netpower::core
