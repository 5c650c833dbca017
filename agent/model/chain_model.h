#pragma once
// The agent's model of the PDU chain: the one truth that MIB handlers read and the only way to the
// hardware. It polls the collector on the loop, adopts what the hardware reports, and carries out
// power actions under the patent's rules (the reboot delay now; minimum on/off holds, shutdown
// delay, locks and groups build on the same per-port state).

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "agent/model/chain_settings.h"
#include "agent/model/status_text.h"
#include "collectors/pdu.h"
#include "core/event_loop.h"

namespace netpower::agent {

enum class PowerAction {
  kOff = 1,
  kOn = 2,
  kReboot = 3,
  kNoop = 4
};  // sentry2PortPowerAction values

struct ActionResult {
  collectors::PduResult hardware;  // not ok: the collector failed the command
  bool ok() const { return hardware.ok(); }
};

struct PortView {
  core::PortId id;
  std::string name;
  ControlState control = ControlState::kOff;
  ModuleStatus module = ModuleStatus::kNoResponse;
  std::optional<double> load_amps;
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
  ChainModel(core::EventLoop& loop, collectors::PduCollector& pdu, ChainSettings settings);
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

  // Carries out a power action on a port that exists. kNoop does nothing.
  ActionResult act(core::PortId id, PowerAction action);

  // Called after every change of a port's control state (for traps and logs). Loop thread.
  void on_control_change(std::function<void(core::PortId, ControlState)> fn) {
    control_listener_ = std::move(fn);
  }
  // Called after every read of the collector, good or failed (link_up() tells), once the model
  // has adopted it. Loop thread.
  void on_refreshed(std::function<void()> fn) { refresh_listener_ = std::move(fn); }

 private:
  struct PortState {
    ControlState control = ControlState::kOff;
    collectors::PortReading reading;
    core::TimerId reboot_timer = 0;
  };

  void poll_tick();
  ActionResult apply(core::PortId id, PowerAction action);
  collectors::PduResult switch_relay(core::PortId id, bool on);
  void set_control(core::PortId id, ControlState state);
  void cancel_reboot(PortState& state);
  void finish_reboot(core::PortId id);
  void adopt(const collectors::ChainReading& chain);
  PortState& state(core::PortId id) { return ports_[static_cast<std::size_t>(id.flat())]; }
  const PortState& state(core::PortId id) const {
    return ports_[static_cast<std::size_t>(id.flat())];
  }

  core::EventLoop& loop_;
  collectors::PduCollector& pdu_;
  ChainSettings settings_;
  std::array<PortState, core::kMaxPorts> ports_{};
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
};

}  // namespace netpower::agent
