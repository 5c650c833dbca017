#pragma once
// netpowerctl's exit statuses (docs/netpowerctl.md).

namespace netpower::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;    // usage; the manager unreachable, refusing, failing
inline constexpr int kExitRefused = 2;  // an action refused: nothing was switched
inline constexpr int kExitFailed = 3;   // an action failed: switched, not verified
inline constexpr int kExitWrong = 4;    // discover: the inventory is wrong somewhere

}  // namespace netpower::ctl
