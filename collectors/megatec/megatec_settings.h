#pragma once
// The megatec driver's settings, read from the YAML node given to the driver (docs/megatec.md).

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "collectors/megatec/battery_model.h"
#include "core/clock.h"
#include "core/yaml_reader.h"

namespace netpower::collectors::megatec {

struct MegatecSettings {
  std::string device;  // the serial port: /dev/ttyS0, /dev/ttyUSB0, a pty
  core::Duration poll_interval = std::chrono::seconds(2);
  core::Duration reply_timeout = std::chrono::seconds(1);
  core::Duration comm_lost_after = std::chrono::seconds(30);
  // No good Q1 for longer than this: stale (a failed Q1 is stale at once). nullopt:
  // 2 x poll_interval + reply_timeout, at most comm_lost_after.
  std::optional<core::Duration> stale_after;
  bool rating = true;  // ask F (ratings)
  bool ident = true;   // ask I (manufacturer, model, firmware)

  // Battery: the multiplier from the reading to pack volts (nullopt: detect it from the nominal
  // voltage as NUT does), the nominal pack voltage when F does not give it, and the pack voltages
  // of 0 % and 100 % charge (nullopt: NUT's guess from the nominal voltage).
  std::optional<double> battery_packs;
  std::optional<double> battery_voltage_nominal;
  std::optional<double> battery_voltage_low;
  std::optional<double> battery_voltage_high;
  std::optional<RuntimeCalibration> runtime;  // nullopt: no battery.runtime
};

// Reads and validates `node`. Throws core::ConfigError naming the file and line.
MegatecSettings parse_megatec_settings(const YAML::Node& node, const core::YamlReader& reader);

}  // namespace netpower::collectors::megatec
