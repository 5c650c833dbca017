#include "collectors/framework/staleness.h"

#include <cassert>
#include <utility>

#include "core/duration.h"

namespace netpower::collectors::framework {

Staleness::Staleness(core::Duration stale_after, core::Duration lost_after)
    : stale_after_(stale_after), lost_after_(lost_after) {
  assert(stale_after_ > core::Duration::zero() && stale_after_ <= lost_after_);
}

void Staleness::ok(UpsVars vars, core::TimePoint now) {
  vars_ = std::move(vars);
  last_good_ = now;
  problem_.clear();
  failures_ = 0;
}

void Staleness::failed(std::string why, core::TimePoint now) {
  (void)now;  // the link follows from the last good read; a failure only says why
  problem_ = std::move(why);
  ++failures_;
}

UpsLink Staleness::link(core::TimePoint now) const {
  if (!last_good_) return UpsLink::kLost;
  auto silent = now - *last_good_;
  if (silent >= lost_after_) return UpsLink::kLost;
  if (failures_ > 0 || silent > stale_after_) return UpsLink::kStale;
  return UpsLink::kOnline;
}

UpsReading Staleness::reading(core::TimePoint now) const {
  UpsReading out;
  out.link = link(now);
  if (last_good_) out.updated = *last_good_;
  switch (out.link) {
    case UpsLink::kOnline:
      out.vars = vars_;
      break;
    case UpsLink::kStale:
      out.vars = vars_;
      out.detail = !problem_.empty()
                       ? problem_
                       : "no good read for more than " + core::format_duration(stale_after_);
      break;
    case UpsLink::kLost:
      if (!last_good_) {
        out.detail = problem_.empty() ? "no answer yet" : problem_;
      } else {
        out.detail = "no good read for " + core::format_duration(lost_after_);
        if (!problem_.empty()) out.detail += ": " + problem_;
      }
      break;
  }
  return out;
}

}  // namespace netpower::collectors::framework
