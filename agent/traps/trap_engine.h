#pragma once
// The Sentry2 trap engine: turns the chain model into the patent's 13 notifications under its
// rules (DESIGN.md "Traps"; docs/agent-traps.md tells what is sent when).
//
//   - ChainStart when the collector is first read well and whenever it answers again after a
//     failed read (board A's start enable);
//   - board temperature and input load, port module status and device load: one
//     ConditionTracker each (new condition at once, repeated once per period, Normal once after a
//     whole period in range); a value that is unknown, or any value while the chain's link is
//     down, freezes its condition; a port's load is watched only while its relay is on;
//   - port control status: each change, at once, carrying the status of the moment it is sent;
//   - everything goes out from the loop, soon after the model changed (never from inside a model
//     call or a SET). While the sink cannot send (the AgentX session is down), traps are held and
//     coalesced: one per kind and board or port, the latest, sent when sending is possible again;
//   - limits and enables are read from the model's settings at every evaluation and again just
//     before sending: disabling a kind forgets its condition and drops what was held of it,
//     enabling it evaluates afresh.

#include <array>
#include <cstddef>
#include <memory>
#include <vector>

#include "agent/model/chain_model.h"
#include "agent/traps/condition_tracker.h"
#include "agent/traps/trap_sink.h"
#include "core/event_loop.h"

namespace netpower::agent::traps {

class TrapEngine {
 public:
  // `loop`, `model` and `sink` must outlive the engine. `period` is the steady-state period.
  TrapEngine(core::EventLoop& loop, const ChainModel& model, TrapSink& sink, core::Duration period);
  ~TrapEngine();
  TrapEngine(const TrapEngine&) = delete;
  TrapEngine& operator=(const TrapEngine&) = delete;

  // After every read of the collector, good or failed (ChainModel::on_refreshed). Loop thread.
  void on_refreshed();
  // After a change of a port's control state (ChainModel::on_control_change). Loop thread.
  void on_control_change(core::PortId port);
  // The sink can send again (the AgentX session is back): what was held goes out from the loop
  // right after. Loop thread.
  void on_sendable();

  // Traps held for sending (waiting for the loop, or for the sink to be able to send).
  std::size_t held() const { return held_.size(); }

 private:
  enum class Family { kStart, kTemperature, kInputLoad, kControl, kModule, kLoad };
  static Family family_of(Sentry2Trap trap);
  static bool same_subject(const TrapEvent& a, const TrapEvent& b);

  using TrackerPtr = std::unique_ptr<ConditionTracker>;
  TrackerPtr make_tracker(Family family, int target);
  ConditionTracker* tracker_of(const TrapEvent& event);
  bool enabled(const TrapEvent& event) const;
  void watch(ConditionTracker& tracker, bool enabled, std::optional<Level> level);
  void announce(Family family, int target, Level level);
  void hold(const TrapEvent& event);
  void schedule_flush();
  void flush();

  core::EventLoop& loop_;
  const ChainModel& model_;
  TrapSink& sink_;
  core::Duration period_;
  std::array<TrackerPtr, core::kMaxBoards> temperature_;
  std::array<TrackerPtr, core::kMaxBoards> input_load_;
  std::array<TrackerPtr, core::kMaxPorts> module_;
  std::array<TrackerPtr, core::kMaxPorts> load_;
  bool link_up_ = false;
  bool started_ = false;  // the chain was read well once: control changes are changes from now on
  std::vector<TrapEvent> held_;  // in order of first holding; one per kind and board/port
  bool held_while_unsendable_ = false;
  core::TimerId flush_timer_ = 0;
};

}  // namespace netpower::agent::traps
