// The Sentry2-MIB's DisplayStrings as numbers, its fixed-size indexes, and the OIDs of a port's
// objects.

#include "manager/mib/sentry2.h"

#include <gtest/gtest.h>

#include "manager/mib/oids.h"

namespace netpower::manager::mib {
namespace {

TEST(Sentry2Numbers, NumbersFromDisplayStrings) {
  EXPECT_EQ(parse_sentry2_number("2.50A"), 2.5);
  EXPECT_EQ(parse_sentry2_number("27.0 Deg C"), 27.0);
  EXPECT_EQ(parse_sentry2_number("-3.2 Deg C"), -3.2);
  EXPECT_EQ(parse_sentry2_number("Not On"), 0.0);
  EXPECT_FALSE(parse_sentry2_number("N/A"));
  EXPECT_FALSE(parse_sentry2_number("A"));
  EXPECT_FALSE(parse_sentry2_number("x2.5A"));
  EXPECT_FALSE(parse_sentry2_number(""));
}

TEST(Sentry2Numbers, QuantitiesNeedTheirUnit) {
  EXPECT_EQ(parse_sentry2_quantity("2.50A", "A"), 2.5);
  EXPECT_FALSE(parse_sentry2_quantity("2.50A", "Deg C"));
  EXPECT_FALSE(parse_sentry2_quantity("27.0 Deg C", "A"));
  EXPECT_EQ(parse_sentry2_quantity("27.0 Deg C ", "Deg C"), 27.0);
  EXPECT_EQ(parse_sentry2_quantity("Not On", "A"), 0.0);
  EXPECT_FALSE(parse_sentry2_quantity("Not On", "Deg C"));
}

TEST(Sentry2Index, FixedSizeStringIndexes) {
  const Oid a1 = {1, 3, 65, 49};
  EXPECT_EQ(fixed_index(a1, 2, 2), "A1");
  EXPECT_FALSE(fixed_index(a1, 2, 1));                  // an arc left over
  EXPECT_FALSE(fixed_index(Oid{1, 3, 65, 7}, 2, 2));    // not printable
  EXPECT_FALSE(fixed_index(Oid{1, 3, 65, 300}, 2, 2));  // not a character
  EXPECT_EQ(sentry2_port_oid(kPortPowerAction, "A1"),
            (Oid{1, 3, 6, 1, 4, 1, 1718, 2, 1, 4, 1, 2, 65, 49}));
  EXPECT_EQ(netpower_port_oid(kNpPortLocked, "Z4"),
            (Oid{1, 3, 6, 1, 4, 1, 32473, 1, 1, 3, 1, 8, 90, 52}));
}

TEST(Sentry2Apply, RowsAreAddedInChainOrderAndWrongTypesIgnored) {
  ChainReading chain;
  const model::WallTime t{std::chrono::seconds(100)};
  auto text = [](Oid oid, const char* value) {
    Varbind vb;
    vb.oid = std::move(oid);
    vb.type = ValueType::kOctetString;
    vb.octets = value;
    return vb;
  };
  EXPECT_EQ(apply_sentry2(chain, text(sentry2_port_oid(kPortControlStatus, "B1"), "On"), t),
            Applied::kApplied);
  EXPECT_EQ(apply_sentry2(chain, text(sentry2_port_oid(kPortControlStatus, "A2"), "Off"), t),
            Applied::kApplied);
  Varbind number = text(sentry2_port_oid(kPortDeviceName, "A2"), "");
  number.type = ValueType::kInteger;
  number.integer = 7;
  // A Sentry2 object, but not a DisplayString: ignored.
  EXPECT_EQ(apply_sentry2(chain, number, t), Applied::kApplied);
  EXPECT_EQ(apply_sentry2(chain, text(Oid{1, 3, 6, 1, 2, 1, 1, 5, 0}, "x"), t), Applied::kNotMine);
  ASSERT_EQ(chain.ports.size(), 2u);
  EXPECT_EQ(chain.ports[0].id, "A2");
  EXPECT_EQ(chain.ports[0].control, "Off");
  EXPECT_EQ(chain.ports[0].name, "");
  EXPECT_EQ(chain.ports[1].id, "B1");
  EXPECT_EQ(chain.ports[1].updated, t);
}

TEST(Sentry2Apply, RowsTheMibCannotHaveAreRejected) {
  ChainReading chain;
  auto text = [](Oid oid) {
    Varbind vb;
    vb.oid = std::move(oid);
    vb.type = ValueType::kOctetString;
    vb.octets = "On";
    return vb;
  };
  // Z4 is the last port, Z the last board; "[" is the 27th board, "A5" a fifth port.
  EXPECT_EQ(apply_sentry2(chain, text(sentry2_port_oid(kPortControlStatus, "Z4")), {}),
            Applied::kApplied);
  for (const char* bad : {"[1", "A5", "A0", "a1", "@1"}) {
    EXPECT_EQ(apply_sentry2(chain, text(sentry2_port_oid(kPortControlStatus, bad)), {}),
              Applied::kRejected)
        << bad;
    EXPECT_EQ(apply_netpower(chain, text(netpower_port_oid(kNpPortGroup, bad)), {}),
              Applied::kRejected)
        << bad;
  }
  Oid board = kSentry2BoardEntry;
  board.push_back(kBoardPageName);
  Oid last = board, past = board;
  last.push_back('Z');
  past.push_back('Z' + 1);
  EXPECT_EQ(apply_sentry2(chain, text(last), {}), Applied::kApplied);
  EXPECT_EQ(apply_sentry2(chain, text(past), {}), Applied::kRejected);
  EXPECT_EQ(chain.ports.size(), 1u);
  EXPECT_EQ(chain.boards.size(), 1u);
}

}  // namespace
}  // namespace netpower::manager::mib
