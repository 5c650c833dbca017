#pragma once
// The store's samples of one poll, made from its readings (the varbinds are not read again): per
// port `outlet.current` (A; "Not On" = 0, "N/A" = none) and `outlet.on` (1/0, only for On and Off),
// per board `ambient.temperature` (Celsius) and `input.current` (A), the UPS-MIB's values under
// their NUT names, and the agent's own `up` (1/0) and `poll.duration` (s). Pure, no I/O.

#include <chrono>
#include <string>
#include <vector>

#include "manager/mib/readings.h"
#include "manager/model/sample.h"

namespace netpower::manager::mib {

// Metric names (the project's NUT vocabulary, base units).
inline constexpr const char* kMetricOutletCurrent = "outlet.current";          // port, amperes
inline constexpr const char* kMetricOutletOn = "outlet.on";                    // port, 1 on / 0 off
inline constexpr const char* kMetricBoardTemperature = "ambient.temperature";  // board, Celsius
inline constexpr const char* kMetricBoardInputCurrent = "input.current";       // board, amperes
inline constexpr const char* kMetricPollDuration = "poll.duration";            // agent, seconds
inline constexpr const char* kMetricUp = "up";                                 // agent, 1 / 0

struct PollFacts {
  std::string agent;
  model::WallTime started;
  std::chrono::microseconds duration{0};
  bool ok = false;
};

// Boards, then ports (chain order), then the UPS, then the agent; all stamped `poll.started`.
// Without `readings` (a failed poll) only the agent's `up` = 0.
std::vector<model::Sample> poll_samples(const PollFacts& poll, const AgentReadings* readings);

}  // namespace netpower::manager::mib
