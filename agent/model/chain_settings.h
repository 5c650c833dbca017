#pragma once
// What the operator configures about the chain: names, the timings of the patent's outlet rules,
// trap limits and enables. The configuration file gives the starting values; the NETPOWER-MIB
// changes them at run time and the settings store (agent/settings/) keeps those changes.

#include <array>
#include <string>

#include "core/clock.h"
#include "core/ids.h"

namespace netpower::agent {

inline constexpr std::size_t kLocationMax = 32;    // sentry2ChainLocation SIZE(0..32)
inline constexpr std::size_t kPageNameMax = 24;    // sentry2BoardPageName SIZE(0..24)
inline constexpr std::size_t kDeviceNameMax = 24;  // sentry2PortDeviceName SIZE(0..24)
inline constexpr std::size_t kGroupNameMax = 8;    // the patent's eight-character group field

// The reboot rule: off, wait max(kRebootMinDelay, minimum-off time), on.
inline constexpr core::Duration kRebootMinDelay = std::chrono::seconds(15);
// Minimum on/off times: the patent's hh:mm:ss field, here at most a day.
inline constexpr core::Duration kMaxHoldTime = std::chrono::hours(24);
// Shutdown delay: "Disabled" (0) up to the patent's eight minutes.
inline constexpr core::Duration kMaxShutdownDelay = std::chrono::minutes(8);

// Trap limits, in the patent's ranges ("Invalid Temperature Valid range 1 to 125", "Invalid Amps
// Value Valid range 1 to 60"). A board's input load sums its four ports, hence 4 x 60 A.
inline constexpr int kTemperatureLimitMin = 1;
inline constexpr int kTemperatureLimitMax = 125;
inline constexpr int kLoadLimitMin = 1;
inline constexpr int kLoadLimitMax = 60;
inline constexpr int kInputLoadLimitMin = 1;
inline constexpr int kInputLoadLimitMax = 240;

// The steady-state period of the trap rules (the patent: once a minute).
inline constexpr core::Duration kDefaultTrapPeriod = std::chrono::seconds(60);

enum class WakeUpState { kOn, kOff };  // the patent's default is On

struct PortSettings {
  std::string name;
  std::string group;  // empty: in no group
  core::Duration min_on{0};
  core::Duration min_off{0};
  core::Duration shutdown_delay{0};  // 0: disabled
  WakeUpState wake_up = WakeUpState::kOn;
  bool locked = false;
  // Device load trap limits, whole amperes (the patent's LIST TRAP shows 4 and 1).
  int load_high = 4;
  int load_low = 1;
  // Trap enables (the patent's CSTA, MSTA, LOAD).
  bool trap_control = true;
  bool trap_module = true;
  bool trap_load = false;

  bool operator==(const PortSettings&) const = default;
};

struct BoardSettings {
  std::string page_name;
  // Temperature trap limits, whole degrees Celsius (the patent's LIST TRAP shows 50 and 1).
  int temp_high = 50;
  int temp_low = 1;
  // Input load trap limits, whole amperes.
  int input_load_high = 16;
  int input_load_low = 1;
  // Trap enables (the patent's STRT and TEMP; input load has its own, netpower's INLD).
  bool trap_start = true;
  bool trap_temp = true;
  bool trap_input_load = false;

  bool operator==(const BoardSettings&) const = default;
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
  bool operator==(const ChainSettings&) const = default;
};

}  // namespace netpower::agent
