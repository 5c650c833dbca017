#pragma once
// One verified power action (docs/actions.md "Steps"), as a state machine that does no I/O: it
// is told what happened (a SET answered, a read-back, a host's answer or hello, time passing on
// the injected clock) and answers with the commands to send next. Its ActionRecord is the audit
// trail: every step with its times and outcome, and at the end the result with its named reason.
//
//   tickle: tickle -> answer -> identity
//   off:    tickle -> answer -> identity -> switch -> verify-off -> heartbeat-stopped
//   on:     status -> [tickle -> answer -> identity, when an outlet is on] -> switch -> verify-on
//           -> [hello, when every outlet was off]
//   reboot: tickle -> answer -> identity -> switch (off) -> verify-off -> off-time -> switch (on)
//           -> verify-on -> hello
// The outlets of a dual-corded host are tickled one after another (one signal line may carry both).
// A dry run ends after the identity. A host that cannot answer (or an outlet without a host) is
// switched only with `force` (an admin's; the manager checks the role), which skips the tickle;
// `force` also lets an action past a missing answer, never past a wrong one.
//
// Not thread-safe: the runner calls it on one thread.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "manager/actions/host_presence.h"
#include "manager/actions/inventory.h"
#include "manager/actions/outlet_io.h"
#include "manager/model/action.h"

namespace netpower::manager::actions {

using NonceSource = std::function<std::uint64_t()>;

class ActionMachine {
 public:
  // `record` is pending with its outlets, kind, flags and `requested` time (the wall time of the
  // clock's now(), from which step times are counted); `host` the inventory host it means
  // (nullptr: none). The references must outlive the machine.
  ActionMachine(model::ActionRecord record, const HostSettings* host, const Inventory& inventory,
                const HostPresence& presence, const core::Clock& clock, NonceSource nonces);

  std::vector<OutletCommand> start();
  // The answer to a command this machine asked for (kTickle, kSwitch: set; kRead: read).
  std::vector<OutletCommand> on_set(const OutletCommand& command, const SetResult& result);
  std::vector<OutletCommand> on_read(std::size_t outlet, const ReadResult& result);
  // A netpower-host answer carrying the nonce of `outlet`'s tickle.
  std::vector<OutletCommand> on_answer(std::size_t outlet, const Observation& answer);
  // Any other notification naming this machine's host (hello, heartbeat, answer trap).
  std::vector<OutletCommand> on_host(const Observation& notification);
  // Called at or after wake().
  std::vector<OutletCommand> on_time();
  // Ends the action at once: refused "stopping" before a switch was sent, failed after.
  void abort(const std::string& text);

  std::optional<core::TimePoint> wake() const;
  const model::ActionRecord& record() const { return record_; }
  // Bumped by every change of the record (for the runner to journal it).
  std::uint64_t version() const { return version_; }
  bool done() const { return phase_ == Phase::kDone; }
  // The nonces of this action's tickles, by outlet (0 when not tickled).
  const std::vector<std::uint64_t>& nonces() const { return nonces_; }

 private:
  enum class Phase : std::uint8_t {
    kStatus,
    kTickle,  // tickle SETs sent, answers awaited (an answer may beat the SET's answer)
    kSwitchOff,
    kVerifyOff,
    kHeartbeat,
    kOffTime,
    kSwitchOn,
    kVerifyOn,
    kHello,
    kDone,
  };
  struct Outlet {
    std::uint64_t nonce = 0;
    bool set_pending = false;
    std::optional<core::TimePoint> set_sent;
    std::optional<core::TimePoint> tickle_acked;
    std::optional<Observation> answer;
    bool answer_closed = false;        // the answer step ended (answered, or timed out)
    std::optional<bool> relay_before;  // on: the status read before acting
    bool read_pending = false;
    std::optional<core::TimePoint> next_read;
    std::optional<ReadResult> last_read;
    bool verified = false;
    std::size_t step = 0;                                    // the outlet's current step
    std::size_t answer_step = static_cast<std::size_t>(-1);  // its answer step, once opened
  };

  std::vector<OutletCommand> begin_tickle();
  std::vector<OutletCommand> tickle_next();
  std::vector<OutletCommand> after_identity();
  std::vector<OutletCommand> begin_switch(bool on);
  std::vector<OutletCommand> begin_verify(bool on);
  std::vector<OutletCommand> after_verify(bool on);
  std::vector<OutletCommand> begin_hello();
  std::vector<OutletCommand> read_due();
  std::vector<OutletCommand> check_answers();
  void identity();
  bool verify_met(const ReadResult& r, bool on) const;
  void note_host(const Observation& o);

  std::size_t open_step(const std::string& name, const std::string& detail = "");
  void close_step(std::size_t step, model::StepOutcome outcome, const std::string& detail);
  void finish(model::ActionResult result, const std::string& failure, const std::string& text);
  model::WallTime wall(core::TimePoint t) const;
  core::TimePoint now() const { return clock_.now(); }
  std::string seconds(core::Duration d) const;
  std::string outlet_text(std::size_t i) const { return record_.outlets[i].text(); }
  bool tickles() const;
  bool answers_by_nonce() const;
  bool watches_heartbeat() const;

  model::ActionRecord record_;
  const HostSettings* host_;
  const Inventory& inventory_;
  const ActionSettings& settings_;
  const HostPresence& presence_;
  const core::Clock& clock_;
  NonceSource next_nonce_;
  const core::TimePoint origin_;

  Phase phase_ = Phase::kStatus;
  std::uint64_t version_ = 0;
  std::vector<Outlet> outlets_;
  std::vector<std::uint64_t> nonces_;
  bool switch_sent_ = false;
  bool on_switch_ = false;      // the switch in progress turns on
  std::size_t phase_step_ = 0;  // the step of a phase that has one for all outlets
  std::optional<core::TimePoint> phase_deadline_;
  std::optional<core::TimePoint> phase_started_;
  std::optional<core::TimePoint> switch_on_sent_;
  std::optional<core::TimePoint> last_heard_;  // the host, as this machine heard it
  std::string boot_before_;                    // the host's boot id before the action
  bool was_off_ = false;                       // on: every outlet was off before
  std::optional<Observation> hello_;           // reboot/on: a hello (or a new boot) seen
  std::string same_boot_;                      // a notification of the old boot after power-on
  std::string conflicting_;                    // a second answer to a tickle, from another host
};

}  // namespace netpower::manager::actions
