#pragma once
// The manager's view of its fleet, kept current by the poller and the trap receiver and read by the
// Prometheus exporter, the HTTP API and the store feed. One object, any thread: writers take an
// exclusive lock for the time of one update, readers a shared one (visit()) or a copy (agents()).
//
// What it knows of each agent comes from the agent's MIBs as polled:
//   - the Sentry2-MIB chain group: location, boards (page, code version, temperature, input load),
//     ports (name, control status, module status, device load);
//   - the NETPOWER-MIB: a port's group and lock;
//   - the UPS-MIB (RFC 1628): the values of upsBattery, upsInput, upsOutput as numbers in base
//     units, and the alarms present;
// plus the poller's reachability (up/down, last error, poll duration) and the traps received. A
// Sentry2 trap updates what it carries at once (a sentry2PortControlStatusChange sets that port's
// control status without waiting for the next poll).

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "manager/config/manager_config.h"
#include "manager/mib/readings.h"
#include "manager/poller/poller.h"
#include "manager/state/writer_first_mutex.h"
#include "manager/traps/decoded_trap.h"

namespace netpower::manager::state {

// The rows are the MIB readings (manager/mib/readings.h) as last polled or trapped.
using PortState = mib::PortReading;
using BoardState = mib::BoardReading;
using UpsState = mib::UpsReading;

enum class Reachability : std::uint8_t { kUnknown, kUp, kDown };
const char* to_string(Reachability r);  // "unknown", "up", "down"

struct AgentState {
  // From the configuration.
  std::string name;
  std::string address;
  std::uint16_t port = 161;
  std::map<std::string, std::string> labels;
  // From the poller.
  Reachability reachability = Reachability::kUnknown;
  std::optional<model::WallTime> reachability_since;
  std::string last_error;  // of the last failed poll; "" after a good one
  std::optional<model::WallTime> last_poll;
  double poll_duration_seconds = 0;  // of the last poll
  std::uint64_t polls_total = 0;
  std::uint64_t poll_failures_total = 0;
  // The same by reason, indexed by poller::PollError (kNone stays 0).
  std::array<std::uint64_t, poller::kPollErrorCount> poll_failures_by_reason{};
  std::uint64_t varbinds_last_poll = 0;
  // Varbinds (polled or trapped) refused because the MIB cannot have them (mib::AgentReadings).
  std::uint64_t rejected_varbinds_total = 0;
  // From the agent's MIBs.
  std::string location;            // sentry2ChainLocation
  std::vector<BoardState> boards;  // in chain order
  std::vector<PortState> ports;    // in chain order
  std::optional<UpsState> ups;     // when the agent serves the UPS-MIB
  // From the trap receiver.
  std::uint64_t traps_total = 0;
  std::optional<model::WallTime> last_trap;
};

class FleetState {
 public:
  // The configured agents, in the configuration's order (traps from other sources are counted
  // under their address but create no agent). `recent_events`: how many events recent_events()
  // keeps.
  explicit FleetState(const std::vector<config::AgentSettings>& agents,
                      std::size_t recent_events = 1000);

  // A poll's result with its readings (mib::decode_poll of its varbinds; null or ignored for a
  // failed poll). The one-argument form decodes them itself.
  void apply_poll(const poller::PollResult& result, const mib::AgentReadings* readings);
  void apply_poll(const poller::PollResult& result);
  void apply_state_change(const poller::StateChange& change);
  void apply_trap(const traps::DecodedTrap& trap);
  // Keeps the event for recent_events() (up/down, traps, actions: whatever the manager stores).
  void add_event(const model::Event& event);

  // Calls fn for every agent under a shared lock: fast, no copy; fn must not call back into this.
  void visit(const std::function<void(const AgentState&)>& fn) const;
  std::vector<AgentState> agents() const;
  std::optional<AgentState> agent(const std::string& name) const;
  // Newest first; only `agent`'s when given.
  std::vector<model::Event> recent_events(std::size_t max,
                                          const std::string& agent = std::string()) const;
  // Traps received from sources that are no configured agent.
  std::uint64_t unknown_source_traps() const;
  // Bumped by every update.
  std::uint64_t version() const;

 private:
  AgentState* find(const std::string& name);

  mutable WriterFirstMutex mutex_;  // a waiting update goes before new readers
  std::vector<AgentState> agents_;
  std::map<std::string, std::size_t> index_;
  std::vector<model::Event> events_;  // ring buffer
  std::size_t events_next_ = 0;
  std::size_t events_max_;
  std::uint64_t unknown_traps_ = 0;
  std::uint64_t version_ = 0;
};

}  // namespace netpower::manager::state
