#include "agent/settings/settings_store.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "agent/agent_config.h"
#include "core/config_error.h"
#include "core/yaml_reader.h"

namespace netpower::agent {

namespace {

std::string duration_text(core::Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + "ms";
}

template <typename T>
void put(YAML::Emitter& out, const char* key, const T& value, const T& base) {
  if (value == base) return;
  out << YAML::Key << key << YAML::Value << value;
}

void put_duration(YAML::Emitter& out, const char* key, core::Duration value, core::Duration base) {
  if (value == base) return;
  out << YAML::Key << key << YAML::Value << duration_text(value);
}

void emit_board(YAML::Emitter& out, const BoardSettings& b, const BoardSettings& base) {
  out << YAML::BeginMap;
  put(out, "page", b.page_name, base.page_name);
  put(out, "temp_high", b.temp_high, base.temp_high);
  put(out, "temp_low", b.temp_low, base.temp_low);
  put(out, "input_load_high", b.input_load_high, base.input_load_high);
  put(out, "input_load_low", b.input_load_low, base.input_load_low);
  if (b.trap_start != base.trap_start || b.trap_temp != base.trap_temp ||
      b.trap_input_load != base.trap_input_load) {
    out << YAML::Key << "traps" << YAML::Value << YAML::BeginMap;
    put(out, "start", b.trap_start, base.trap_start);
    put(out, "temperature", b.trap_temp, base.trap_temp);
    put(out, "input_load", b.trap_input_load, base.trap_input_load);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

void emit_port(YAML::Emitter& out, const PortSettings& p, const PortSettings& base) {
  out << YAML::BeginMap;
  put(out, "name", p.name, base.name);
  put(out, "group", p.group, base.group);
  put_duration(out, "min_on", p.min_on, base.min_on);
  put_duration(out, "min_off", p.min_off, base.min_off);
  put_duration(out, "shutdown_delay", p.shutdown_delay, base.shutdown_delay);
  if (p.wake_up != base.wake_up) {
    out << YAML::Key << "wake_up" << YAML::Value << (p.wake_up == WakeUpState::kOn ? "on" : "off");
  }
  put(out, "locked", p.locked, base.locked);
  put(out, "load_high", p.load_high, base.load_high);
  put(out, "load_low", p.load_low, base.load_low);
  if (p.trap_control != base.trap_control || p.trap_module != base.trap_module ||
      p.trap_load != base.trap_load) {
    out << YAML::Key << "traps" << YAML::Value << YAML::BeginMap;
    put(out, "control", p.trap_control, base.trap_control);
    put(out, "module", p.trap_module, base.trap_module);
    put(out, "load", p.trap_load, base.trap_load);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
}

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

void emit_ups(YAML::Emitter& out, const ups::UpsPersistent& u, const ups::UpsPersistent& base) {
  if (u == base) return;
  out << YAML::Key << "ups" << YAML::Value << YAML::BeginMap;
  put(out, "name", u.name, base.name);
  put(out, "attached_devices", u.attached_devices, base.attached_devices);
  put(out, "low_battery_minutes", u.low_batt_minutes, base.low_batt_minutes);
  if (u.shutdown_type != base.shutdown_type) {
    out << YAML::Key << "shutdown_type" << YAML::Value
        << (u.shutdown_type == ups::ShutdownType::kSystem ? "system" : "output");
  }
  put(out, "auto_restart", u.auto_restart, base.auto_restart);
  out << YAML::EndMap;
}

void read_ups(const core::YamlReader& r, const YAML::Node& node, ups::UpsPersistent& out) {
  r.expect_map(
      node, "the saved UPS settings",
      {"name", "attached_devices", "low_battery_minutes", "shutdown_type", "auto_restart"});
  if (!node) return;
  out.name = r.string(node, "name", out.name, 63);
  out.attached_devices = r.string(node, "attached_devices", out.attached_devices, 63);
  out.low_batt_minutes = r.integer(node, "low_battery_minutes", out.low_batt_minutes, 0, 120);
  auto type = r.string(node, "shutdown_type",
                       out.shutdown_type == ups::ShutdownType::kSystem ? "system" : "output");
  if (type != "output" && type != "system") {
    r.fail(node["shutdown_type"], "'shutdown_type' is output or system");
  }
  out.shutdown_type = type == "system" ? ups::ShutdownType::kSystem : ups::ShutdownType::kOutput;
  out.auto_restart = r.boolean(node, "auto_restart", out.auto_restart);
}

}  // namespace

SettingsStore::SettingsStore(std::string path, ChainSettings base, ups::UpsPersistent ups_base)
    : path_(std::move(path)),
      base_(std::move(base)),
      ups_base_(std::move(ups_base)),
      chain_(base_),
      ups_(ups_base_) {}

ChainSettings SettingsStore::load() {
  ChainSettings settings = base_;
  ups_ = ups_base_;
  chain_ = base_;
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) {
    spdlog::info("no saved settings in {}: the configuration file's settings apply", path_);
    return settings;
  }
  core::YamlReader reader(path_);
  auto root = reader.load();
  if (!root || root.IsNull()) {
    // The agent always writes a `version:` line and renames a complete file into place, so an
    // empty (or comment-only) file is damage, not "no changes": refuse rather than forget them.
    throw core::ConfigError(
        path_, 0, 0,
        "the settings file is empty or holds only comments, so the settings saved over SNMP are "
        "lost (the agent never writes such a file); restore it from a backup, or start once with "
        "--reset-settings (or delete the file) to start from the configuration file's settings");
  }
  reader.expect_map(root, "the saved settings", {"version", "chain", "ups"});
  auto version = reader.integer(root, "version", 1, 1, 1);
  (void)version;
  read_chain_settings(reader, root["chain"], settings);
  read_ups(reader, root["ups"], ups_);
  chain_ = settings;
  spdlog::info("settings changed over SNMP restored from {}", path_);
  return settings;
}

std::string SettingsStore::reset() {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return "";
  auto aside = path_ + ".reset";
  std::filesystem::rename(path_, aside, ec);
  if (ec) {
    throw core::ConfigError(
        path_, 0, 0, "cannot move the settings file aside to " + aside + ": " + ec.message());
  }
  spdlog::warn("--reset-settings: {} moved to {}; the configuration file's settings apply", path_,
               aside);
  return aside;
}

std::string SettingsStore::render(const ChainSettings& s) const {
  YAML::Emitter out;
  out << YAML::Comment(
      "netpower-agent: settings changed over SNMP (NETPOWER-MIB), as differences from the "
      "configuration file. Written by the agent; edit only while it is stopped.");
  out << YAML::BeginMap << YAML::Key << "version" << YAML::Value << 1;
  out << YAML::Key << "chain" << YAML::Value << YAML::BeginMap;
  put(out, "location", s.location, base_.location);
  bool any_board = false;
  for (int b = 0; b < core::kMaxBoards; ++b) {
    core::BoardId id{b};
    if (s.board(id) == base_.board(id)) continue;
    if (!any_board) out << YAML::Key << "boards" << YAML::Value << YAML::BeginMap;
    any_board = true;
    out << YAML::Key << id.str() << YAML::Value;
    emit_board(out, s.board(id), base_.board(id));
  }
  if (any_board) out << YAML::EndMap;
  bool any_port = false;
  for (int flat = 0; flat < core::kMaxPorts; ++flat) {
    auto id = core::PortId::from_flat(flat);
    if (s.port(id) == base_.port(id)) continue;
    if (!any_port) out << YAML::Key << "ports" << YAML::Value << YAML::BeginMap;
    any_port = true;
    out << YAML::Key << id.str() << YAML::Value;
    emit_port(out, s.port(id), base_.port(id));
  }
  if (any_port) out << YAML::EndMap;
  out << YAML::EndMap;
  emit_ups(out, ups_, ups_base_);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string SettingsStore::save(const ChainSettings& settings) {
  chain_ = settings;
  return write(render(settings));
}

std::string SettingsStore::save_ups(const ups::UpsPersistent& ups) {
  ups_ = ups;
  return write(render(chain_));
}

std::string SettingsStore::write(const std::string& text) {
  auto tmp = path_ + ".tmp";
  std::string error;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    error = errno_text("cannot create " + tmp);
  } else {
    std::size_t done = 0;
    while (done < text.size() && error.empty()) {
      auto n = ::write(fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = errno_text("cannot write " + tmp);
      } else {
        done += static_cast<std::size_t>(n);
      }
    }
    if (error.empty() && ::fsync(fd) != 0) error = errno_text("cannot flush " + tmp);
    if (::close(fd) != 0 && error.empty()) error = errno_text("cannot close " + tmp);
    if (error.empty() && ::rename(tmp.c_str(), path_.c_str()) != 0) {
      error = errno_text("cannot rename " + tmp + " to " + path_);
    }
    if (!error.empty()) ::unlink(tmp.c_str());
  }
  if (error.empty()) {
    auto dir = std::filesystem::path(path_).parent_path();
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
    ++saves_;
    last_error_.clear();
    spdlog::info("settings saved to {}", path_);
  } else {
    last_error_ = error;
    spdlog::error(
        "settings NOT saved ({}); the change is applied but will be lost at restart; "
        "the previous file is unchanged",
        error);
  }
  return error;
}

}  // namespace netpower::agent
