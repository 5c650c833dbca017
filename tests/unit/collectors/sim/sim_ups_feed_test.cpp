// The simulated UPS's ups.status in NUT's meaning in each state of mains and output, and the
// simulated chain behind it (`feeds_chain`): the UPS's load follows the chain's ports, and the
// chain goes dark while the UPS's output is off.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>

#include "collectors/registry.h"
#include "collectors/sim/sim_collector.h"
#include "collectors/sim/sim_control_protocol.h"
#include "collectors/sim/sim_ups.h"
#include "collectors/sim/sim_ups_collector.h"
#include "collectors/sim/sim_ups_protocol.h"
#include "core/config_error.h"
#include "core/select_loop.h"

namespace netpower::collectors::sim {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

UpsCommand command(const char* name) { return {name, {}, {}, {}}; }

class SimUpsStatusTest : public ::testing::Test {
 protected:
  std::string status() { return ups_.read().vars.get(ups_var::kStatus).value_or("?"); }
  core::ManualClock clock_;
  SimUps ups_{SimUpsSettings{}, clock_};
};

TEST_F(SimUpsStatusTest, OlAndObSayOnlyWhetherTheMainsArePresent) {
  EXPECT_EQ(status(), "OL");
  ups_.set_charge(50);
  EXPECT_EQ(status(), "OL CHRG");
  ups_.set_charge(100);
  // Mains off, output on: the battery feeds the load.
  ups_.set_mains(false);
  EXPECT_EQ(status(), "OB DISCHRG");
  // Mains off, output off: still OB (no mains), no DISCHRG (nothing is fed), OFF.
  ASSERT_TRUE(ups_.run(command(ups_cmd::kLoadOff)).ok());
  EXPECT_EQ(status(), "OB OFF");
  EXPECT_EQ(ups_.read().vars.number(ups_var::kOutputVoltage), 0.0);
  EXPECT_EQ(ups_.read().vars.number(ups_var::kLoad), 0.0);
  // Mains back with the output still off: OL OFF, and the battery charges meanwhile.
  ups_.set_charge(60);
  ups_.set_mains(true);
  EXPECT_EQ(status(), "OL CHRG OFF");
  ups_.set_charge(100);
  EXPECT_EQ(status(), "OL OFF");
  ASSERT_TRUE(ups_.run(command(ups_cmd::kLoadOn)).ok());
  EXPECT_EQ(status(), "OL");
}

TEST_F(SimUpsStatusTest, ABatteryTestOnMainsIsOlDischrgCalAndNeedsTheOutputOn) {
  ASSERT_TRUE(ups_.run(command(ups_cmd::kTestQuick)).ok());
  auto vars = ups_.read().vars;
  EXPECT_EQ(vars.get(ups_var::kStatus), "OL DISCHRG CAL");
  EXPECT_EQ(vars.number(ups_var::kInputCurrent), 0.0) << "the inverter runs from the battery";
  clock_.advance(10s);
  EXPECT_EQ(status().find("DISCHRG"), std::string::npos) << "the test is over";
  ASSERT_TRUE(ups_.run(command(ups_cmd::kLoadOff)).ok());
  auto refused = ups_.run(command(ups_cmd::kTestQuick));
  EXPECT_EQ(refused.status, UpsCommandStatus::kFailed);
  EXPECT_THAT(refused.detail, HasSubstr("output is off"));
}

TEST_F(SimUpsStatusTest, AnExhaustedBatteryIsObOffUntilTheMainsReturn) {
  ups_.set_charge(1);
  ups_.set_mains(false);
  clock_.advance(1h);
  auto s = status();
  EXPECT_EQ(s, "OB LB OFF");
  EXPECT_FALSE(ups_.output_on());
  ups_.set_mains(true);
  EXPECT_EQ(status(), "OL CHRG LB");
}

// A load that draws what the test says.
class FixedLoad final : public SimLoad {
 public:
  double demand_amps() const override { return amps; }
  double amps = 0.0;
};

TEST_F(SimUpsStatusTest, AFedLoadIsTheUpsLoadAndTheLoadSettingIsRefused) {
  FixedLoad load;
  load.amps = 3.0;  // 3 A at 230 V of 1500 VA: 46 %
  ups_.feed(&load);
  EXPECT_EQ(ups_.read().vars.number(ups_var::kLoad), 46.0);
  EXPECT_NEAR(*ups_.read().vars.number(ups_var::kOutputCurrent), 3.0, 0.05);
  EXPECT_FALSE(ups_.set_load(10));
  EXPECT_THAT(execute_ups_control_command(ups_, "load 10"), HasSubstr("error: "));
  EXPECT_EQ(ups_.read().vars.number(ups_var::kLoad), 46.0);
  load.amps = 7.5;  // 115 %: overloaded
  EXPECT_THAT(status(), HasSubstr("OVER"));
  auto state = nlohmann::json::parse(execute_ups_control_command(ups_, "state"));
  EXPECT_EQ(state["feeds_chain"], true);
  ups_.feed(nullptr);
  EXPECT_EQ(ups_.read().vars.number(ups_var::kLoad), 30.0) << "back to the load setting";
}

constexpr const char* kChain = "boards: 2\nappliances: { A1: { load: 3.0 }, B1: { load: 1.5 } }\n";

class SimUpsFeedsChainTest : public ::testing::Test {
 protected:
  SimUpsFeedsChainTest() {
    pdu_ = make_pdu_collector("sim", reader_.load_string(kChain), {loop_, reader_});
    ups_ = make_ups_collector("sim",
                              reader_.load_string("feeds_chain: true\nfull_load_runtime: 10m\n"),
                              {loop_, reader_, true, pdu_.get()});
    chain_ = &dynamic_cast<SimCollector&>(*pdu_).chain();
    sim_ = &dynamic_cast<SimUpsCollector&>(*ups_).ups();
  }
  double ups_load() { return *ups_->read().vars.number(ups_var::kLoad); }
  void run(const char* name) {
    ups_->run(command(name), [](const UpsCommandResult&) {});
  }
  // Every port of the chain reads no power and no load, and so do the boards' inputs.
  bool dark() {
    auto r = pdu_->read();
    for (const auto& board : r.chain.boards) {
      if (board.input_load_amps != 0.0) return false;
      for (const auto& port : board.ports) {
        if (port.power_sensed != false || port.load_amps != 0.0) return false;
      }
    }
    return true;
  }
  const PortReading& a1() {
    reading_ = pdu_->read();
    return reading_.chain.boards[0].ports[0];
  }

  core::ManualClock clock_;
  core::SelectLoop loop_{clock_};
  core::YamlReader reader_{"agent.yaml"};
  PduCollectorPtr pdu_;
  UpsCollectorPtr ups_;
  SimChain* chain_ = nullptr;
  SimUps* sim_ = nullptr;
  ChainReadResult reading_;
};

TEST_F(SimUpsFeedsChainTest, TheUpsLoadIsTheSumOfThePortLoads) {
  // 4.5 A at 230 V of 1500 VA.
  EXPECT_EQ(ups_load(), 69.0);
  ASSERT_TRUE(pdu_->switch_port(*core::PortId::parse("A1"), false).ok());
  EXPECT_EQ(ups_load(), 23.0);
  ASSERT_TRUE(chain_->set_appliance_load(*core::PortId::parse("B1"), 6.0));
  EXPECT_EQ(ups_load(), 92.0);
  ASSERT_TRUE(chain_->set_port_fault(*core::PortId::parse("A1"), PortFault::kOffFail));
  EXPECT_EQ(ups_load(), 138.0) << "a welded relay still draws";
  EXPECT_EQ(execute_control_command(*chain_, "load B1 0"), "ok");
  EXPECT_EQ(ups_load(), 46.0);
}

TEST_F(SimUpsFeedsChainTest, TheChainGoesDarkWhileTheOutputIsOffAndComesBackWithIt) {
  EXPECT_TRUE(a1().power_sensed.value_or(false));
  run(ups_cmd::kLoadOff);
  EXPECT_TRUE(dark());
  EXPECT_TRUE(a1().relay_on) << "the relays keep their state";
  EXPECT_EQ(ups_load(), 0.0);
  auto state = nlohmann::json::parse(execute_control_command(*chain_, "state"));
  EXPECT_EQ(state["supplied"], false);
  EXPECT_EQ(state["fed_by_ups"], true);
  EXPECT_EQ(state["boards"][0]["ports"][0]["power_sensed"], false);
  run(ups_cmd::kLoadOn);
  EXPECT_FALSE(dark());
  EXPECT_EQ(a1().load_amps, 3.0);
  EXPECT_EQ(ups_load(), 69.0);
}

TEST_F(SimUpsFeedsChainTest, AShutdownDarkensTheChainAtItsTimeWithoutAUpsRead) {
  ups_->run({ups_cmd::kShutdownReturn, 30s, 60s, {}}, [](const UpsCommandResult&) {});
  clock_.advance(29s);
  EXPECT_FALSE(dark());
  clock_.advance(1s);
  EXPECT_TRUE(dark());
  clock_.advance(60s);
  EXPECT_FALSE(dark());
}

TEST_F(SimUpsFeedsChainTest, TheBatteryDrainsAtTheLoadOfEachMoment) {
  // T(load) = 600 s * (100 / load)^1.2 from a full battery.
  auto full_runtime = [](double load) { return 600.0 * std::pow(100.0 / load, 1.2); };
  sim_->set_mains(false);
  clock_.advance(60s);
  // A1 goes off after 60 s at 69 %: the next 60 s drain at 23 %.
  ASSERT_TRUE(pdu_->switch_port(*core::PortId::parse("A1"), false).ok());
  clock_.advance(60s);
  ups_->read();
  double expected = 100.0 - 60.0 / full_runtime(69.0) * 100.0 - 60.0 / full_runtime(23.0) * 100.0;
  EXPECT_NEAR(sim_->charge(), expected, 0.01);
}

TEST_F(SimUpsFeedsChainTest, AnEmptyBatteryDarkensTheChainUntilTheMainsReturn) {
  sim_->set_charge(1);
  sim_->set_mains(false);
  clock_.advance(1h);
  EXPECT_TRUE(dark());  // no UPS read in between: the chain asks its supply
  EXPECT_EQ(ups_->read().vars.get(ups_var::kStatus), "OB LB OFF");
  sim_->set_mains(true);
  EXPECT_FALSE(dark());
}

TEST_F(SimUpsFeedsChainTest, TheChainHasMainsPowerAgainWhenTheUpsGoes) {
  run(ups_cmd::kLoadOff);
  ASSERT_TRUE(dark());
  ups_.reset();
  EXPECT_FALSE(chain_->fed_by_supply());
  EXPECT_FALSE(dark());
}

TEST(SimUpsFeedsChainSettings, NeedTheSimChainAndRefuseALoadSetting) {
  core::ManualClock clock;
  core::SelectLoop loop{clock};
  core::YamlReader reader{"agent.yaml"};
  auto ups = reader.load_string("ups:\n  settings:\n    feeds_chain: true\n");
  try {
    make_ups_collector("sim", ups["ups"]["settings"], {loop, reader});
    FAIL() << "fed a chain that is not there";
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_THAT(e.what(), HasSubstr("driver sim"));
  }
  auto pdu = make_pdu_collector("sim", YAML::Node(), {loop, reader});
  auto both = reader.load_string("ups:\n  settings:\n    feeds_chain: true\n    load: 40\n");
  try {
    make_ups_collector("sim", both["ups"]["settings"], {loop, reader, true, pdu.get()});
    FAIL() << "accepted a load setting with feeds_chain";
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(e.line(), 4);
    EXPECT_THAT(e.what(), HasSubstr("'load' cannot be set with 'feeds_chain'"));
  }
  auto bad = reader.load_string("ups:\n  settings:\n    feeds_chain: maybe\n");
  EXPECT_THROW(make_ups_collector("sim", bad["ups"]["settings"], {loop, reader, true, pdu.get()}),
               core::ConfigError);
}

}  // namespace
}  // namespace netpower::collectors::sim
