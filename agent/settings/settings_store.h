#pragma once
// Keeps the chain settings changed over SNMP (the NETPOWER-MIB) and the UPS-MIB's writable
// settings (an `ups:` section) across restarts. The file holds
// only what differs from the configuration file, in the configuration file's own `chain:` syntax,
// so an operator can read it and later edits of agent.yaml still apply to the other settings.
//
// Writes are atomic: a new file is written, flushed to disk and renamed over the old one, then the
// folder is synced; a crash or a full disk at any point leaves the old file whole.

#include <cstdint>
#include <string>

#include "agent/model/chain_settings.h"
#include "agent/ups/ups_model.h"

namespace netpower::agent {

class SettingsStore {
 public:
  // `base`, `ups_base`: the settings of the configuration file (what a factory reset returns to).
  SettingsStore(std::string path, ChainSettings base, ups::UpsPersistent ups_base = {});

  // The base with the saved changes applied (the UPS's then in ups()). A missing file is no
  // change; a file that cannot be read or parsed throws core::ConfigError naming it (the agent
  // refuses to start rather than silently forget an operator's changes).
  ChainSettings load();
  // The UPS settings: the base, or what load() read.
  const ups::UpsPersistent& ups() const { return ups_; }
  // Saves the UPS settings with the chain's as last loaded or saved.
  std::string save_ups(const ups::UpsPersistent& ups);
  // --reset-settings: moves the file aside to PATH.reset (kept for inspection), so that load()
  // returns the base. Returns the new name ("" when there was no file); throws core::ConfigError
  // when the file cannot be moved.
  std::string reset();
  // Saves `settings` (as its differences from the base). Returns "" or why it failed (the old
  // file is then unchanged); also kept in last_error().
  std::string save(const ChainSettings& settings);

  const std::string& path() const { return path_; }
  const ChainSettings& base() const { return base_; }
  std::uint32_t saves() const { return saves_; }
  const std::string& last_error() const { return last_error_; }

  // The YAML text saved for `settings` and ups() (the differences from the bases).
  std::string render(const ChainSettings& settings) const;

 private:
  std::string write(const std::string& text);

  std::string path_;
  ChainSettings base_;
  ups::UpsPersistent ups_base_;
  ChainSettings chain_;
  ups::UpsPersistent ups_;
  std::uint32_t saves_ = 0;
  std::string last_error_;
};

}  // namespace netpower::agent
