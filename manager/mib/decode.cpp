#include "manager/mib/decode.h"

#include "manager/mib/sentry2.h"
#include "manager/mib/ups_mib.h"

namespace netpower::manager::mib {

AgentReadings decode_poll(const std::vector<Varbind>& varbinds, model::WallTime time) {
  AgentReadings out;
  UpsReading ups;
  bool has_ups = false;
  for (const auto& vb : varbinds) {
    auto applied = apply_sentry2(out.chain, vb, time);
    if (applied == Applied::kNotMine) applied = apply_netpower(out.chain, vb, time);
    if (applied == Applied::kNotMine) {
      applied = apply_ups(ups, vb);
      has_ups = has_ups || applied != Applied::kNotMine;
    }
    if (applied == Applied::kRejected) ++out.rejected;
  }
  if (has_ups) out.ups = std::move(ups);
  return out;
}

}  // namespace netpower::manager::mib
