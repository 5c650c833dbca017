#pragma once
// Wall-clock time as the manager records it: microseconds since the Unix epoch (UTC), the
// resolution both databases keep.

#include <chrono>

namespace netpower::manager::model {

using WallTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;
WallTime wall_now();

}  // namespace netpower::manager::model
