#include "manager/http/connection_limits.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace netpower::manager::http {
namespace {

TEST(ConnectionLimits, PerClientThenReserveThenAll) {
  ConnectionLimits limits({10, 4, 3});
  for (int i = 0; i < 4; ++i) EXPECT_EQ(limits.admit("a"), Refusal::kNone);
  EXPECT_EQ(limits.admit("a"), Refusal::kPerClient);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limits.admit("b"), Refusal::kNone);
  // 7 open: only the 3 reserved slots are left, for addresses holding none.
  EXPECT_EQ(limits.admit("b"), Refusal::kReserved);
  EXPECT_EQ(limits.admit("c"), Refusal::kNone);
  EXPECT_EQ(limits.admit("d"), Refusal::kNone);
  EXPECT_EQ(limits.admit("e"), Refusal::kNone);
  EXPECT_EQ(limits.admit("f"), Refusal::kMaxConnections);
  EXPECT_EQ(limits.open(), 10u);
  limits.release("a");
  limits.release("c");
  EXPECT_EQ(limits.open(), 8u);
  EXPECT_EQ(limits.admit("c"), Refusal::kNone);
  EXPECT_EQ(limits.refused(Refusal::kPerClient), 1u);
  EXPECT_EQ(limits.refused(Refusal::kReserved), 1u);
  EXPECT_EQ(limits.refused(Refusal::kMaxConnections), 1u);
  EXPECT_EQ(limits.refused_total(), 3u);
  limits.stop();
  EXPECT_EQ(limits.admit("z"), Refusal::kStopping);
  EXPECT_STREQ(to_string(Refusal::kPerClient), "per_client");
}

TEST(ConnectionLimits, SettingsThatAdmitNobodyAreRefused) {
  EXPECT_THROW(ConnectionLimits({0, 1, 0}), std::invalid_argument);
  EXPECT_THROW(ConnectionLimits({4, 0, 0}), std::invalid_argument);
  EXPECT_THROW(ConnectionLimits({4, 4, 4}), std::invalid_argument);
}

TEST(ConnectionLimits, FittedSettingsAndClientKeys) {
  const auto s = ConnectionLimitSettings::fitted(1, 32, 16);
  EXPECT_EQ(s.max_connections, 1u);
  EXPECT_EQ(s.max_per_client, 1u);
  EXPECT_EQ(s.reserved, 0u);
  EXPECT_NO_THROW(ConnectionLimits{s});
  EXPECT_EQ(client_key(boost::asio::ip::make_address("::ffff:10.1.2.3")), "10.1.2.3");
  EXPECT_EQ(client_key(boost::asio::ip::make_address("2001:db8::1")), "2001:db8::1");
}

}  // namespace
}  // namespace netpower::manager::http
