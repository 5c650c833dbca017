// The poller's walk without I/O (manager/poller/poll_walk.h): subtrees in order, the end of a
// subtree by prefix or endOfMibView, tooBig halving the repetitions, an agent that does not
// advance, the varbind and byte bounds at their edges, and a client error passed on as the same
// PollError.

#include "manager/poller/poll_walk.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace netpower::manager::poller {
namespace {

using detail::Walk;
using Kind = Walk::Step::Kind;

Oid oid(const char* text) { return *parse_oid(text); }

PollLimits limits(std::size_t max_varbinds) {
  PollLimits l;
  l.max_varbinds = max_varbinds;
  return l;
}

snmp::Response answer(std::vector<const char*> oids) {
  snmp::Response r;
  for (auto* o : oids) r.varbinds.push_back(snmp::octets_value(oid(o), "x"));
  return r;
}

TEST(PollWalk, WalksSubtreesInOrder) {
  const std::vector<Oid> subtrees = {oid("1.3.6.1.2.1.1"), oid("1.3.6.1.4.1.1718.2.1")};
  Walk walk(subtrees, 25, limits(1000));
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
  Walk walk(subtrees, 8, limits(1000));
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

TEST(PollWalk, NonIncreasingOidsFail) {
  const std::vector<Oid> subtrees = {oid("1.3.6.1.2.1.1")};
  Walk looping(subtrees, 25, limits(1000));
  auto r = answer({"1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.3.0"});
  auto step = looping.on_response(r);
  EXPECT_EQ(step.kind, Kind::kFailed);
  EXPECT_EQ(step.error, PollError::kMalformed);
  EXPECT_NE(step.text.find("not increasing"), std::string::npos);
}

// The varbind bound at its edge: exactly max_varbinds is a whole walk, one more fails the poll
// with kTooManyVarbinds, and the walk keeps only what it had accepted.
TEST(PollWalk, VarbindBoundAcceptsExactlyTheLimit) {
  const std::vector<Oid> subtrees = {oid("1.3.6.1.2.1.1")};
  const std::vector<const char*> three = {"1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0",
                                          "1.3.6.1.2.1.1.3.0"};
  Walk exact(subtrees, 25, limits(3));
  auto r = answer(three);
  r.varbinds.push_back(snmp::null_value(oid("1.3.6.1.2.1.2.1.0")));  // leaves the subtree
  EXPECT_EQ(exact.on_response(r).kind, Kind::kDone);
  EXPECT_EQ(exact.varbinds().size(), 3u);

  Walk over(subtrees, 25, limits(2));
  r = answer(three);
  const auto step = over.on_response(r);
  EXPECT_EQ(step.kind, Kind::kFailed);
  EXPECT_EQ(step.error, PollError::kTooManyVarbinds);
  EXPECT_NE(step.text.find("more than 2 varbinds (max_poll_varbinds)"), std::string::npos)
      << step.text;
  EXPECT_EQ(over.varbinds().size(), 2u);
}

// The byte bound at its edge: varbinds holding exactly max_bytes are accepted, one byte less
// refuses the last of them with kTooManyBytes; release() frees the storage.
TEST(PollWalk, ByteBoundAcceptsExactlyTheLimit) {
  const std::vector<Oid> subtrees = {oid("1.3.6.1.2.1.1")};
  auto two_rows = [] {
    snmp::Response r;
    r.varbinds.push_back(snmp::octets_value(oid("1.3.6.1.2.1.1.1.0"), std::string(2048, 'a')));
    r.varbinds.push_back(snmp::octets_value(oid("1.3.6.1.2.1.1.2.0"), std::string(100, 'b')));
    return r;
  };
  const auto probe = two_rows();
  const std::size_t total = poll_bytes(probe.varbinds[0]) + poll_bytes(probe.varbinds[1]);
  EXPECT_EQ(poll_bytes(probe.varbinds[0]), sizeof(Varbind) + 9 * sizeof(std::uint32_t) + 2048);

  PollLimits at_limit;
  at_limit.max_bytes = total;
  Walk exact(subtrees, 25, at_limit);
  auto r = two_rows();
  EXPECT_EQ(exact.on_response(r).kind, Kind::kContinue);
  EXPECT_EQ(exact.bytes(), total);
  EXPECT_EQ(exact.varbinds().size(), 2u);

  PollLimits one_short;
  one_short.max_bytes = total - 1;
  Walk over(subtrees, 25, one_short);
  r = two_rows();
  const auto step = over.on_response(r);
  EXPECT_EQ(step.kind, Kind::kFailed);
  EXPECT_EQ(step.error, PollError::kTooManyBytes);
  EXPECT_NE(step.text.find("more than " + std::to_string(total - 1) +
                           " bytes (max_poll_bytes) after 1 varbinds"),
            std::string::npos)
      << step.text;
  EXPECT_EQ(over.varbinds().size(), 1u);
  EXPECT_EQ(over.bytes(), poll_bytes(probe.varbinds[0]));

  // A single varbind larger than the whole bound is refused too.
  PollLimits tiny;
  tiny.max_bytes = 64;
  Walk small(subtrees, 25, tiny);
  r = two_rows();
  EXPECT_EQ(small.on_response(r).error, PollError::kTooManyBytes);
  EXPECT_EQ(small.bytes(), 0u);

  exact.release();
  EXPECT_TRUE(exact.varbinds().empty());
  EXPECT_EQ(exact.varbinds().capacity(), 0u);
  EXPECT_EQ(exact.bytes(), total);  // what it held, for the poll's result
}

TEST(PollWalk, ErrorsHaveNamesAndReasonLabels) {
  EXPECT_STREQ(to_string(PollError::kDeadline), "deadline exceeded");
  EXPECT_STREQ(to_string(PollError::kTooManyVarbinds), "too many varbinds");
  EXPECT_STREQ(to_string(PollError::kTooManyBytes), "too many bytes");
  EXPECT_STREQ(reason_label(PollError::kDeadline), "deadline");
  EXPECT_STREQ(reason_label(PollError::kTooManyVarbinds), "max_varbinds");
  EXPECT_STREQ(reason_label(PollError::kTooManyBytes), "max_bytes");
  EXPECT_STREQ(reason_label(PollError::kMalformed), "malformed_response");
  // Every reason is a distinct Prometheus label value.
  std::set<std::string> seen;
  for (std::size_t i = 0; i < kPollErrorCount; ++i) {
    const std::string label = reason_label(static_cast<PollError>(i));
    EXPECT_EQ(label.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string::npos) << label;
    EXPECT_TRUE(seen.insert(label).second) << label;
  }
}

TEST(PollWalk, DefaultDeadlineIsBelowTheInterval) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  // 80 % of the interval ...
  EXPECT_EQ(default_poll_deadline(seconds(30), seconds(4)), seconds(24));
  EXPECT_EQ(default_poll_deadline(milliseconds(100), milliseconds(10)), milliseconds(80));
  // ... or the requests' own time and a margin when longer, so that silence is still a timeout
  // (the daemon's 500 ms agents with 2 x 200 ms requests) ...
  EXPECT_EQ(default_poll_deadline(seconds(30), seconds(25)), milliseconds(26'500));
  EXPECT_EQ(default_poll_deadline(milliseconds(500), milliseconds(400)), milliseconds(425));
  // ... but never past 95 % of the interval.
  EXPECT_EQ(default_poll_deadline(seconds(30), seconds(30)), milliseconds(28'500));
}

TEST(PollWalk, ClientErrorsKeepTheirMeaning) {
  const std::vector<Oid> subtrees = {oid("1.3.6.1.2.1.1")};
  for (auto [error, expected] :
       {std::pair{snmp::Error::kTimeout, PollError::kTimeout},
        std::pair{snmp::Error::kWrongAuthKey, PollError::kWrongAuthKey},
        std::pair{snmp::Error::kUnknownUser, PollError::kUnknownUser},
        std::pair{snmp::Error::kNotInTimeWindow, PollError::kNotInTimeWindow},
        std::pair{snmp::Error::kStopped, PollError::kStopped}}) {
    Walk walk(subtrees, 25, limits(1000));
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
