#include "manager/daemon/threshold_events.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace netpower::manager::daemon {
namespace {

traps::Varbind text(const std::string& oid, std::string value) {
  traps::Varbind vb;
  vb.oid = *snmp::parse_oid(oid);
  vb.type = traps::ValueType::kOctetString;
  vb.octets = std::move(value);
  return vb;
}

traps::DecodedTrap sentry2(unsigned number, std::vector<traps::Varbind> varbinds) {
  traps::DecodedTrap trap;
  trap.agent = "rack12-pdu";
  trap.trap_oid = "1.3.6.1.4.1.1718.2.100.0." + std::to_string(number);
  trap.varbinds = std::move(varbinds);
  return trap;
}

const std::string kLocation = "1.3.6.1.4.1.1718.2.1.1.0";

TEST(ThresholdEvents, PortLoadHighNamesThePortTheLimitAndTheValue) {
  auto trap =
      sentry2(8, {text(kLocation, "rack 12"), text("1.3.6.1.4.1.1718.2.1.4.1.1.65.49", "A1"),
                  text("1.3.6.1.4.1.1718.2.1.4.1.3.65.49", "router"),
                  text("1.3.6.1.4.1.1718.2.1.4.1.6.65.49", "5.20A")});
  auto event = threshold_event(trap);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->kind, model::EventKind::kThreshold);
  EXPECT_EQ(event->agent, "rack12-pdu");
  EXPECT_EQ(event->oid, trap.trap_oid);
  EXPECT_EQ(event->text, "port A1 device load above its high limit: 5.20A");
  auto details = nlohmann::json::parse(event->varbinds_json);
  EXPECT_EQ(details["key"], "A1");
  EXPECT_EQ(details["crossing"], "high");
}

TEST(ThresholdEvents, BoardTemperatureAndInputLoadLowAndNormal) {
  auto low = threshold_event(
      sentry2(3, {text(kLocation, ""), text("1.3.6.1.4.1.1718.2.1.3.1.4.67", "0.5 Deg C")}));
  ASSERT_TRUE(low);
  EXPECT_EQ(low->text, "board C temperature below its low limit: 0.5 Deg C");
  auto normal = threshold_event(sentry2(13, {text("1.3.6.1.4.1.1718.2.1.3.1.5.66", "3.10A")}));
  ASSERT_TRUE(normal);
  EXPECT_EQ(normal->text, "board B input load back within its limits: 3.10A");
}

TEST(ThresholdEvents, OtherNotificationsAndMalformedOnesGiveNone) {
  EXPECT_FALSE(threshold_event(sentry2(1, {text(kLocation, "x")})));  // ChainStart
  EXPECT_FALSE(threshold_event(sentry2(5, {text(kLocation, "x")})));  // control status
  EXPECT_FALSE(threshold_event(sentry2(6, {text(kLocation, "x")})));  // module status
  traps::DecodedTrap other;
  other.trap_oid = "1.3.6.1.2.1.33.2.1";
  EXPECT_FALSE(threshold_event(other));
  other.trap_oid = "1.3.6.1.4.1.1718.2.100.0.8x";
  EXPECT_FALSE(threshold_event(other));
  other.trap_oid = "1.3.6.1.4.1.1718.2.100.0.";
  EXPECT_FALSE(threshold_event(other));
  // A threshold trap without its value varbind still says what crossed, without a value.
  auto bare = threshold_event(sentry2(9, {}));
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->text, "port ? device load below its low limit");
}

}  // namespace
}  // namespace netpower::manager::daemon
