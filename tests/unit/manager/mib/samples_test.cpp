// The store's samples of a poll, made from its readings.

#include "manager/mib/samples.h"

#include <gtest/gtest.h>

#include "manager/mib/decode.h"
#include "manager/mib/oids.h"

namespace netpower::manager::mib {
namespace {

TEST(PollSamples, PortAndBoardRows) {
  std::vector<Varbind> walk;
  auto add = [&](Oid o, const char* value) {
    Varbind vb;
    vb.oid = std::move(o);
    vb.type = ValueType::kOctetString;
    vb.octets = value;
    walk.push_back(vb);
  };
  add({1, 3, 6, 1, 4, 1, 1718, 2, 1, 3, 1, 4, 66}, "41.5 Deg C");  // board B temperature
  add({1, 3, 6, 1, 4, 1, 1718, 2, 1, 3, 1, 5, 66}, "3.75A");       // board B input load
  add({1, 3, 6, 1, 4, 1, 1718, 2, 1, 3, 1, 4, 67}, "N/A");         // no probe: no sample
  add(sentry2_port_oid(kPortControlStatus, "A1"), "On");
  add(sentry2_port_oid(kPortDeviceLoad, "A1"), "2.50A");
  add(sentry2_port_oid(kPortDeviceLoad, "A2"), "Not On");
  add(sentry2_port_oid(kPortDeviceName, "A1"), "web-1");  // a name: no sample
  const model::WallTime t{std::chrono::seconds(5)};
  const auto readings = decode_poll(walk, t);
  const auto samples = poll_samples({"rack12", t, std::chrono::milliseconds(12), true}, &readings);
  ASSERT_EQ(samples.size(), 7u);
  EXPECT_EQ(samples[0].kind, model::ObjectKind::kBoard);
  EXPECT_EQ(samples[0].key, "B");
  EXPECT_EQ(samples[0].metric, "ambient.temperature");
  EXPECT_EQ(samples[0].value, 41.5);
  EXPECT_EQ(samples[0].agent, "rack12");
  EXPECT_EQ(samples[0].time, t);
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

TEST(PollSamples, UpsValuesUnderTheirNutNames) {
  AgentReadings readings;
  readings.ups.emplace();
  readings.ups->values = {{"battery.charge", 87}, {"input.voltage", 230}};
  const auto samples = poll_samples({"ups1", {}, {}, true}, &readings);
  ASSERT_EQ(samples.size(), 4u);
  EXPECT_EQ(samples[0].kind, model::ObjectKind::kUps);
  EXPECT_EQ(samples[0].metric, "battery.charge");
  EXPECT_EQ(samples[0].value, 87);
  EXPECT_EQ(samples[1].metric, "input.voltage");
}

TEST(PollSamples, AFailedPollIsOnlyDown) {
  const auto samples = poll_samples({"gone", {}, {}, false}, nullptr);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].metric, "up");
  EXPECT_EQ(samples[0].value, 0.0);
}

}  // namespace
}  // namespace netpower::manager::mib
