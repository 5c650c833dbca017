#pragma once
// A power action as every room names it (docs/actions.md): what was asked (tickle, off, on,
// reboot), of which outlets, by whom and why; each step the manager took with its time and outcome;
// and how it ended. The acting rooms (actions, automation, shutdown, rollout) create them, the
// store keeps them (action_journal.h), the API and netpowerctl show them.
//
// Result vocabulary, also netpowerctl's exit codes: succeeded (verified), refused (nothing was
// switched: the tickle was not answered, or by the wrong host, or the request was not allowed),
// failed (a switch was sent and could not be verified, or the agent refused it).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manager/model/time.h"

namespace netpower::manager::model {

enum class ActionKind : std::uint8_t {
  kTickle = 0,  // verify only: tickle and compare the identity, switch nothing
  kOff = 1,
  kOn = 2,
  kReboot = 3,  // off, verified, then on, verified (all outlets of a dual-corded host together)
};
const char* to_string(ActionKind kind);  // "tickle", "off", "on", "reboot"
std::optional<ActionKind> action_kind_from_string(std::string_view text);

// Who or what asked.
enum class ActionSource : std::uint8_t {
  kCli = 0,  // netpowerctl (through the API, with its principal)
  kApi = 1,
  kAutomation = 2,
  kShutdown = 3,
  kRollout = 4,
};
const char* to_string(ActionSource source);  // "cli", "api", "automation", "shutdown", "rollout"
std::optional<ActionSource> action_source_from_string(std::string_view text);

enum class ActionResult : std::uint8_t {
  kPending = 0,  // in flight
  kSucceeded = 1,
  kRefused = 2,
  kFailed = 3,
};
const char* to_string(ActionResult result);  // "pending", "succeeded", "refused", "failed"
std::optional<ActionResult> action_result_from_string(std::string_view text);

enum class StepOutcome : std::uint8_t {
  kRunning = 0,
  kOk = 1,
  kFailed = 2,
  kSkipped = 3,  // not needed (a dry run's switch, the answer of a forced off)
};
const char* to_string(StepOutcome outcome);  // "running", "ok", "failed", "skipped"
std::optional<StepOutcome> step_outcome_from_string(std::string_view text);

// One outlet: the configured agent's name and the Sentry2 port id ("A1").
struct OutletRef {
  std::string agent;
  std::string port;
  std::string text() const { return agent + "." + port; }  // "rack12-pdu.A1"
  bool operator==(const OutletRef&) const = default;
  auto operator<=>(const OutletRef&) const = default;
};

// One step of an action. Names (docs/actions.md): "resolve", "status", "tickle", "answer",
// "identity", "switch", "verify-off", "verify-on", "heartbeat-stopped", "off-time", "hello"; a
// per-outlet step names its outlet ("tickle rack12-pdu.A1").
struct ActionStep {
  std::string name;
  WallTime started;
  std::optional<WallTime> ended;
  StepOutcome outcome = StepOutcome::kRunning;
  std::string detail;  // "answered by web1 (id 4c4c..., boot 9f2e...) in 1.02 s"
  bool operator==(const ActionStep&) const = default;
};

// Named reasons an action is refused or fails (machine-readable; `failure_text` says it for
// people). Empty while pending and on success.
//   refused: "unknown-target", "outlet-busy", "not-permitted", "no-host", "status-unknown",
//            "tickle-refused", "no-answer", "wrong-host", "host-conflict", "unverified-sender",
//            "stopping"
//   failed:  "switch-refused", "switch-timeout", "verify-status", "verify-load",
//            "heartbeat-continues", "no-hello", "same-boot-id", "stopping"
struct ActionRecord {
  std::uint64_t id = 0;          // assigned by the actions room, unique, increasing
  std::uint64_t request_id = 0;  // one request (a group, a selector) makes several actions
  ActionKind kind = ActionKind::kTickle;
  ActionSource source = ActionSource::kApi;
  std::string principal;  // the principal's name, or the automation rule's ("rule:pdu-reboot")
  std::string reason;     // as given; may be ""
  std::string target;     // as requested: "web1", "rack12-pdu.A1", "group:web", "site=ams"
  std::string host;       // the host the action means ("" when the outlet has none)
  std::vector<OutletRef> outlets;  // acted together (two for a dual-corded host)
  bool dry_run = false;            // tickled and checked, nothing switched
  bool force = false;              // an admin's off of an outlet without a host that can answer
  WallTime requested;
  std::optional<WallTime> finished;
  ActionResult result = ActionResult::kPending;
  std::string failure;       // the named reason
  std::string failure_text;  // for people
  std::vector<ActionStep> steps;
  bool operator==(const ActionRecord&) const = default;
};

// What a tickle taught: which host answered on which outlet. The inventory's belief is beside it
// in the API (bindings are shown against the configuration, disagreements raise events).
struct Binding {
  OutletRef outlet;
  std::string host_id;    // netpowerHostId as answered
  std::string host_name;  // the inventory's host with that id, "" when none
  std::string hostname;   // netpowerHostName as answered
  std::string boot_id;
  WallTime learned;                 // the last answer
  std::uint32_t confirmations = 1;  // answers that agreed, in a row
  std::uint64_t action_id = 0;      // the action (or discovery) whose tickle taught it
  bool operator==(const Binding&) const = default;
};

}  // namespace netpower::manager::model
