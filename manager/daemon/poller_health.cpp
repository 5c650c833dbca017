#include "manager/daemon/poller_health.h"

#include <string_view>
#include <utility>

namespace netpower::manager::daemon {

void write_poller_health(const poller::PollerMetrics& m, model::HealthWriter& out) {
  auto u = [](std::uint64_t v) { return static_cast<double>(v); };
  const std::uint64_t known = m.agents_up + m.agents_down;
  const std::pair<const char*, std::uint64_t> by_state[] = {
      {"up", m.agents_up},
      {"down", m.agents_down},
      {"unknown", m.agents > known ? m.agents - known : 0}};
  for (const auto& [name, count] : by_state) {
    out.gauge("netpower_poller_agents", "Agents of the poller by reachability.", u(count),
              {{"state", name}});
  }
  out.counter("netpower_poller_polls_total", "Polls finished by the poller, all agents.",
              u(m.polls_total));
  out.counter("netpower_poller_poll_failures_total", "Polls that failed, all agents.",
              u(m.poll_failures_total));
  out.counter("netpower_poller_requests_total", "SNMP requests sent, retries included.",
              u(m.requests_total));
  out.counter("netpower_poller_retries_total", "SNMP requests resent after a timeout.",
              u(m.retries_total));
  out.counter("netpower_poller_varbinds_total", "Variable bindings received in responses.",
              u(m.varbinds_total));
  out.counter("netpower_poller_responses_total", "SNMP responses matched to a request.",
              u(m.responses_total));
  out.counter("netpower_poller_unmatched_responses_total",
              "Responses dropped: late, duplicate or unknown request id.",
              u(m.unmatched_responses_total));
  out.counter("netpower_poller_malformed_responses_total", "Responses that were not valid SNMP.",
              u(m.malformed_responses_total));
  out.counter("netpower_poller_bad_digest_responses_total",
              "SNMPv3 responses dropped for a wrong authentication digest.",
              u(m.bad_digest_responses_total));
  out.counter("netpower_poller_overruns_total",
              "Polls started late because the previous poll of the agent ran past its interval.",
              u(m.overruns_total));
  out.counter("netpower_poller_deadline_failures_total",
              "Polls that were still running at their deadline (poll_deadline).",
              u(m.deadline_failures_total));
  out.counter("netpower_poller_limit_failures_total",
              "Polls ended at their varbind or byte limit (max_poll_varbinds, max_poll_bytes).",
              u(m.limit_failures_total));
  out.gauge("netpower_poller_poll_bytes",
            "Bytes held by the varbinds of the polls in progress, all agents.", u(m.held_bytes));
}

}  // namespace netpower::manager::daemon
