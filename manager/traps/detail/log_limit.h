#pragma once
// The trap receiver's log rate limit, for its own problems and for net-snmp's messages alike: the
// first kLogFirst of a kind are logged one by one, then one in kLogEvery, each with the running
// count. A flood of bad datagrams costs a bounded log.

#include <cstdint>

namespace netpower::manager::traps::detail {

inline constexpr std::uint64_t kLogFirst = 20;
inline constexpr std::uint64_t kLogEvery = 10000;

// Whether the `count`th problem of a kind (counting from 1) is logged.
inline bool should_log(std::uint64_t count) { return count <= kLogFirst || count % kLogEvery == 0; }

}  // namespace netpower::manager::traps::detail
