// A poll's varbinds decoded once into readings: the chain, the NETPOWER-MIB's port settings, the
// UPS-MIB in base units; a walk without UPS values has no UPS.

#include "manager/mib/decode.h"

#include <gtest/gtest.h>

#include "manager/mib/oids.h"

namespace netpower::manager::mib {
namespace {

Varbind text(const Oid& oid, const char* value) {
  Varbind vb;
  vb.oid = oid;
  vb.type = ValueType::kOctetString;
  vb.octets = value;
  return vb;
}

Varbind integer(const Oid& oid, std::int64_t value) {
  Varbind vb;
  vb.oid = oid;
  vb.type = ValueType::kInteger;
  vb.integer = value;
  return vb;
}

Oid ups(std::initializer_list<std::uint32_t> arcs) {
  Oid out = kUpsObjects;
  out.insert(out.end(), arcs);
  return out;
}

TEST(DecodePoll, ChainSettingsAndUps) {
  const model::WallTime t{std::chrono::seconds(1700000000)};
  std::vector<Varbind> walk = {
      text(kSentry2ChainLocation0, "rack 12"),
      text(Oid{1, 3, 6, 1, 4, 1, 1718, 2, 1, 3, 1, 4, 65}, "27.5 Deg C"),
      text(Oid{1, 3, 6, 1, 4, 1, 1718, 2, 1, 3, 1, 5, 65}, "N/A"),
      text(sentry2_port_oid(kPortDeviceName, "A1"), "web-1"),
      text(sentry2_port_oid(kPortControlStatus, "A1"), "On"),
      text(sentry2_port_oid(kPortDeviceLoad, "A1"), "2.50A"),
      text(sentry2_port_oid(kPortDeviceLoad, "A2"), "Not On"),
      text(netpower_port_oid(kNpPortGroup, "A1"), "web"),
      integer(netpower_port_oid(kNpPortLocked, "A1"), 1),
      integer(netpower_port_oid(kNpPortLocked, "A2"), 2),
      integer(ups({2, 4, 0}), 87),         // upsEstimatedChargeRemaining
      integer(ups({2, 3, 0}), 12),         // upsEstimatedMinutesRemaining
      integer(ups({2, 5, 0}), 41),         // upsBatteryVoltage, 0.1 V
      integer(ups({3, 3, 1, 3, 1}), 230),  // upsInputVoltage, line 1
      integer(ups({3, 3, 1, 3, 2}), 999),  // line 2: the first line is kept
  };
  const auto r = decode_poll(walk, t);
  EXPECT_EQ(r.chain.location, "rack 12");
  ASSERT_EQ(r.chain.boards.size(), 1u);
  EXPECT_EQ(r.chain.boards[0].temperature_c, 27.5);
  EXPECT_FALSE(r.chain.boards[0].input_load_amps);
  ASSERT_EQ(r.chain.ports.size(), 2u);
  EXPECT_EQ(r.chain.ports[0].name, "web-1");
  EXPECT_EQ(r.chain.ports[0].group, "web");
  EXPECT_EQ(r.chain.ports[0].locked, true);
  EXPECT_EQ(r.chain.ports[0].load_amps, 2.5);
  EXPECT_EQ(r.chain.ports[1].locked, false);
  EXPECT_EQ(r.chain.ports[1].load_amps, 0.0);
  EXPECT_EQ(r.chain.ports[1].load_text, "Not On");
  ASSERT_TRUE(r.ups);
  EXPECT_EQ(r.ups->values.at("battery.charge"), 87);
  EXPECT_EQ(r.ups->values.at("battery.runtime"), 720);
  EXPECT_EQ(r.ups->values.at("battery.voltage"), 4.1);
  EXPECT_EQ(r.ups->values.at("input.voltage"), 230);
}

TEST(DecodePoll, NoUpsWithoutUpsValues) {
  Varbind missing;
  missing.oid = ups({2, 4, 0});
  missing.type = ValueType::kNoSuchObject;
  const auto r = decode_poll({text(kSentry2ChainLocation0, "x"), missing}, {});
  EXPECT_FALSE(r.ups);
  EXPECT_EQ(r.chain.location, "x");
}

TEST(DecodePoll, RowsWithBrokenIndexesAreIgnored) {
  Oid three = sentry2_port_oid(kPortControlStatus, "A1");
  three.push_back(49);
  const auto r = decode_poll({text(three, "On")}, {});
  EXPECT_TRUE(r.chain.ports.empty());
}

TEST(DecodePoll, AHostileTableCannotGrowTheChain) {
  // 94 x 94 printable two-character indexes, as an agent answering endless rows would send: only
  // the 104 the MIB allows become ports.
  std::vector<Varbind> walk;
  for (std::uint32_t a = 0x21; a < 0x7f; ++a) {
    for (std::uint32_t b = 0x21; b < 0x7f; ++b) {
      Oid oid = kSentry2PortEntry;
      oid.insert(oid.end(), {kPortControlStatus, a, b});
      walk.push_back(text(oid, "On"));
    }
  }
  const auto r = decode_poll(walk, {});
  EXPECT_EQ(r.chain.ports.size(), 104u);
  EXPECT_EQ(r.rejected, 94u * 94u - 104u);
}

TEST(DecodePoll, UpsAlarmsAreCapped) {
  std::vector<Varbind> walk;
  for (std::uint32_t i = 1; i <= kMaxUpsAlarms + 10; ++i) {
    Varbind vb;
    vb.oid = ups({6, 2, 1, 2, i});  // upsAlarmDescr.<i>
    vb.type = ValueType::kOid;
    vb.octets = "1.3.6.1.4.1.99999." + std::to_string(i);
    walk.push_back(vb);
  }
  const auto r = decode_poll(walk, {});
  ASSERT_TRUE(r.ups);
  EXPECT_EQ(r.ups->alarms.size(), kMaxUpsAlarms);
  EXPECT_EQ(r.rejected, 10u);
}

}  // namespace
}  // namespace netpower::manager::mib
