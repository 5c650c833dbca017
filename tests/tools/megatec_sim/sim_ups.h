#pragma once
// A simulated Megatec/Q1 UPS, without I/O: a request line in (without '\r'), the bytes of its reply
// out; a control line in, one reply line out. Time comes from the caller (the simulator's scaled
// loop clock), and state is brought up to date lazily on every call, so the model needs no timers.
//
// What it simulates (docs/megatec.md): mains on/off (utility-fail bit, input voltage 0), a battery
// that discharges on battery and recharges on mains at set rates (or stays where it is set), the
// low-battery bit below a threshold, load, temperature, the UPS-failed bit, the beeper, battery
// tests (T, TL, T<n>, CT) with the test bit for their length, and shutdowns (S<n>, S<n>R<m>, C):
// the shutdown-active bit, the output cut (output voltage and load 0) when the delay runs out, the
// output back after R minutes, when the mains return (S<n> without R) or on C. Unknown requests
// are echoed back, as real units do.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace netpower::tools::megatec_sim {

struct SimUpsOptions {
  double rated_voltage = 230.0;
  double rated_current = 10.0;
  double rated_frequency = 50.0;
  double battery_nominal = 24.0;  // pack volts
  double input_voltage = 230.0;
  double input_frequency = 50.0;
  double battery_voltage = 27.0;  // pack volts at start
  double battery_low = 0;         // pack volts of the low-battery bit; 0: 104/120 of nominal
  double battery_full = 0;        // charging stops here; 0: 1.15 x nominal
  double load = 30.0;
  double temperature = 25.0;
  double drain_rate = 0;     // pack volts per minute lost while the battery feeds the load
  double charge_rate = 0;    // pack volts per minute gained on mains
  bool per_cell = false;     // battery field per cell (volts / (nominal / 2)) instead of per pack
  bool online_type = false;  // UPS type bit: 0 on-line, else standby (the default)
  std::string company = "NETPOWER";
  std::string model = "MEGASIM";
  std::string version = "1.0";
  double deep_test_minutes = 2;  // TL ends at low battery or after this long
};

class SimUps {
 public:
  SimUps(SimUpsOptions options, core::TimePoint start);

  // A request from the serial line. The bytes to send back ('\r' included), or nullopt for none.
  std::optional<std::string> handle_request(std::string_view line, core::TimePoint now);
  // A control command. Never throws for malformed input; the reply has no '\n'.
  std::string handle_control(std::string_view line, core::TimePoint now);

  // The JSON of the "state" and "commands" control commands.
  std::string state_json(core::TimePoint now);
  std::string commands_json() const;

 private:
  enum class Restore { kOnMains, kAfter, kStayOff };
  struct Received {
    double t;  // seconds on the simulator's clock since start
    std::string line;
  };

  void advance(core::TimePoint now);
  void cut_output(core::TimePoint at);
  void restore_output();
  void end_test();
  bool battery_feeds_load() const;
  double battery_low() const;
  double battery_full() const;
  std::string status_reply() const;
  std::string rating_reply() const;
  std::string ident_reply() const;
  // One-shot faults applied to a reply about to be sent.
  std::string damage(std::string reply, bool status);
  bool shutdown_command(std::string_view line, core::TimePoint now);
  double since_start(core::TimePoint t) const;

  SimUpsOptions o_;
  core::TimePoint start_;
  core::TimePoint last_;

  bool mains_ = true;
  bool mains_seen_off_ = false;  // since the output was cut without R
  double battery_;
  double load_;
  double temperature_;
  double fault_voltage_;
  bool failed_ = false;
  bool beeper_ = true;
  bool output_on_ = true;

  bool test_active_ = false;
  bool deep_test_ = false;
  core::TimePoint test_end_{};

  std::optional<core::TimePoint> cut_at_;
  Restore restore_ = Restore::kOnMains;
  long restore_minutes_ = 0;
  std::optional<core::TimePoint> restore_at_;

  std::optional<std::string> garbage_;
  bool short_ = false;
  bool atfill_ = false;
  bool silence_ = false;

  std::vector<Received> commands_;
  long queries_q1_ = 0, queries_f_ = 0, queries_i_ = 0;
};

}  // namespace netpower::tools::megatec_sim
