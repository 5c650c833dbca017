#pragma once
// The store's samples from one poll: the Sentry2-MIB's DisplayString readings turned into numbers
// in base units ("2.50A" -> 2.5, "27.0 Deg C" -> 27.0; "N/A" gives no sample, "Not On" gives 0 A),
// and the agent's own poll duration and reachability. Pure functions, no I/O.

#include <optional>
#include <string_view>
#include <vector>

#include "manager/poller/poller.h"
#include "manager/model/sample.h"

namespace netpower::manager::poller {

// Metric names (the project's NUT vocabulary, base units).
inline constexpr const char* kMetricOutletCurrent = "outlet.current";          // port, amperes
inline constexpr const char* kMetricOutletOn = "outlet.on";                    // port, 1 on / 0 off
inline constexpr const char* kMetricBoardTemperature = "ambient.temperature";  // board, Celsius
inline constexpr const char* kMetricBoardInputCurrent = "input.current";       // board, amperes
inline constexpr const char* kMetricPollDuration = "poll.duration";            // agent, seconds
inline constexpr const char* kMetricUp = "up";                                 // agent, 1 / 0

// "2.50A", "27.0 Deg C", "-3.2 Deg C", "0.00A"; "Not On" -> 0; nullopt for "N/A" or anything
// else.
std::optional<double> parse_sentry2_number(std::string_view text);

// Samples for the Sentry2 port and board rows of `result` plus the agent's poll.duration and up,
// all stamped with the poll's start time.
std::vector<model::Sample> sentry2_samples(const PollResult& result);

}  // namespace netpower::manager::poller
