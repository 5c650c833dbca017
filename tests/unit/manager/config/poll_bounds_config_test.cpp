// manager/config: a poll's bounds (poll_deadline, max_poll_varbinds, max_poll_bytes) in `defaults`
// and per agent, unset meaning the poller's defaults, and the errors that name the line: a deadline
// not shorter than the interval or shorter than the timeout, limits out of range.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "core/config_error.h"
#include "manager/config/manager_config.h"

namespace netpower::manager::config {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

const char* const kBase =
    "defaults: {version: 2c, community: c, poll_interval: 10s, timeout: 1s}\n";

ManagerConfig parse(const std::string& text) { return parse_manager_config(text, "manager.yaml"); }

void expect_error(const std::string& text, int line, const std::string& problem) {
  try {
    parse(text);
    ADD_FAILURE() << "no error for:\n" << text;
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_THAT(e.what(), HasSubstr(problem));
  }
}

TEST(PollBoundsConfig, UnsetMeansThePollersDefaults) {
  const auto c = parse(std::string(kBase) + "agents:\n  - {name: a, address: h}\n");
  ASSERT_EQ(c.agents.size(), 1u);
  EXPECT_FALSE(c.agents[0].poll_deadline);
  EXPECT_FALSE(c.agents[0].max_poll_varbinds);
  EXPECT_FALSE(c.agents[0].max_poll_bytes);
}

TEST(PollBoundsConfig, DefaultsThenTheAgentsOwn) {
  const auto c = parse(
      "defaults:\n  version: 2c\n  community: c\n  poll_interval: 10s\n  timeout: 1s\n"
      "  poll_deadline: 8s\n  max_poll_varbinds: 50000\n  max_poll_bytes: 16MiB\n"
      "agents:\n  - {name: a, address: h}\n"
      "  - {name: b, address: h2, poll_deadline: 2500ms, max_poll_varbinds: 100,"
      " max_poll_bytes: 64KiB}\n");
  ASSERT_EQ(c.agents.size(), 2u);
  EXPECT_EQ(c.agents[0].poll_deadline, std::optional<core::Duration>(8s));
  EXPECT_EQ(c.agents[0].max_poll_varbinds, std::optional<std::size_t>(50'000));
  EXPECT_EQ(c.agents[0].max_poll_bytes, std::optional<std::uint64_t>(16u << 20));
  EXPECT_EQ(c.agents[1].poll_deadline, std::optional<core::Duration>(2500ms));
  EXPECT_EQ(c.agents[1].max_poll_varbinds, std::optional<std::size_t>(100));
  EXPECT_EQ(c.agents[1].max_poll_bytes, std::optional<std::uint64_t>(64u << 10));
}

TEST(PollBoundsConfig, DeadlineBetweenTimeoutAndInterval) {
  // Just below the interval and exactly the timeout are accepted.
  EXPECT_NO_THROW(
      parse(std::string(kBase) + "agents:\n  - {name: a, address: h, poll_deadline: 9999ms}\n"));
  EXPECT_NO_THROW(
      parse(std::string(kBase) + "agents:\n  - {name: a, address: h, poll_deadline: 1s}\n"));
  expect_error(
      std::string(kBase) + "agents:\n  - name: a\n    address: h\n    poll_deadline: 10s\n", 5,
      "agent 'a': poll_deadline 10s must be at least its timeout 1s and shorter than "
      "its poll_interval 10s");
  expect_error(
      std::string(kBase) + "agents:\n  - name: a\n    address: h\n    poll_deadline: 999ms\n", 5,
      "must be at least its timeout 1s");
  // From `defaults`, the error names the agent whose interval it does not fit.
  expect_error(
      "defaults: {version: 2c, community: c, poll_deadline: 40s}\n"
      "agents:\n  - name: a\n    address: h\n",
      3,
      "agent 'a': poll_deadline 40s must be at least its timeout 2s and shorter than its "
      "poll_interval 30s");
  expect_error("defaults:\n  poll_deadline: 5ms\n", 2,
               "'poll_deadline' must be between 10ms and 24h");
}

TEST(PollBoundsConfig, LimitsInRange) {
  expect_error("defaults:\n  max_poll_varbinds: 99\n", 2, "out of range 100..10000000");
  expect_error("defaults:\n  max_poll_bytes: 63KiB\n", 2,
               "'max_poll_bytes' must be between 64KiB and 1GiB");
  expect_error("defaults:\n  max_poll_bytes: 2GiB\n", 2,
               "'max_poll_bytes' must be between 64KiB and 1GiB");
  expect_error("defaults:\n  max_poll_bytes: lots\n", 2, "'max_poll_bytes' is not a size");
}

TEST(PollBoundsConfig, ReasonIsAReservedLabel) {
  // netpower_agent_poll_failures_by_reason_total sets `reason` itself.
  expect_error("defaults:\n  labels: {reason: y}\n", 2, "label 'reason' is set by netpower itself");
}

}  // namespace
}  // namespace netpower::manager::config
