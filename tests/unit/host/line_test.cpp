// The hardware lines where the tests can reach them: a pty has no modem-status lines and there is
// no GPIO chip here, so these only check that opening fails with a clear error (docs/host.md).
#include "host/line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <unistd.h>

#include <system_error>

#include "core/select_loop.h"

namespace netpower::host {
namespace {

using ::testing::HasSubstr;

TEST(SerialLine, APtyIsRefusedForItsMissingModemLines) {
  int master = -1;
  int slave = -1;
  char name[128] = {};
  ASSERT_EQ(::openpty(&master, &slave, name, nullptr, nullptr), 0);
  LineConfig config;
  config.kind = LineConfig::Kind::kSerial;
  config.device = name;
  auto line = make_line(config);
  EXPECT_EQ(line->describe(), std::string("serial ") + name + " dcd");
  core::ManualClock clock;
  core::SelectLoop loop(clock);
  try {
    line->start(loop, [](const core::WireEvent&) {});
    ADD_FAILURE() << "a pty was accepted";
  } catch (const std::system_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("no modem-status lines"));
  }
  ::close(slave);
  ::close(master);
}

TEST(GpioLine, AMissingChipIsAClearError) {
  LineConfig config;
  config.kind = LineConfig::Kind::kGpio;
  config.chip = "/dev/gpiochip-does-not-exist";
  config.tickle_offset = 3;
  auto line = make_line(config);
  core::ManualClock clock;
  core::SelectLoop loop(clock);
  try {
    line->start(loop, [](const core::WireEvent&) {});
    ADD_FAILURE() << "a missing chip was accepted";
  } catch (const std::system_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("/dev/gpiochip-does-not-exist"));
  }
}

TEST(SimWireLine, AnOverlongPathIsRefused) {
  auto line = make_sim_wire_line(std::string(200, 'x'));
  core::ManualClock clock;
  core::SelectLoop loop(clock);
  EXPECT_THROW(line->start(loop, [](const core::WireEvent&) {}), std::system_error);
}

}  // namespace
}  // namespace netpower::host
