// The sim driver as the agent gets it: through the registry.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "collectors/registry.h"
#include "collectors/sim/sim_collector.h"
#include "core/config_error.h"
#include "core/select_loop.h"

namespace netpower::collectors {
namespace {

using ::testing::HasSubstr;

class RegistryTest : public ::testing::Test {
 protected:
  core::ManualClock clock;
  core::SelectLoop loop{clock};
  core::YamlReader reader{"agent.yaml"};
};

TEST_F(RegistryTest, KnowsTheSimDriver) {
  EXPECT_EQ(pdu_driver_names(), std::vector<std::string>{"sim"});
  auto settings = reader.load_string("boards: 2\nappliances: { B4: { load: 3 } }\n");
  auto pdu = make_pdu_collector("sim", settings, {loop, reader});
  ASSERT_NE(pdu, nullptr);
  EXPECT_EQ(pdu->name(), "sim");
  auto r = pdu->read();
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.chain.boards.size(), 2u);
  EXPECT_EQ(r.chain.boards[1].ports[3].load_amps, 3.0);
  EXPECT_TRUE(pdu->switch_port(*core::PortId::parse("B4"), false).ok());
  EXPECT_EQ(pdu->read().chain.boards[1].ports[3].load_amps, 0.0);
  EXPECT_TRUE(pdu->set_shutdown_signal(*core::PortId::parse("B4"), true).ok());
  EXPECT_TRUE(pdu->tickle(*core::PortId::parse("B4"), {1, 2, 3}).ok());
  EXPECT_EQ(pdu->switch_port(*core::PortId::parse("C1"), false).fault, PduFault::kNoSuchPort);
}

TEST_F(RegistryTest, SimWithoutSettingsUsesDefaults) {
  auto pdu = make_pdu_collector("sim", YAML::Node(), {loop, reader});
  EXPECT_EQ(pdu->read().chain.boards.size(), 4u);
}

TEST_F(RegistryTest, TheSimRunsOnTheLoopsClock) {
  auto pdu = make_pdu_collector("sim", reader.load_string("boards: 1"), {loop, reader});
  auto* sim = dynamic_cast<sim::SimCollector*>(pdu.get());
  ASSERT_NE(sim, nullptr);
  clock.advance(std::chrono::seconds(42));
  pdu->switch_port(*core::PortId::parse("A1"), false);
  EXPECT_EQ(sim->chain().history().back().at, clock.now());
}

TEST_F(RegistryTest, BadSettingsNameTheLine) {
  auto settings = reader.load_string("pdu:\n  driver: sim\n  settings:\n    boards: 27\n");
  try {
    make_pdu_collector("sim", settings["pdu"]["settings"], {loop, reader});
    FAIL() << "accepted boards: 27";
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(e.line(), 4);
    EXPECT_THAT(e.what(), HasSubstr("agent.yaml:4:"));
  }
}

TEST_F(RegistryTest, UnknownDriversAreConfigErrorsListingTheKnownOnes) {
  auto settings = reader.load_string("pdu:\n  driver: sentry\n  settings:\n    port: /dev/ttyS0\n");
  try {
    make_pdu_collector("sentry", settings["pdu"]["settings"], {loop, reader});
    FAIL() << "accepted an unknown driver";
  } catch (const core::ConfigError& e) {
    EXPECT_THAT(e.problem(), HasSubstr("unknown PDU driver 'sentry'"));
    EXPECT_THAT(e.problem(), HasSubstr("known: sim"));
    EXPECT_EQ(e.file(), "agent.yaml");
    EXPECT_EQ(e.line(), 4);  // the settings node: the nearest place the registry is given
  }
}

TEST_F(RegistryTest, TheCollectorOwnsItsControlServer) {
  char dir[] = "/tmp/netpower_registry_XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/ctl.sock";
  auto pdu =
      make_pdu_collector("sim", reader.load_string("control_socket: " + path), {loop, reader});
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  pdu.reset();
  EXPECT_NE(::stat(path.c_str(), &st), 0);
  ::rmdir(dir);
}

TEST_F(RegistryTest, AControlSocketThatCannotBeServedIsAConfigError) {
  auto settings = reader.load_string("boards: 1\ncontrol_socket: /nonexistent-dir/ctl.sock\n");
  try {
    make_pdu_collector("sim", settings, {loop, reader});
    FAIL() << "accepted an unusable socket path";
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(e.line(), 2);
    EXPECT_THAT(e.problem(), HasSubstr("cannot serve the control socket"));
  }
}

TEST(PduFault, HasNames) {
  EXPECT_STREQ(to_string(PduFault::kNone), "none");
  EXPECT_STREQ(to_string(PduFault::kLinkDown), "link-down");
  EXPECT_STREQ(to_string(PduFault::kNoResponse), "no-response");
  EXPECT_STREQ(to_string(PduFault::kRejected), "rejected");
  EXPECT_STREQ(to_string(PduFault::kBadResponse), "bad-response");
  EXPECT_STREQ(to_string(PduFault::kNoSuchPort), "no-such-port");
  EXPECT_STREQ(to_string(static_cast<PduFault>(99)), "unknown");
}

}  // namespace
}  // namespace netpower::collectors
