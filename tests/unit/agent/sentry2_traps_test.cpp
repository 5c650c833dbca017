// The Sentry2 notifications on the wire: the OIDs of TABLE X and the patent's varbind lists, the
// index object second.

#include "agent/snmp/sentry2_traps.h"

#include <gtest/gtest.h>

#include "collectors/sim/sim_collector.h"
#include "tests/unit/agent/manual_loop.h"

namespace netpower::agent::snmp {
namespace {

using traps::Sentry2Trap;
using traps::TrapEvent;

class Sentry2TrapsTest : public ::testing::Test {
 protected:
  Sentry2TrapsTest() {
    collectors::sim::SimSettings sim;
    sim.boards = 3;
    sim.appliance_amps[static_cast<std::size_t>(core::PortId::parse("A1")->flat())] = 2.5;
    pdu_ = std::make_unique<collectors::sim::SimCollector>(sim, loop_.clock());
    ChainSettings settings;
    settings.location = "rack 7";
    settings.board(core::BoardId{2}).page_name = "top";
    settings.port(*core::PortId::parse("A1")).name = "router";
    model_ = std::make_unique<ChainModel>(loop_, *pdu_, settings);
    model_->refresh();
  }
  // (dotted OID, value) of every varbind.
  std::vector<std::pair<std::string, std::string>> wire(const TrapEvent& event) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [name, value] : sentry2_trap_varbinds(*model_, event)) {
      EXPECT_EQ(value.type, ASN_OCTET_STR) << to_string(name);
      out.emplace_back(to_string(name), value.octets);
    }
    return out;
  }

  testing::ManualLoop loop_;
  std::unique_ptr<collectors::sim::SimCollector> pdu_;
  std::unique_ptr<ChainModel> model_;
};

TEST_F(Sentry2TrapsTest, NotificationOidsAreUnderSentry2Events) {
  EXPECT_EQ(to_string(sentry2_trap_oid(Sentry2Trap::kChainStart)), ".1.3.6.1.4.1.1718.2.100.0.1");
  EXPECT_EQ(to_string(sentry2_trap_oid(Sentry2Trap::kBoardInputLoadNormal)),
            ".1.3.6.1.4.1.1718.2.100.0.13");
}

TEST_F(Sentry2TrapsTest, ChainStartCarriesTheLocation) {
  EXPECT_EQ(
      wire({Sentry2Trap::kChainStart, {}, {}}),
      (std::vector<std::pair<std::string, std::string>>{{".1.3.6.1.4.1.1718.2.1.1.0", "rack 7"}}));
}

TEST_F(Sentry2TrapsTest, BoardTrapsCarryIndexPageNameAndTheirValue) {
  core::BoardId c{2};
  EXPECT_EQ(wire({Sentry2Trap::kBoardTemperatureHighError, c, {}}),
            (std::vector<std::pair<std::string, std::string>>{
                {".1.3.6.1.4.1.1718.2.1.1.0", "rack 7"},
                {".1.3.6.1.4.1.1718.2.1.3.1.1.67", "C"},
                {".1.3.6.1.4.1.1718.2.1.3.1.2.67", "top"},
                {".1.3.6.1.4.1.1718.2.1.3.1.4.67", "27.0 Deg C"}}));
  auto input = wire({Sentry2Trap::kBoardInputLoadLowError, core::BoardId{0}, {}});
  ASSERT_EQ(input.size(), 4u);
  EXPECT_EQ(input[1], (std::pair<std::string, std::string>{".1.3.6.1.4.1.1718.2.1.3.1.1.65", "A"}));
  EXPECT_EQ(input[3],
            (std::pair<std::string, std::string>{".1.3.6.1.4.1.1718.2.1.3.1.5.65", "2.50A"}));
}

TEST_F(Sentry2TrapsTest, PortTrapsCarryIndexDeviceNameAndTheirValue) {
  auto a1 = *core::PortId::parse("A1");
  EXPECT_EQ(wire({Sentry2Trap::kPortControlStatusChange, a1.board, a1}),
            (std::vector<std::pair<std::string, std::string>>{
                {".1.3.6.1.4.1.1718.2.1.1.0", "rack 7"},
                {".1.3.6.1.4.1.1718.2.1.4.1.1.65.49", "A1"},
                {".1.3.6.1.4.1.1718.2.1.4.1.3.65.49", "router"},
                {".1.3.6.1.4.1.1718.2.1.4.1.4.65.49", "On"}}));
  EXPECT_EQ(wire({Sentry2Trap::kPortModuleStatusNormal, a1.board, a1}).back(),
            (std::pair<std::string, std::string>{".1.3.6.1.4.1.1718.2.1.4.1.5.65.49", "Normal"}));
  EXPECT_EQ(wire({Sentry2Trap::kPortDeviceLoadHighError, a1.board, a1}).back(),
            (std::pair<std::string, std::string>{".1.3.6.1.4.1.1718.2.1.4.1.6.65.49", "2.50A"}));
}

}  // namespace
}  // namespace netpower::agent::snmp
