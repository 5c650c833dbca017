#pragma once
// The agent's model of the PDU chain: the one truth that MIB handlers read and the only way to the
// hardware. It polls the collector on the loop, adopts what the hardware reports, and carries out
// power actions under the patent's outlet rules, one state machine per port (outlet_actions.cpp):
//   - minimum-on / minimum-off times hold a port in its state: an action that comes too early is
//     deferred to the end of the hold (control status "Pend Off" / "Pend On" / "Pend Reboot");
//   - reboot = off, wait max(15 s, minimum-off), on; a second reboot does not stack;
//   - with a shutdown delay, off and reboot first assert the port's shutdown signal ("Shutdown"),
//     wait the delay, then cut power; a powerOn during the delay cancels it;
//   - a locked port refuses every remote change;
//   - the wake-up state is applied when a board reports it powered up after losing power;
//   - groups and ALL act on each member under its own rules (group_action.cpp).
// It also sends tickles (tickle.cpp): a nonce on a port's signal line, one at a time per port, any
// number of ports at once.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/model/chain_settings.h"
#include "agent/model/status_text.h"
#include "agent/model/tickle.h"
#include "collectors/pdu.h"
#include "core/event_loop.h"

namespace netpower::agent {

enum class PowerAction {
  kOff = 1,
  kOn = 2,
  kReboot = 3,
  kNoop = 4
};  // sentry2PortPowerAction values

const char* to_string(PowerAction action);

struct ActionResult {
  enum class Outcome {
    kDone,      // carried out, or under way (shutdown delay, reboot)
    kDeferred,  // held by the minimum-on/off time: carried out when the hold ends
    kLocked,    // refused: the port is locked
    kFailed,    // the collector failed the command (`hardware` says why), or no such port
  };
  Outcome outcome = Outcome::kDone;
  collectors::PduResult hardware;
  bool ok() const { return outcome == Outcome::kDone || outcome == Outcome::kDeferred; }
};

// What one action on a group, a port name or ALL did ("n port(s) turned off, m port(s) locked").
struct GroupResult {
  int acted = 0;  // carried out or deferred by a hold
  int locked = 0;
  int not_permitted = 0;
  int failed = 0;
  std::string text;
};

struct PortView {
  core::PortId id;
  std::string name;
  ControlState control = ControlState::kOff;
  ModuleStatus module = ModuleStatus::kNoResponse;
  std::optional<double> load_amps;
  bool relay_on = false;  // the relay is set on (also while "Shutdown" or "Pend Off")
  bool locked = false;
  bool shutdown_signal = false;  // the shutdown signal to the attached host is asserted
};

struct BoardView {
  core::BoardId id;
  std::string page_name;
  std::string code_version;
  std::optional<double> temperature_c;
  std::optional<double> input_load_amps;
};

class ChainModel {
 public:
  // `tickle_bit_time`: the bit time of every tickle (the agent's `tickle.bit_time`), within
  // [kMinTickleBitTime, kMaxTickleBitTime] (std::invalid_argument otherwise).
  ChainModel(core::EventLoop& loop, collectors::PduCollector& pdu, ChainSettings settings,
             core::Duration tickle_bit_time = core::kDefaultTickleBitTime);
  ~ChainModel();
  ChainModel(const ChainModel&) = delete;
  ChainModel& operator=(const ChainModel&) = delete;

  // Reads the collector once and updates the model. Loop thread.
  void refresh();
  // Refreshes every `interval` from now on (the first refresh runs at once).
  void start_polling(core::Duration interval);

  // Boards seen in the last good reading; 0 until the collector was read once.
  int board_count() const { return board_count_; }
  // Bumped whenever board_count() changes, so that MIB tables know to rebuild.
  std::uint64_t shape_generation() const { return shape_generation_; }
  // False while the collector cannot reach the chain (values then read "No Rspns" / "N/A").
  bool link_up() const { return link_up_; }
  bool has_port(core::PortId id) const { return id.board.index < board_count_; }

  const ChainSettings& settings() const { return settings_; }
  BoardView board(core::BoardId id) const;
  PortView port(core::PortId id) const;

  // Carries out a remote power action (SNMP, group command) on a port under the outlet rules.
  // kNoop does nothing.
  ActionResult act(core::PortId id, PowerAction action);
  // The same on every port that `target` names: "ALL", a group, an absolute port (".A1", "A1")
  // or a port name (groups and names compare without regard to case). `may_switch`, when given,
  // says which ports the asking user may switch; the others count as not permitted. nullopt when
  // `target` names no port of the chain.
  std::optional<GroupResult> act_group(const std::string& target, PowerAction action,
                                       const std::function<bool(core::PortId)>& may_switch = {});
  // The ports `target` names (see act_group), in chain order.
  std::vector<core::PortId> resolve_target(const std::string& target) const;

  // Replaces the settings at run time (the NETPOWER-MIB). Locking a port cancels an action that a
  // hold deferred; timings apply from the next action. Calls the settings listener.
  void update_settings(const ChainSettings& next);
  void on_settings_change(std::function<void(const ChainSettings&)> fn) {
    settings_listener_ = std::move(fn);
  }

  // --- Tickles (docs/tickle.md). Loop thread. ---
  core::Duration tickle_bit_time() const { return tickle_bit_time_; }
  // How long a tickle keeps its port sending: tickle_window(tickle_bit_time()).
  core::Duration tickle_window() const { return agent::tickle_window(tickle_bit_time_); }
  // True while the port's last tickle is sending (a new one would be refused).
  bool tickle_busy(core::PortId id) const;
  // Sends `nonce` on the port's signal line: collector.tickle(port, core::encode_tickle(nonce,
  // tickle_bit_time())). Refused while the port is busy; a collector error leaves it failed.
  TickleResult tickle(core::PortId id, std::uint64_t nonce);
  TickleView tickle_state(core::PortId id) const;
  // A TimeStamp's time: the master's sysUpTime once a source is set (Subagent::uptime_ticks, as
  // the UPS-MIB's times), else hundredths of a second on the loop's clock since the model was made.
  std::uint32_t uptime_ticks() const;
  void set_uptime_source(std::function<std::uint64_t()> source) {
    uptime_source_ = std::move(source);
  }

  // Called after every change of a port's control state (for traps and logs). Loop thread.
  void on_control_change(std::function<void(core::PortId, ControlState)> fn) {
    control_listener_ = std::move(fn);
  }
  // Called after every read of the collector, good or failed (link_up() tells), once the model
  // has adopted it. Loop thread.
  void on_refreshed(std::function<void()> fn) { refresh_listener_ = std::move(fn); }

 private:
  // Where a port's state machine is; `control` is what the MIB shows of it.
  enum class Phase {
    kIdle,            // steady on or off
    kPending,         // an action waits for the end of a minimum-on/off hold
    kShutdownOff,     // shutdown signal asserted, power cut when the delay ends
    kShutdownReboot,  // the same, then the reboot's off time
    kRebootOff,       // off, back on when the reboot delay ends
  };
  struct PortState {
    ControlState control = ControlState::kOff;
    collectors::PortReading reading;
    bool relay_expected = false;  // what we set the relay to (or adopted)
    bool shutdown_signal = false;
    Phase phase = Phase::kIdle;
    PowerAction pending = PowerAction::kNoop;
    core::TimerId timer = 0;
    // When the relay last changed; nullopt while unknown (no hold applies).
    std::optional<core::TimePoint> switched_at;
  };

  void poll_tick();
  ActionResult apply(core::PortId id, PowerAction action);
  ActionResult turn_on(core::PortId id);
  ActionResult turn_off(core::PortId id, bool reboot);
  ActionResult cut_power(core::PortId id, bool reboot);
  // The end of the hold that keeps the port in its present relay state, if it is still running.
  std::optional<core::TimePoint> hold_until(core::PortId id) const;
  ActionResult defer(core::PortId id, PowerAction action, core::TimePoint until);
  void run_pending(core::PortId id);
  collectors::PduResult switch_relay(core::PortId id, bool on);
  void set_signal(core::PortId id, bool asserted);
  void set_control(core::PortId id, ControlState state);
  // Ends whatever the port's state machine was doing (timers, shutdown signal); back to idle.
  void reset_phase(core::PortId id);
  void finish_reboot(core::PortId id);
  void adopt(const collectors::ChainReading& chain);
  void apply_wake_up(core::BoardId board);
  struct TickleState {
    TickleStatus status = TickleStatus::kIdle;
    std::optional<std::uint64_t> nonce;
    core::TimePoint sending_until{};
    std::uint32_t started_ticks = 0;
    std::string error;
    core::TimerId timer = 0;
  };
  void tickle_done(core::PortId id);

  PortState& state(core::PortId id) { return ports_[static_cast<std::size_t>(id.flat())]; }
  const PortState& state(core::PortId id) const {
    return ports_[static_cast<std::size_t>(id.flat())];
  }

  core::EventLoop& loop_;
  collectors::PduCollector& pdu_;
  ChainSettings settings_;
  std::array<PortState, core::kMaxPorts> ports_{};
  core::Duration tickle_bit_time_;
  core::TimePoint started_;
  std::function<std::uint64_t()> uptime_source_;
  std::array<TickleState, core::kMaxPorts> tickles_{};
  std::vector<collectors::BoardReading> boards_;
  std::array<std::string, core::kMaxBoards> code_versions_{};
  int board_count_ = 0;
  std::uint64_t shape_generation_ = 0;
  bool link_up_ = false;
  bool read_once_ = false;
  core::Duration poll_interval_{0};
  core::TimerId poll_timer_ = 0;
  std::function<void(core::PortId, ControlState)> control_listener_;
  std::function<void()> refresh_listener_;
  std::function<void(const ChainSettings&)> settings_listener_;
};

}  // namespace netpower::agent
