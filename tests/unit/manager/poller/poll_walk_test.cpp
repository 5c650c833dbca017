// The poller's walk without I/O (manager/poller/poll_walk.h): subtrees in order, the end of a
// subtree by prefix or endOfMibView, tooBig halving the repetitions, an agent that does not
// advance, a walk past its bound, and a client error passed on as the same PollError.

#include "manager/poller/poll_walk.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace netpower::manager::poller
