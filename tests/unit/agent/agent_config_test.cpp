#include "agent/agent_config.h"

#include <gtest/gtest.h>

#include "core/config_error.h"

namespace netpower::agent {
namespace {

const char* kGood = R"(agentx:
  socket: /tmp/x/agentx.sock
  ping_interval: 2s
log:
  level: debug
chain:
  location: "Lab rack 7"
  boards:
    A: { page: "Core" }
    C: { page: "Storage" }
  ports:
    A1: { name: "router", min_off: 20s }
    .C3: { name: "nas", min_on: 1m }
pdu:
  driver: sim
  poll_interval: 250ms
  settings:
    boards: 4
)";

TEST(AgentConfig, ReadsEverything) {
  auto c = parse_agent_config(kGood, "agent.yaml");
  EXPECT_EQ(c.agentx.socket, "/tmp/x/agentx.sock");
  EXPECT_EQ(c.agentx.ping_interval, std::chrono::seconds(2));
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.chain.location, "Lab rack 7");
  EXPECT_EQ(c.chain.board(core::BoardId{2}).page_name, "Storage");
  EXPECT_EQ(c.chain.port(*core::PortId::parse("A1")).min_off, std::chrono::seconds(20));
  EXPECT_EQ(c.chain.port(*core::PortId::parse("C3")).name, "nas");
  EXPECT_EQ(c.chain.port(*core::PortId::parse("C3")).min_on, std::chrono::minutes(1));
  EXPECT_EQ(c.pdu.driver, "sim");
  EXPECT_EQ(c.pdu.poll_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(c.pdu.driver_settings["boards"].as<int>(), 4);
}

// The error names the file and the line of the problem.
void expect_error(const std::string& text, int line, const std::string& words) {
  try {
    parse_agent_config(text, "bad.yaml");
    FAIL() << "accepted:\n" << text;
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(e.file(), "bad.yaml");
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("bad.yaml:", 0), 0u) << e.what();
  }
}

TEST(AgentConfig, ErrorsNameFileLineAndProblem) {
  expect_error("pdu:\n  driver: sim\nchain:\n  locaton: x\n", 4, "unknown key 'locaton'");
  expect_error("pdu:\n  driver: sim\nchain:\n  ports:\n    A5: {name: x}\n", 5, "not a port");
  expect_error("pdu:\n  driver: sim\nchain:\n  boards:\n    a: {page: x}\n", 5, "not a board");
  expect_error("pdu:\n  driver: sim\nchain:\n  location: " + std::string(33, 'x') + "\n", 4,
               "at most 32");
  expect_error(
      "pdu:\n  driver: sim\nchain:\n  ports:\n    B2: {name: " + std::string(25, 'n') + "}\n", 5,
      "at most 24");
  expect_error("pdu:\n  driver: sim\nchain:\n  ports:\n    B2: {min_off: 15}\n", 5,
               "not a duration");
  expect_error("pdu:\n  driver: sim\n  poll_interval: 1ms\n", 3, "between 10ms and 1h");
  expect_error("pdu: [1, 2\n", 2, "end of sequence");
  expect_error("log:\n  level: loud\npdu:\n  driver: sim\n", 2, "unknown log level");
  expect_error("agentx:\n  socket: /x\n", 0, "no collector configured");
  expect_error("", 0, "empty");
  expect_error("chain:\n  location: x\npdu:\n  driver: sentry-serial\n", 4,
               "unknown PDU driver 'sentry-serial' (known: sim)");
}

TEST(AgentConfig, TickleBitTimeDefaultsTo10msAndIsRead) {
  EXPECT_EQ(parse_agent_config(kGood, "agent.yaml").tickle.bit_time, std::chrono::milliseconds(10));
  auto c = parse_agent_config(std::string(kGood) + "tickle:\n  bit_time: 250us\n", "agent.yaml");
  EXPECT_EQ(c.tickle.bit_time, std::chrono::microseconds(250));
  for (const char* edge : {"1us", "10s"}) {
    auto text = std::string(kGood) + "tickle: { bit_time: " + edge + " }\n";
    EXPECT_NO_THROW(parse_agent_config(text, "agent.yaml")) << edge;
  }
}

TEST(AgentConfig, TickleErrorsNameTheLine) {
  const std::string pdu = "pdu:\n  driver: sim\n";
  expect_error(pdu + "tickle:\n  bit_time: 0\n", 4, "between 1us and 10s");
  expect_error(pdu + "tickle:\n  bit_time: 10s1us\n", 4, "between 1us and 10s");
  expect_error(pdu + "tickle:\n  bit_time: 10\n", 4, "not a duration");
  expect_error(pdu + "tickle:\n  bit_tme: 1ms\n", 4, "unknown key 'bit_tme'");
  expect_error(pdu + "tickle: 1ms\n", 3, "tickle");
}

}  // namespace
}  // namespace netpower::agent
