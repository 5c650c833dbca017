#include "manager/traps/trap_health.h"

namespace netpower::manager::traps {

void write_trap_health(const TrapCounters& t, model::HealthWriter& out) {
  auto u = [](std::uint64_t v) { return static_cast<double>(v); };
  out.counter("netpower_traps_received_total", "Datagrams read by the trap receiver.",
              u(t.received));
  out.counter("netpower_traps_decoded_total", "Notifications accepted (decoded and authenticated).",
              u(t.decoded));
  out.counter("netpower_traps_malformed_total",
              "Datagrams that could not be decoded as a notification (decode errors).",
              u(t.malformed));
  out.counter("netpower_traps_unauthenticated_total",
              "Notifications refused: unknown community or SNMPv3 user, wrong key.",
              u(t.unauthenticated));
  out.counter("netpower_traps_discovery_total", "SNMPv3 discovery probes answered with a Report.",
              u(t.discovery));
  out.counter("netpower_traps_dropped_total",
              "Datagrams the kernel dropped because the receive buffer was full.",
              u(t.kernel_dropped));
  out.counter("netpower_traps_informs_answered_total", "Informs acknowledged with a Response.",
              u(t.informs_answered));
  out.counter("netpower_traps_queue_full_waits_total",
              "Times the receive thread waited for a busy decoder.", u(t.queue_full_waits));
}

}  // namespace netpower::manager::traps
