#pragma once
// The link state of one UPS, from the times of its good and failed reads (NUT's dstate_dataok()
// and dstate_datastale(), and upsd's MAXAGE). Pure: the caller passes the clock's time in.
//
//   online  a good read within `stale_after`, and none failed since
//   stale   a read failed since the last good one, or none came for longer than `stale_after`:
//           the last good values are kept and shown, with when they were read
//   lost    no good read for `lost_after` (from exactly `lost_after` on), or never: the reading
//           carries no values (ups.h: a collector never passes values that old on), but they
//           are kept (last_values()), never wiped by a failure; the next good read replaces them
//
// A read that comes exactly `stale_after` after the last good one is on time; one a millisecond
// later finds the link stale for that millisecond.
//
// Loop thread only.

#include <cstdint>
#include <optional>
#include <string>

#include "collectors/ups.h"
#include "core/clock.h"

namespace netpower::collectors::framework {

class Staleness {
 public:
  // `stale_after` <= `lost_after`; both positive.
  Staleness(core::Duration stale_after, core::Duration lost_after);

  // A good read at `now` with the whole snapshot `vars`.
  void ok(UpsVars vars, core::TimePoint now);
  // A read failed at `now`; `why` in words. The values stay.
  void failed(std::string why, core::TimePoint now);

  UpsLink link(core::TimePoint now) const;
  UpsReading reading(core::TimePoint now) const;

  // Failed reads since the last good one.
  std::uint64_t failures() const { return failures_; }
  // The values of the last good read (empty before the first), whatever the link.
  const UpsVars& last_values() const { return vars_; }
  std::optional<core::TimePoint> last_good() const { return last_good_; }
  const std::string& problem() const { return problem_; }
  core::Duration stale_after() const { return stale_after_; }
  core::Duration lost_after() const { return lost_after_; }

 private:
  core::Duration stale_after_;
  core::Duration lost_after_;
  UpsVars vars_;
  std::optional<core::TimePoint> last_good_;
  std::string problem_;  // why the last read failed; empty after a good one
  std::uint64_t failures_ = 0;
};

}  // namespace netpower::collectors::framework
