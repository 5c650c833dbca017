#include "agent/snmp/sentry2_index.h"

#include <gtest/gtest.h>

namespace netpower::agent::snmp {
namespace {

TEST(Sentry2Index, BoardIsOneOctetWithoutLength) {
  EXPECT_EQ(board_index(core::BoardId{2}), (Oid{67}));  // C
  EXPECT_EQ(board_index(core::BoardId{0}), (Oid{65}));
  EXPECT_EQ(board_index(core::BoardId{25}), (Oid{90}));
}

TEST(Sentry2Index, PortIsTwoOctetsWithoutLength) {
  EXPECT_EQ(port_index(*core::PortId::parse("A1")), (Oid{65, 49}));
  EXPECT_EQ(port_index(*core::PortId::parse("Z4")), (Oid{90, 52}));
}

TEST(Sentry2Index, EveryPortRoundTrips) {
  for (int flat = 0; flat < core::kMaxPorts; ++flat) {
    auto id = core::PortId::from_flat(flat);
    auto index = port_index(id);
    auto back = decode_port_index(index.data(), index.size());
    ASSERT_TRUE(back) << id.str();
    EXPECT_EQ(*back, id);
  }
}

TEST(Sentry2Index, RejectsWhatIsNotAnId) {
  oid z_plus_1[] = {91};
  oid lower_a[] = {97};
  oid at[] = {64};
  EXPECT_FALSE(decode_board_index(z_plus_1, 1));
  EXPECT_FALSE(decode_board_index(lower_a, 1));
  EXPECT_FALSE(decode_board_index(at, 1));
  oid with_length[] = {1, 65};
  EXPECT_FALSE(decode_board_index(with_length, 2));
  oid port0[] = {65, 48};
  oid port5[] = {65, 53};
  oid three[] = {65, 49, 49};
  oid length_prefixed[] = {2, 65, 49};
  EXPECT_FALSE(decode_port_index(port0, 2));
  EXPECT_FALSE(decode_port_index(port5, 2));
  EXPECT_FALSE(decode_port_index(three, 3));
  EXPECT_FALSE(decode_port_index(length_prefixed, 3));
  EXPECT_FALSE(decode_port_index(port0, 1));
}

}  // namespace
}  // namespace netpower::agent::snmp
