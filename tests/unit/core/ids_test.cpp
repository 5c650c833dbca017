#include "core/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace netpower::core {
namespace {

TEST(BoardId, ParsesAToZWithOrWithoutDot) {
  EXPECT_EQ(BoardId::parse("A"), BoardId{0});
  EXPECT_EQ(BoardId::parse("Z"), BoardId{25});
  EXPECT_EQ(BoardId::parse(".C"), BoardId{2});
  EXPECT_EQ(BoardId::parse(".Z"), BoardId{25});
}

TEST(BoardId, RejectsAnythingElse) {
  for (const char* bad : {"", ".", "a", "z", "@", "[", "AA", "..A", "A.", "1", " A", "A1"}) {
    EXPECT_EQ(BoardId::parse(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(BoardId, FormatsItsLetter) {
  EXPECT_EQ(BoardId{0}.letter(), 'A');
  EXPECT_EQ(BoardId{25}.str(), "Z");
  EXPECT_LT(BoardId{1}, BoardId{2});
}

TEST(PortId, ParsesTheEdgesOfTheChain) {
  EXPECT_EQ(PortId::parse("A1"), (PortId{BoardId{0}, 1}));
  EXPECT_EQ(PortId::parse("A4"), (PortId{BoardId{0}, 4}));
  EXPECT_EQ(PortId::parse("Z4"), (PortId{BoardId{25}, 4}));
  EXPECT_EQ(PortId::parse(".C3"), (PortId{BoardId{2}, 3}));
  EXPECT_EQ(PortId::parse(".Z1"), (PortId{BoardId{25}, 1}));
}

TEST(PortId, RejectsAnythingElse) {
  for (const char* bad : {"",   ".",   "A",    "1",   "[1",  "@1",  "A0", "A5", "A9", "a1",
                          "AA", "A11", "..A1", "A1.", " A1", "A1 ", ".A", "1A", "Z0", "Z5"}) {
    EXPECT_EQ(PortId::parse(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(PortId, FlatPositionsRunThroughTheChain) {
  EXPECT_EQ((PortId{BoardId{0}, 1}).flat(), 0);
  EXPECT_EQ((PortId{BoardId{0}, 4}).flat(), 3);
  EXPECT_EQ((PortId{BoardId{1}, 1}).flat(), 4);
  EXPECT_EQ(PortId::parse("Z4")->flat(), kMaxPorts - 1);
}

TEST(PortId, EveryPortRoundTripsThroughFlatAndText) {
  std::set<std::string> names;
  for (int flat = 0; flat < kMaxPorts; ++flat) {
    auto port = PortId::from_flat(flat);
    EXPECT_EQ(port.flat(), flat);
    EXPECT_GE(port.number, 1);
    EXPECT_LE(port.number, kPortsPerBoard);
    EXPECT_EQ(PortId::parse(port.str()), port) << port.str();
    EXPECT_EQ(PortId::parse("." + port.str()), port) << port.str();
    if (flat > 0) {
      EXPECT_LT(PortId::from_flat(flat - 1), port);
    }
    names.insert(port.str());
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kMaxPorts));
  EXPECT_EQ(*names.begin(), "A1");
  EXPECT_EQ(*names.rbegin(), "Z4");
}

}  // namespace
}  // namespace netpower::core
