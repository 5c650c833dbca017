#pragma once
// What the API and netpowerctl ask of the acting rooms (docs/actions.md): verified power actions
// (tickle, off, on, reboot) on outlets named by host, outlet, group or label selector; discovery of
// which host is on which outlet; the bindings learned, beside the inventory's belief; and the audit
// trail. Implemented by actions/action_manager; the HTTP routes (http/detail/actions_api) only
// translate. Every call is thread-safe and returns without waiting for an action to finish:
// progress is read back with action(id).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "manager/model/action.h"
#include "manager/model/action_journal.h"
#include "manager/model/principal.h"

namespace netpower::manager::actions {

// What to act on. Exactly one of: `host`; `agent` + `port`; `group` (with or without `agent`);
// `selector` (with or without `group`); `agent` alone (every port of it). Outlets of a host on two
// outlets (dual-corded) are always acted on together, whichever of them was named.
struct TargetSpec {
  std::string host;      // an inventory host's name: its outlets
  std::string agent;     // a configured agent's name
  std::string port;      // "A1", ".A1" (absolute) or the port's name (netpowerPortName)
  std::string group;     // a port group (netpowerPortGroup): on `agent`, or on every agent
  std::string selector;  // agent labels, "site=ams,rack=12": every port (of `group`) on them
  // As written in the audit trail: "host web1", "rack12-pdu A1", "group web on rack12-pdu",
  // "site=ams,rack=12".
  std::string text() const;
  bool operator==(const TargetSpec&) const = default;
};

struct ActionSpec {
  model::ActionKind kind = model::ActionKind::kTickle;
  TargetSpec target;
  std::string reason;
  bool dry_run = false;  // tickle and compare, switch nothing
  bool force = false;    // admins only: off (or on) of an outlet whose host cannot answer
  model::ActionSource source = model::ActionSource::kApi;
};

// One request's actions as they are when submit() returns (pending, or already refused). Every
// request is audited, those that name nothing included (one refused action, "unknown-target").
struct Submitted {
  std::uint64_t request_id = 0;
  std::vector<model::ActionRecord> actions;
};

// Tickle every port of the agents named (agent, selector, or all of them) and compare who answers
// with the inventory. Audited as tickle actions of one request.
struct DiscoverySpec {
  std::string agent;     // one agent, or
  std::string selector;  // agents by label, or (both empty) every configured agent
  std::string reason;
  model::ActionSource source = model::ActionSource::kApi;
};

// Verdicts: "match" (the inventory's host answered), "mismatch" (another host answered),
// "unexpected" (a host answered where the inventory has none), "missing" (the inventory's host
// did not answer), "empty" (nobody answered, nobody expected), "pending" (still tickling),
// "refused" (the port's tickle could not be sent: the outlet was busy, the agent refused).
struct DiscoveryEntry {
  model::OutletRef outlet;
  std::string believed_host;  // the inventory's host on this outlet, "" when none
  std::string found_host;     // the inventory's name of the host that answered, "" when unknown
  std::string found_host_id;  // netpowerHostId as answered, "" when nobody answered
  std::string hostname;       // netpowerHostName as answered
  std::string verdict;
  std::uint64_t action_id = 0;
  bool operator==(const DiscoveryEntry&) const = default;
};

struct DiscoveryReport {
  std::uint64_t request_id = 0;
  bool complete = false;
  std::vector<DiscoveryEntry> entries;  // by agent, then port
};

// An outlet of the inventory or of a learned binding, and whether they agree: "agree", "disagree"
// (another host answered there), "unknown" (the inventory names a host, no tickle answered yet),
// "unexpected" (a binding where the inventory names none).
struct BindingView {
  model::OutletRef outlet;
  std::string believed_host;
  std::optional<model::Binding> learned;
  std::string verdict;
};

// An inventory host and what the manager last heard from it (hello, heartbeat, tickle answer).
struct HostView {
  std::string name;
  std::string host_id;
  std::string user;  // the SNMPv3 user its answers must come from ("" for a trap-answering device)
  std::vector<model::OutletRef> outlets;
  bool answers = true;  // false: cannot answer a tickle (no netpower-host, no answer trap)
  std::optional<model::WallTime> last_seen;
  std::string boot_id;
  std::string address;    // of its last notification
  bool up = false;        // heard within its heartbeat timeout
  bool conflict = false;  // two hosts (boot ids) claim its id
};

class ActionService {
 public:
  virtual ~ActionService() = default;

  // Starts the request's actions (one per host or outlet; at most one in flight per outlet: a
  // second is refused "outlet-busy"). `who` is audited; force needs an admin.
  virtual Submitted submit(const ActionSpec& spec, const model::Principal& who) = 0;
  virtual Submitted discover(const DiscoverySpec& spec, const model::Principal& who) = 0;

  // An action with its steps so far (in flight: from memory; finished: from the journal).
  virtual std::optional<model::ActionRecord> action(std::uint64_t id) = 0;
  // Newest first. Throws std::runtime_error when the journal cannot be read.
  virtual std::vector<model::ActionRecord> actions(const model::ActionQuery& query) = 0;
  virtual std::optional<DiscoveryReport> discovery(std::uint64_t request_id) = 0;
  virtual std::vector<BindingView> bindings() = 0;
  virtual std::vector<HostView> hosts() = 0;
};

}  // namespace netpower::manager::actions
