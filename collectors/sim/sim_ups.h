#pragma once
// A simulated UPS on an injected clock: mains failure, battery discharge under the present load and
// recharge on mains, load changes, a battery that needs replacing, a general fault, a silent link,
// battery tests and delayed shutdowns with restart. Its load is a setting, or what the simulated
// chain behind it draws (sim_feed.h); that chain has power only while the UPS's output is on.
// ups.status follows NUT's meaning: OL / OB say whether the mains are present, nothing else;
// DISCHRG that the battery feeds the output, OFF that the output is off. Tests and the demo drive
// it through its control socket (sim_ups_protocol.h); the agent reads it through SimUpsCollector.

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "collectors/framework/staleness.h"
#include "collectors/sim/sim_feed.h"
#include "collectors/ups.h"
#include "core/clock.h"
#include "core/yaml_reader.h"

namespace netpower::collectors::sim {

struct SimUpsSettings {
  std::string mfr = "netpower";
  std::string model = "SimUPS 1500";
  std::string firmware = "1.0";
  double input_voltage = 230.0;  // nominal input and output voltage
  double frequency = 50.0;
  double power_va = 1500.0;
  double power_watts = 1050.0;
  double battery_voltage = 24.0;  // nominal
  double load_percent = 30.0;     // without feeds_chain
  bool feeds_chain = false;  // the agent's simulated chain is behind the UPS (its load follows)
  double charge_percent = 100.0;
  double temperature_c = 30.0;
  double transfer_low = 170.0;
  double transfer_high = 280.0;
  double low_charge_percent = 20.0;  // LB below this charge
  // Runtime at full load; at lower loads it grows as (100 / load)^1.2 (Peukert-like).
  std::chrono::seconds full_load_runtime{std::chrono::minutes(10)};
  std::chrono::seconds recharge_time{std::chrono::hours(2)};  // 0 -> 100 %
  std::chrono::seconds quick_test_time{10};
  std::chrono::seconds max_command_delay{600};  // as a Megatec UPS; 0 for one that counts nothing
  std::chrono::seconds comm_lost_after{30};     // silent link: stale, then lost after this
  std::string control_socket;                   // empty: no control server
};

SimUpsSettings parse_sim_ups_settings(const YAML::Node& node, const core::YamlReader& reader);

struct SimUpsCommandRecord {
  core::TimePoint at;
  std::string text;  // "shutdown.return delay=30s restart_after=120s"
};

class SimUps final : public SimSupply {
 public:
  SimUps(const SimUpsSettings& settings, const core::Clock& clock);

  // What the UPS feeds from now on (nullptr: nothing; the load is then the `load` setting or
  // command). Not owned: it must stay until it is replaced or the UPS goes.
  void feed(const SimLoad* load);
  bool feeds_load() const { return fed_ != nullptr; }
  // SimSupply: advances to now; the output is on.
  bool output_on_now() override;

  // Brings the simulation up to the clock's now and returns what a driver would read.
  UpsReading read();
  // Runs an instant command at once (the collector defers the callback).
  UpsCommandResult run(const UpsCommand& command);
  std::vector<std::string> commands() const;
  std::chrono::seconds max_command_delay() const { return settings_.max_command_delay; }

  // Control (each advances the simulation to now first).
  void set_mains(bool on);
  void set_input_voltage(double volts);
  // false (nothing changed) while the UPS feeds a load: the load is then what that load draws.
  bool set_load(double percent);
  void set_charge(double percent);
  void set_temperature(double celsius);
  void set_battery_bad(bool bad);
  void set_fault(bool fault);
  void set_silent(bool silent);
  const std::vector<SimUpsCommandRecord>& history() const { return history_; }

  // The simulated truth (also while the link is silent).
  UpsVars vars_now();
  bool output_on() const { return output_on_; }
  double charge() const { return charge_; }

 private:
  void advance();
  void integrate(core::Duration dt);
  double runtime_seconds() const;  // at the present load and charge
  double load_percent() const;     // of power_va: the setting, or what the fed load draws
  UpsVars make_vars() const;

  SimUpsSettings settings_;
  const core::Clock& clock_;
  core::TimePoint last_;
  bool mains_ = true;
  double input_voltage_;
  double load_;
  double charge_;
  double temperature_;
  bool battery_bad_ = false;
  bool fault_ = false;
  bool silent_ = false;
  bool output_on_ = true;
  bool beeper_ = true;
  // A shutdown counting down, and what happens after it.
  std::optional<core::TimePoint> shutdown_at_;
  std::optional<core::Duration> restart_after_;  // with shutdown_at_: restart this long after
  bool restart_on_mains_ = false;  // with shutdown_at_: restart when the mains are back
  std::optional<core::TimePoint> restart_at_;
  bool awaiting_mains_ = false;  // output off, comes back with the mains
  // A battery test.
  std::optional<core::TimePoint> test_until_;  // running while set; max() = until low battery
  std::string test_result_ = "No test initiated";
  bool test_saw_error_ = false;
  // The link: every read() is a good read, or a failed one while silent (the framework's rules).
  framework::Staleness link_;
  const SimLoad* fed_ = nullptr;
  std::vector<SimUpsCommandRecord> history_;
};

}  // namespace netpower::collectors::sim
