#include "collectors/megatec/megatec_settings.h"

#include "core/duration.h"

namespace netpower::collectors::megatec {

namespace {

constexpr double kMaxPackVolts = 1000;
constexpr std::size_t kMaxDevicePath = 4096;

core::Duration positive_duration(const core::YamlReader& reader, const YAML::Node& map,
                                 const char* key, core::Duration fallback) {
  auto value = reader.duration(map, key, fallback);
  if (value <= core::Duration::zero()) {
    reader.fail(map[key], std::string("'") + key + "' must be longer than zero");
  }
  return value;
}

std::optional<double> optional_volts(const core::YamlReader& reader, const YAML::Node& map,
                                     const char* key) {
  auto node = map[key];
  if (!node || node.IsNull()) return std::nullopt;
  double value = reader.number(map, key, 0, 0, kMaxPackVolts);
  if (!(value > 0)) reader.fail(node, std::string("'") + key + "' must be above zero");
  return value;
}

RuntimeCalibration read_runtime(const core::YamlReader& reader, const YAML::Node& node) {
  reader.expect_map(
      node, "battery runtime calibration",
      {"high_load", "runtime_at_high_load", "low_load", "runtime_at_low_load", "idle_load"});
  for (const char* key : {"runtime_at_high_load", "runtime_at_low_load"}) {
    if (!node[key] || node[key].IsNull()) {
      reader.fail(node, std::string("the runtime calibration needs '") + key + "'");
    }
  }
  RuntimeCalibration cal;
  cal.load_high = reader.number(node, "high_load", cal.load_high, 1, 100);
  cal.load_low = reader.number(node, "low_load", cal.load_low, 1, 100);
  cal.idle_load = reader.number(node, "idle_load", cal.idle_load, 0, 100);
  auto seconds = [](core::Duration d) { return std::chrono::duration<double>(d).count(); };
  cal.runtime_high = seconds(positive_duration(reader, node, "runtime_at_high_load", {}));
  cal.runtime_low = seconds(positive_duration(reader, node, "runtime_at_low_load", {}));
  if (std::string problem = check_calibration(cal); !problem.empty()) {
    reader.fail(node, "battery runtime calibration: " + problem);
  }
  return cal;
}

void read_battery(const core::YamlReader& reader, const YAML::Node& node, MegatecSettings& out) {
  reader.expect_map(node, "megatec battery settings",
                    {"packs", "nominal_voltage", "low_voltage", "high_voltage", "runtime"});
  if (!node || node.IsNull()) return;
  auto packs = node["packs"];
  if (packs && !packs.IsNull() && !(packs.IsScalar() && packs.Scalar() == "auto")) {
    out.battery_packs = reader.number(node, "packs", 1, 0.5, 240);
  }
  out.battery_voltage_nominal = optional_volts(reader, node, "nominal_voltage");
  out.battery_voltage_low = optional_volts(reader, node, "low_voltage");
  out.battery_voltage_high = optional_volts(reader, node, "high_voltage");
  if (out.battery_voltage_low.has_value() != out.battery_voltage_high.has_value()) {
    reader.fail(node, "set both 'low_voltage' and 'high_voltage', or neither");
  }
  if (out.battery_voltage_low && !(*out.battery_voltage_high > *out.battery_voltage_low)) {
    reader.fail(node["high_voltage"], "'high_voltage' must be above 'low_voltage'");
  }
  if (node["runtime"] && !node["runtime"].IsNull()) {
    out.runtime = read_runtime(reader, node["runtime"]);
  }
}

}  // namespace

MegatecSettings parse_megatec_settings(const YAML::Node& node, const core::YamlReader& reader) {
  reader.expect_map(node, "megatec settings",
                    {"device", "poll_interval", "reply_timeout", "stale_after", "comm_lost_after",
                     "rating", "ident", "battery"});
  if (!node || node.IsNull() || !node["device"] || node["device"].IsNull()) {
    reader.fail(node, "the megatec driver needs 'device' (the serial port, e.g. /dev/ttyUSB0)");
  }
  MegatecSettings out;
  out.device = reader.string(node, "device", "", kMaxDevicePath);
  if (out.device.empty() || out.device[0] != '/') {
    reader.fail(node["device"], "'device' must be an absolute path, e.g. /dev/ttyUSB0");
  }
  out.poll_interval = positive_duration(reader, node, "poll_interval", out.poll_interval);
  out.reply_timeout = positive_duration(reader, node, "reply_timeout", out.reply_timeout);
  out.comm_lost_after = positive_duration(reader, node, "comm_lost_after", out.comm_lost_after);
  if (out.reply_timeout > out.poll_interval) {
    reader.fail(node["reply_timeout"], "'reply_timeout' (" +
                                           core::format_duration(out.reply_timeout) +
                                           ") must not be longer than 'poll_interval' (" +
                                           core::format_duration(out.poll_interval) + ")");
  }
  if (out.comm_lost_after < out.poll_interval) {
    reader.fail(node["comm_lost_after"], "'comm_lost_after' must be at least 'poll_interval'");
  }
  if (node["stale_after"] && !node["stale_after"].IsNull()) {
    out.stale_after = positive_duration(reader, node, "stale_after", {});
    if (*out.stale_after > out.comm_lost_after) {
      reader.fail(node["stale_after"], "'stale_after' must not be longer than 'comm_lost_after'");
    }
    if (*out.stale_after < out.poll_interval) {
      reader.fail(node["stale_after"], "'stale_after' must be at least 'poll_interval'");
    }
  }
  out.rating = reader.boolean(node, "rating", out.rating);
  out.ident = reader.boolean(node, "ident", out.ident);
  read_battery(reader, node["battery"], out);
  return out;
}

}  // namespace netpower::collectors::megatec
