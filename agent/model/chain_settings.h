#pragma once
// What the operator configures about the chain: names and the timings of the patent's outlet rules.

#include <array>
#include <string>

#include "core/clock.h"
#include "core/ids.h"

namespace netpower::agent {

inline constexpr std::size_t kLocationMax = 32;    // sentry2ChainLocation SIZE(0..32)
inline constexpr std::size_t kPageNameMax = 24;    // sentry2BoardPageName SIZE(0..24)
inline constexpr std::size_t kDeviceNameMax = 24;  // sentry2PortDeviceName SIZE(0..24)

// The reboot rule: off, wait max(kRebootMinDelay, minimum-off time), on.
inline constexpr core::Duration kRebootMinDelay = std::chrono::seconds(15);

struct PortSettings {
  std::string name;
  core::Duration min_on{0};
  core::Duration min_off{0};
};

struct BoardSettings {
  std::string page_name;
};

struct ChainSettings {
  std::string location;
  std::array<BoardSettings, core::kMaxBoards> boards{};
  std::array<PortSettings, core::kMaxPorts> ports{};

  PortSettings& port(core::PortId id) { return ports[static_cast<std::size_t>(id.flat())]; }
  const PortSettings& port(core::PortId id) const {
    return ports[static_cast<std::size_t>(id.flat())];
  }
  BoardSettings& board(core::BoardId id) { return boards[static_cast<std::size_t>(id.index)]; }
  const BoardSettings& board(core::BoardId id) const {
    return boards[static_cast<std::size_t>(id.index)];
  }
};

}  // namespace netpower::agent
