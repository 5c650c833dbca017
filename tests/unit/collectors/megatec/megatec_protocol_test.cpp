#include "collectors/megatec/megatec_protocol.h"

#include <gtest/gtest.h>

namespace netpower::collectors::megatec {
namespace {

using std::chrono::seconds;

constexpr const char* kQ1 = "(226.0 195.0 226.0 014 49.0 27.5 30.0 00001001";

TEST(MegatecQ1, ParsesEveryField) {
  auto parsed = parse_q1(kQ1);
  ASSERT_TRUE(parsed) << parsed.detail;
  const auto& r = *parsed.value;
  EXPECT_DOUBLE_EQ(*r.input_voltage, 226.0);
  EXPECT_DOUBLE_EQ(*r.input_fault_voltage, 195.0);
  EXPECT_DOUBLE_EQ(*r.output_voltage, 226.0);
  EXPECT_DOUBLE_EQ(*r.load, 14);
  EXPECT_DOUBLE_EQ(*r.input_frequency, 49.0);
  EXPECT_DOUBLE_EQ(*r.battery_voltage, 27.5);
  EXPECT_DOUBLE_EQ(*r.temperature, 30.0);
  EXPECT_FALSE(r.status.utility_fail);
  EXPECT_TRUE(r.status.standby);
  EXPECT_TRUE(r.status.beeper_on);
  EXPECT_FALSE(r.status.test_in_progress);
  EXPECT_EQ(r.absent_fields(), 0);
}

TEST(MegatecQ1, StatusBitsInOrder) {
  auto r = parse_q1("(000.0 195.0 230.0 014 00.0 2.27 30.0 11111111");
  ASSERT_TRUE(r) << r.detail;
  const auto& s = r.value->status;
  EXPECT_TRUE(s.utility_fail && s.battery_low && s.bypass_boost_buck && s.ups_failed && s.standby &&
              s.test_in_progress && s.shutdown_active && s.beeper_on);
  auto one = parse_q1("(226.0 195.0 226.0 014 49.0 27.5 30.0 00000100");
  ASSERT_TRUE(one);
  EXPECT_TRUE(one.value->status.test_in_progress);
  EXPECT_FALSE(one.value->status.shutdown_active);
  EXPECT_DOUBLE_EQ(*r.value->battery_voltage, 2.27);
}

TEST(MegatecQ1, AtFilledFieldsAreAbsentNotZero) {
  auto r = parse_q1("(226.0 @@@.@ 226.0 014 49.0 27.5 @@.@ 00001001");
  ASSERT_TRUE(r) << r.detail;
  EXPECT_FALSE(r.value->input_fault_voltage);
  EXPECT_FALSE(r.value->temperature);
  EXPECT_EQ(r.value->absent_fields(), 2);
  auto dashes = parse_q1("(226.0 195.0 226.0 014 49.0 27.5 --.- 00001001");
  ASSERT_TRUE(dashes);
  EXPECT_FALSE(dashes.value->temperature);
  // Half filled is not absent: it is garbage.
  auto half = parse_q1("(226.0 19@.0 226.0 014 49.0 27.5 30.0 00001001");
  EXPECT_FALSE(half);
  EXPECT_EQ(half.error, ParseError::kFormat);
}

TEST(MegatecQ1, RefusesWrongShapes) {
  std::string good = kQ1;
  auto shorter = parse_q1(good.substr(0, 45));
  EXPECT_EQ(shorter.error, ParseError::kShort);
  EXPECT_NE(shorter.detail.find("45 bytes"), std::string::npos) << shorter.detail;
  EXPECT_EQ(parse_q1(good + "0").error, ParseError::kLong);
  EXPECT_EQ(parse_q1("").error, ParseError::kShort);
  EXPECT_EQ(parse_q1("Q1").error, ParseError::kShort);  // an echo: Q1 not supported

  auto start = good;
  start[0] = '#';
  EXPECT_EQ(parse_q1(start).error, ParseError::kFormat);
  auto separator = good;
  separator[6] = ',';
  EXPECT_EQ(parse_q1(separator).error, ParseError::kFormat);
  auto letter = good;
  letter[20] = 'x';
  auto bad = parse_q1(letter);
  EXPECT_FALSE(bad);
  EXPECT_NE(bad.detail.find("load"), std::string::npos) << bad.detail;
  auto bits = good;
  bits[40] = '2';
  EXPECT_FALSE(parse_q1(bits));
  auto two_points = good;
  two_points[3] = '.';
  EXPECT_FALSE(parse_q1(two_points));
  auto sign = good;
  sign[1] = '-';
  sign[2] = '2';
  EXPECT_FALSE(parse_q1(sign));
}

TEST(MegatecQ1, ErrorDetailIsPrintable) {
  std::string line = "(\x01\xff";
  auto r = parse_q1(line);
  EXPECT_FALSE(r);
  for (char c : r.detail) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << r.detail;
}

TEST(MegatecF, Parses) {
  auto r = parse_f("#230.0 010 024.0 50.0");
  ASSERT_TRUE(r) << r.detail;
  EXPECT_DOUBLE_EQ(*r.value->voltage, 230);
  EXPECT_DOUBLE_EQ(*r.value->current, 10);
  EXPECT_DOUBLE_EQ(*r.value->battery_voltage, 24);
  EXPECT_DOUBLE_EQ(*r.value->frequency, 50);
  EXPECT_TRUE(parse_f("#220.0 000 12.00 60.0"));
  EXPECT_EQ(parse_f("#230.0 010 024.0 50.").error, ParseError::kShort);
  EXPECT_EQ(parse_f("(230.0 010 024.0 50.0").error, ParseError::kFormat);
  EXPECT_EQ(parse_f("#230.0 010 024.0 50.00").error, ParseError::kLong);
  EXPECT_FALSE(parse_f("#230.0-010 024.0 50.0"));
  auto absent = parse_f("#230.0 @@@ 024.0 50.0");
  ASSERT_TRUE(absent);
  EXPECT_FALSE(absent.value->current);
}

TEST(MegatecI, ParsesFixedWidthFields) {
  auto r = parse_i("#NOT_A_LIVE_UPS  TESTING    TESTING   ");
  ASSERT_TRUE(r) << r.detail;
  EXPECT_EQ(r.value->company, "NOT_A_LIVE_UPS");
  EXPECT_EQ(r.value->model, "TESTING");
  EXPECT_EQ(r.value->version, "TESTING");
  auto spaces = parse_i("#Some Company    Model 10ch V 1.2     ");
  ASSERT_TRUE(spaces) << spaces.detail;
  EXPECT_EQ(spaces.value->company, "Some Company");
  EXPECT_EQ(spaces.value->model, "Model 10ch");
  EXPECT_EQ(spaces.value->version, "V 1.2");
  EXPECT_EQ(parse_i("#NOT_A_LIVE_UPS  TESTING    TESTING").error, ParseError::kShort);
  EXPECT_EQ(parse_i("#NOT_A_LIVE_UPS__TESTING    TESTING   ").error, ParseError::kFormat);
  EXPECT_EQ(parse_i(std::string("#NOT_A_LIVE_UPS  TESTING    TESTIN\x01   ")).error,
            ParseError::kFormat);
}

TEST(MegatecLineSplitter, SplitsAtCarriageReturn) {
  LineSplitter s(16);
  s.feed("(abc");
  EXPECT_FALSE(s.next());
  s.feed("\r#def\r\nghi");
  EXPECT_EQ(s.next(), "(abc");
  EXPECT_EQ(s.next(), "#def");  // "\r\n": the '\n' is dropped
  EXPECT_FALSE(s.next());
  s.feed("\r");
  EXPECT_EQ(s.next(), "ghi");
  s.feed("\n\nx\r");
  EXPECT_EQ(s.next(), "\nx");  // a '\n' not right after '\r' is data (garbage for the parsers)
}

TEST(MegatecLineSplitter, DiscardsOverlongLinesUpToTheirEnd) {
  LineSplitter s(8);
  s.feed("0123456789abcdef");
  EXPECT_EQ(s.overlong(), 1u);
  EXPECT_FALSE(s.next());
  s.feed("tail\rok\r");
  EXPECT_EQ(s.next(), "ok");
  EXPECT_FALSE(s.next());
  s.feed("part");
  EXPECT_EQ(s.clear(), 4u);
  s.feed("new\r");
  EXPECT_EQ(s.next(), "new");
}

// Every edge of the shutdown delay: .2 .. .9 minutes in 6 s steps, then whole minutes, rounded up.
TEST(MegatecCommands, ShutdownDelayRoundsUpNeverDown) {
  struct Case {
    int seconds;
    const char* text;
  };
  for (auto c : {Case{0, "00"}, Case{1, ".2"}, Case{12, ".2"}, Case{13, ".3"}, Case{18, ".3"},
                 Case{19, ".4"}, Case{30, ".5"}, Case{54, ".9"}, Case{55, "01"}, Case{60, "01"},
                 Case{61, "02"}, Case{599, "10"}, Case{600, "10"}}) {
    EXPECT_EQ(format_shutdown_delay(seconds(c.seconds)), c.text) << c.seconds << " s";
  }
  EXPECT_FALSE(format_shutdown_delay(seconds(601)));
  EXPECT_FALSE(format_shutdown_delay(seconds(-1)));
}

TEST(MegatecCommands, RestartDelayInWholeMinutesAtLeastOne) {
  EXPECT_EQ(format_restart_delay(seconds(0)), "0001");  // R0000 would mean "stay off"
  EXPECT_EQ(format_restart_delay(seconds(1)), "0001");
  EXPECT_EQ(format_restart_delay(seconds(60)), "0001");
  EXPECT_EQ(format_restart_delay(seconds(61)), "0002");
  EXPECT_EQ(format_restart_delay(seconds(9999 * 60)), "9999");
  EXPECT_FALSE(format_restart_delay(seconds(9999 * 60 + 1)));
}

TEST(MegatecCommands, Bytes) {
  EXPECT_EQ(shutdown_return_command(seconds(30), std::nullopt), "S.5\r");
  EXPECT_EQ(shutdown_return_command(seconds(120), seconds(180)), "S02R0003\r");
  EXPECT_EQ(shutdown_return_command(seconds(13), seconds(1)), "S.3R0001\r");
  EXPECT_FALSE(shutdown_return_command(seconds(601), seconds(60)));
  EXPECT_FALSE(shutdown_return_command(seconds(60), seconds(10000 * 60)));
  EXPECT_EQ(shutdown_stayoff_command(seconds(600)), "S10R0000\r");
  EXPECT_EQ(shutdown_stayoff_command(seconds(0)), "S00R0000\r");  // at once
  EXPECT_FALSE(shutdown_stayoff_command(seconds(601)));
  EXPECT_EQ(timed_test_command(seconds(1)), "T01\r");
  EXPECT_EQ(timed_test_command(seconds(60)), "T01\r");
  EXPECT_EQ(timed_test_command(seconds(61)), "T02\r");
  EXPECT_EQ(timed_test_command(seconds(99 * 60)), "T99\r");
  EXPECT_FALSE(timed_test_command(seconds(99 * 60 + 1)));
  EXPECT_FALSE(timed_test_command(seconds(0)));
}

Q1Reply q1(const char* line) {
  auto parsed = parse_q1(line);
  EXPECT_TRUE(parsed) << parsed.detail;
  return parsed.value.value_or(Q1Reply{});
}

TEST(MegatecNut, StatusFlagsAsNutdrvQx) {
  EXPECT_EQ(ups_status(q1("(226.0 195.0 226.0 014 49.0 27.5 30.0 00001001")), "OL");
  EXPECT_EQ(ups_status(q1("(000.0 195.0 226.0 014 00.0 22.0 30.0 11001000")), "OB LB");
  // Bypass/boost/buck: which one from output against input voltage.
  EXPECT_EQ(ups_status(q1("(250.0 195.0 220.0 014 49.0 27.5 30.0 00100000")), "OL TRIM");
  EXPECT_EQ(ups_status(q1("(230.0 195.0 230.0 014 49.0 27.5 30.0 00100000")), "OL BYPASS");
  EXPECT_EQ(ups_status(q1("(200.0 195.0 230.0 014 49.0 27.5 30.0 00100000")), "OL BOOST");
  EXPECT_EQ(ups_status(q1("(230.0 195.0 000.0 014 49.0 27.5 30.0 00100000")), "OL");
  EXPECT_EQ(ups_status(q1("(@@@.@ 195.0 230.0 014 49.0 27.5 30.0 00100000")), "OL");
  EXPECT_EQ(ups_status(q1("(230.0 195.0 230.0 014 49.0 27.5 30.0 00000100")), "OL CAL");
  EXPECT_EQ(ups_status(q1("(230.0 195.0 230.0 014 49.0 27.5 30.0 00000010")), "OL FSD");
  auto failed = q1("(230.0 195.0 230.0 014 49.0 27.5 30.0 00010000");
  EXPECT_EQ(ups_status(failed), "ALARM OL");
  EXPECT_EQ(ups_alarm(failed), "UPS selftest failed!");
}

TEST(MegatecNut, PublishedNames) {
  UpsVars vars;
  publish_q1(q1("(226.0 @@@.@ 225.5 014 49.0 27.5 30.0 00001001"), vars);
  EXPECT_EQ(vars.get("input.voltage"), "226.0");
  EXPECT_FALSE(vars.get("input.voltage.fault"));
  EXPECT_EQ(vars.get("output.voltage"), "225.5");
  EXPECT_EQ(vars.get("ups.load"), "14");
  EXPECT_EQ(vars.get("input.frequency"), "49.0");
  EXPECT_EQ(vars.get("ups.temperature"), "30.0");
  EXPECT_EQ(vars.get("ups.type"), "offline / line interactive");
  EXPECT_EQ(vars.get("ups.beeper.status"), "enabled");
  EXPECT_EQ(vars.get("ups.status"), "OL");
  EXPECT_FALSE(vars.get("ups.alarm"));
  EXPECT_FALSE(vars.get("battery.voltage"));  // the caller's: it needs the pack count

  UpsVars rating;
  publish_f(*parse_f("#230.0 000 024.0 50.0").value, rating);
  EXPECT_EQ(rating.get("input.voltage.nominal"), "230");
  EXPECT_FALSE(rating.get("input.current.nominal"));  // 000: not reported
  EXPECT_EQ(rating.get("battery.voltage.nominal"), "24.0");
  EXPECT_EQ(rating.get("input.frequency.nominal"), "50");

  UpsVars ident;
  publish_i(*parse_i("#NOT_A_LIVE_UPS             TESTING   ").value, ident);
  EXPECT_EQ(ident.get("ups.mfr"), "NOT_A_LIVE_UPS");
  EXPECT_FALSE(ident.get("ups.model"));
  EXPECT_EQ(ident.get("ups.firmware"), "TESTING");
}

}  // namespace
}  // namespace netpower::collectors::megatec
