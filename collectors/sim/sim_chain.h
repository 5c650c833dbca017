#pragma once
// The simulated chain: relays, appliances, probes and the faults a test injects, with a history of
// every relay change and signal. No I/O; time comes from the injected clock.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "collectors/pdu.h"
#include "collectors/sim/sim_feed.h"
#include "collectors/sim/sim_settings.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/tickle_code.h"

namespace netpower::collectors::sim {

enum class PortFault {
  kNone,
  kNoResponse,  // the module does not answer: not read, not switchable
  kOnSense,     // relay on but no power reaches the outlet (blown fuse): no load flows
  kOffFail,  // relay off but power still reaches the outlet (welded contact): the load still flows
};
enum class BoardFault { kNone, kNoResponse };

const char* to_string(PortFault fault);
const char* to_string(BoardFault fault);
std::optional<PortFault> parse_port_fault(std::string_view text);
std::optional<BoardFault> parse_board_fault(std::string_view text);

struct HistoryEntry {
  enum class Kind { kRelay, kShutdown, kTickle };
  enum class Source { kInitial, kCollector, kLocal };

  core::TimePoint at;
  core::PortId port;
  Kind kind = Kind::kRelay;
  Source source = Source::kCollector;
  bool on = false;                    // relay on / shutdown signal asserted; false for a tickle
  std::vector<std::uint8_t> pattern;  // the tickle pattern
};

const char* to_string(HistoryEntry::Kind kind);
const char* to_string(HistoryEntry::Source source);

// The cable from a port's signal line to a host's wire endpoint (docs/simulator.md "Wires").
struct SimCable {
  std::string endpoint;  // the host's Unix datagram socket ("@name": abstract); "" = none
  bool cut = false;      // nothing reaches the endpoint
  int noise = 0;         // glitches added to each tickle played on this cable
  core::Duration delay{0};
};

struct SimPort {
  bool relay_on = false;
  bool shutdown_asserted = false;
  double appliance_amps = 0.0;  // what the appliance draws when powered
  PortFault fault = PortFault::kNone;
  SimCable cable;
};

// What plays the signal lines onto the wires (SimWirePlayer does, with I/O). Called on the loop
// thread from the SimChain operations, after they succeeded.
class SimLineSink {
 public:
  virtual ~SimLineSink() = default;
  // A tickle was sent on `port` (the pattern already parsed; unparseable ones are not played).
  virtual void tickle(core::PortId port, const core::TicklePattern& pattern) = 0;
  // The port's shutdown signal changed.
  virtual void shutdown_signal(core::PortId port, bool asserted) = 0;
};

struct SimBoard {
  std::optional<double> temperature_c;
  BoardFault fault = BoardFault::kNone;
  bool powered_up = false;  // lost power and came back; not yet acknowledged by the agent
  std::array<SimPort, core::kPortsPerBoard> ports;
};

class SimChain final : public SimLoad {
 public:
  // The oldest history entries are dropped beyond this many.
  static constexpr std::size_t kMaxHistory = 10000;

  // Records every port's initial relay state in the history at clock.now(). `clock` must outlive
  // this.
  SimChain(const SimSettings& settings, const core::Clock& clock);

  int board_count() const { return static_cast<int>(boards_.size()); }
  bool contains(core::BoardId board) const;
  bool contains(core::PortId port) const;
  const std::string& code_version() const { return code_version_; }
  bool load_sense() const { return load_sense_; }
  bool on_sense() const { return on_sense_; }

  // --- What a collector sees (the PduCollector operations). ---
  ChainReadResult read() const;
  // Sets the relay; recorded in the history when the state changes.
  PduResult switch_port(core::PortId port, bool on);
  // Recorded in the history on every call and played on the port's wire.
  PduResult set_shutdown_signal(core::PortId port, bool asserted);
  // Recorded in the history; played on the port's wire when `pattern` is a core tickle pattern
  // (anything else is recorded and succeeds, as on hardware without the line).
  PduResult tickle(core::PortId port, const std::vector<std::uint8_t>& pattern);
  PduResult acknowledge_power_up(core::BoardId board);

  // --- The simulated hardware as it is, and what a test or operator does to it. The mutators
  // return false (and change nothing) for a board or port outside the chain. ---
  const SimBoard& board(core::BoardId board) const { return boards_.at(board.index); }
  const SimPort& port(core::PortId port) const {
    return boards_.at(port.board.index).ports.at(port.number - 1);
  }
  // Power reaches the outlet: the chain is supplied, and the relay and the port's fault let it
  // through.
  bool powered(core::PortId port) const;
  // Amperes flowing into the outlet: the appliance's draw when powered, otherwise 0.
  double load_amps(core::PortId port) const;
  // Sum of load_amps() over the board's ports.
  double input_load_amps(core::BoardId board) const;
  bool unplugged() const { return unplugged_; }

  // --- The chain's own supply (a simulated UPS's output; sim_feed.h). ---
  // Who feeds the chain; nullptr (the default): the mains, always on. Not owned; the supply
  // detaches itself (set_supply(nullptr)) before it goes.
  void set_supply(SimSupply* supply) { supply_ = supply; }
  bool fed_by_supply() const { return supply_ != nullptr; }
  // Power reaches the chain's input (always without a supply). Brings the supply up to now.
  bool supplied() const { return supply_ == nullptr || supply_->output_on_now(); }
  // SimLoad: the sum of the appliances' draws on ports whose relay and fault let power through.
  double demand_amps() const override;

  bool set_port_fault(core::PortId port, PortFault fault);
  bool set_board_fault(core::BoardId board, BoardFault fault);
  bool set_appliance_load(core::PortId port, double amps);
  bool set_temperature(core::BoardId board, std::optional<double> celsius);
  void set_unplugged(bool unplugged) { unplugged_ = unplugged; }
  // A local operator pressing the port's button: works whatever the link and faults.
  bool press_button(core::PortId port, bool on);
  // The controller of `board` (every board when nullopt) loses its power and gets it back: every
  // relay and shutdown signal goes off, and the board reports powered_up until the agent has
  // applied the wake-up states.
  bool power_loss(std::optional<core::BoardId> board);

  // --- The wires (cables from the ports' signal lines to hosts). ---
  // Where the chain's lines are played; nullptr (the default): nowhere. Not owned.
  void set_line_sink(SimLineSink* sink) { sink_ = sink; }
  bool set_cable_endpoint(core::PortId port, std::string endpoint);
  // Exchanges the two ports' cables (endpoints and impairments): a mis-wired rack.
  bool swap_cables(core::PortId a, core::PortId b);
  bool set_cable_cut(core::PortId port, bool cut);
  bool set_cable_noise(core::PortId port, int glitches);
  bool set_cable_delay(core::PortId port, core::Duration delay);

  const std::deque<HistoryEntry>& history() const { return history_; }

 private:
  SimPort& mutable_port(core::PortId port) {
    return boards_[static_cast<std::size_t>(port.board.index)]
        .ports[static_cast<std::size_t>(port.number - 1)];
  }
  // The relay and the port's fault let power through (whatever the supply).
  bool switched_through(core::PortId port) const;
  double load_amps(core::PortId port, bool chain_supplied) const;
  // Lets the supply count the demand until now before it changes.
  void before_demand_change() {
    if (supply_ != nullptr) supply_->output_on_now();
  }
  // kNone when a collector command may reach `port`; otherwise why not.
  PduResult reachable(core::PortId port) const;
  void set_relay(core::PortId port, bool on, HistoryEntry::Source source);
  void record(HistoryEntry entry);

  const core::Clock& clock_;
  std::string code_version_;
  bool load_sense_;
  bool on_sense_;
  bool unplugged_ = false;
  std::vector<SimBoard> boards_;
  std::deque<HistoryEntry> history_;
  SimLineSink* sink_ = nullptr;
  SimSupply* supply_ = nullptr;
};

}  // namespace netpower::collectors::sim
