// The poller's walk without I/O (manager/poller/poll_walk.h): subtrees in order, the end of a
// subtree by prefix or endOfMibView, tooBig halving the repetitions, an agent that does not
// advance, a walk past its bound, and a client error passed on as the same PollError. Then the
// Sentry2 samples of a poll (sentry2_samples.h).

#include "manager/poller/poll_walk.h"

#include <gtest/gtest.h>

#include "manager/poller/sentry2_samples.h"

namespace netpower::manager::poller {
namespace {

using detail::Walk;
using Kind = Walk::Step::Kind;

Oid oid(const char* text) { return *parse_oid(text); }

snmp::Response answer(std::vector<const char*> oids) {
  snmp::Response r;
  for (auto* o : oids) r.varbinds.push_back(snmp::octets_value(oid(o), "x"));
  return r;
}

TEST(PollWalk, WalksSubtreesInOrder) {
  const std::vector<Oid> subtrees = {oid("1.3.6.1.2.1.1"), oid("1.3.6.1.4.1.1718.2.1")};
  Walk walk(subtrees, 25, 1000);
  EXPECT_EQ(walk.cursor(), subtrees[0]);
  auto r = answer({"1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.3.0"});
  EXPECT_EQ(walk.on_response(r).kind, Kind::kContinue);
  EXPECT_EQ(walk.cursor(), oid("1.3.6.1.2.1.1.3.0"));
  // Past the subtree: the rest of the answer is dropped and the next subtree starts.
  r = answer({"1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.2.1.0", "1.3.6.1.2.1.2.2.0"});
  EXPECT_EQ(walk.on_response(r).kind, Kind::kContinue);
  EXPECT_EQ(walk.cursor(), subtrees[1]);
  r = answer({"1.3.6.1.4.1.1718.2.1.1.0"});
  r.varbinds.push_back(snmp::null_value(oid("1.3.6.1.4.1.1718.2.1.2.0")));
  r.varbinds.back().type = ValueType::kEndOfMibView;
  EXPECT_EQ(walk.on_response(r).kind, Kind::kDone);
  ASSERT_EQ(walk.varbinds().size(), 4u);
  EXPECT_EQ(to_string(walk.varbinds()[2].oid), "1.3.6.1.2.1.1.5.0");
  EXPECT_EQ(to_string(walk.varbinds()[3].oid), "1.3.6.1.4.1.1718.2.1.1.0");
}

TEST(PollWalk, TooBigHalvesTheRepetitionsThenFails) {
  const std::vector<Oid> subtrees = {oid("1.3.6.1.2.1.1")};
  Walk walk(subtrees, 8, 1000);
  snmp::Response too_big;
  too_big.error = snmp::Error::kErrorStatus;
  too_big.error_status = snmp::kTooBig;
  too_big.error_text = "the agent answered tooBig (index 0)";
  for (int expected : {4, 2, 1}) {
    auto r = too_big;
    EXPECT_EQ(walk.on_response(r).kind, Kind::kContinue);
    EXPECT_EQ(walk.max_repetitions(), expected);
  }
  auto r = too_big;
  const auto step = walk.on_response(r);
  EXPECT_EQ(step.kind, Kind::kFailed);
  EXPECT_EQ(step.error, PollError::kErrorStatus);
  EXPECT_NE(step.text.find("tooBig"), std::string::npos) << step.text;
  EXPECT_NE(step.text.find("1.3.6.1.2.1.1"), std::string::npos) << step.text;
}

TEST(PollWalk, NonIncreasingOidsAndTooManyVarbindsFail) {
  const std::vector<Oid> subtrees = {oid("1.3.6.1.2.1.1")};
  Walk looping(subtrees, 25, 1000);
  auto r = answer({"1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.3.0"});
  auto step = looping.on_response(r);
  EXPECT_EQ(step.kind, Kind::kFailed);
  EXPECT_EQ(step.error, PollError::kMalformed);
  EXPECT_NE(step.text.find("not increasing"), std::string::npos);

  Walk bounded(subtrees, 25, 2);
  r = answer({"1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.3.0"});
  step = bounded.on_response(r);
  EXPECT_EQ(step.kind, Kind::kFailed);
  EXPECT_NE(step.text.find("more than 2 varbinds"), std::string::npos);
}

TEST(PollWalk, ClientErrorsKeepTheirMeaning) {
  const std::vector<Oid> subtrees = {oid("1.3.6.1.2.1.1")};
  for (auto [error, expected] :
       {std::pair{snmp::Error::kTimeout, PollError::kTimeout},
        std::pair{snmp::Error::kWrongAuthKey, PollError::kWrongAuthKey},
        std::pair{snmp::Error::kUnknownUser, PollError::kUnknownUser},
        std::pair{snmp::Error::kNotInTimeWindow, PollError::kNotInTimeWindow},
        std::pair{snmp::Error::kStopped, PollError::kStopped}}) {
    Walk walk(subtrees, 25, 1000);
    snmp::Response r;
    r.error = error;
    r.error_text = "text";
    const auto step = walk.on_response(r);
    EXPECT_EQ(step.kind, Kind::kFailed);
    EXPECT_EQ(step.error, expected);
    EXPECT_STREQ(to_string(step.error), snmp::to_string(error));
    EXPECT_EQ(step.text, "text");
  }
}

TEST(Sentry2Samples, NumbersFromDisplayStrings) {
  EXPECT_EQ(parse_sentry2_number("2.50A"), 2.5);
  EXPECT_EQ(parse_sentry2_number("27.0 Deg C"), 27.0);
  EXPECT_EQ(parse_sentry2_number("-3.2 Deg C"), -3.2);
  EXPECT_EQ(parse_sentry2_number("Not On"), 0.0);
  EXPECT_FALSE(parse_sentry2_number("N/A"));
  EXPECT_FALSE(parse_sentry2_number("A"));
  EXPECT_FALSE(parse_sentry2_number("x2.5A"));
  EXPECT_FALSE(parse_sentry2_number(""));
}

TEST(Sentry2Samples, PortAndBoardRows) {
  PollResult r;
  r.agent = "rack12";
  r.duration = std::chrono::milliseconds(12);
  auto add = [&](const char* o, const char* text) {
    Varbind vb;
    vb.oid = oid(o);
    vb.type = ValueType::kOctetString;
    vb.octets = text;
    r.varbinds.push_back(vb);
  };
  add("1.3.6.1.4.1.1718.2.1.3.1.4.66", "41.5 Deg C");  // board B temperature
  add("1.3.6.1.4.1.1718.2.1.3.1.5.66", "3.75A");       // board B input load
  add("1.3.6.1.4.1.1718.2.1.3.1.4.67", "N/A");         // no probe: no sample
  add("1.3.6.1.4.1.1718.2.1.4.1.4.65.49", "On");       // A1 on
  add("1.3.6.1.4.1.1718.2.1.4.1.6.65.49", "2.50A");
  add("1.3.6.1.4.1.1718.2.1.4.1.6.65.50", "Not On");
  add("1.3.6.1.4.1.1718.2.1.4.1.3.65.49", "web-1");  // a name: no sample
  const auto samples = sentry2_samples(r);
  ASSERT_EQ(samples.size(), 7u);
  EXPECT_EQ(samples[0].kind, model::ObjectKind::kBoard);
  EXPECT_EQ(samples[0].key, "B");
  EXPECT_EQ(samples[0].metric, "ambient.temperature");
  EXPECT_EQ(samples[0].value, 41.5);
  EXPECT_EQ(samples[1].metric, "input.current");
  EXPECT_EQ(samples[2].key, "A1");
  EXPECT_EQ(samples[2].metric, "outlet.on");
  EXPECT_EQ(samples[2].value, 1.0);
  EXPECT_EQ(samples[3].metric, "outlet.current");
  EXPECT_EQ(samples[3].value, 2.5);
  EXPECT_EQ(samples[4].key, "A2");
  EXPECT_EQ(samples[4].value, 0.0);
  EXPECT_EQ(samples[5].kind, model::ObjectKind::kAgent);
  EXPECT_EQ(samples[5].metric, "up");
  EXPECT_EQ(samples[6].metric, "poll.duration");
  EXPECT_DOUBLE_EQ(samples[6].value, 0.012);
}

}  // namespace
}  // namespace netpower::manager::poller
