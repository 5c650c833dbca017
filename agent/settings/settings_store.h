#pragma once
// Keeps the chain settings changed over SNMP (the NETPOWER-MIB) across restarts. The file holds
// only what differs from the configuration file, in the configuration file's own `chain:` syntax,
// so an operator can read it and later edits of agent.yaml still apply to the other settings.
//
// Writes are atomic: a new file is written, flushed to disk and renamed over the old one, then the
// folder is synced; a crash or a full disk at any point leaves the old file whole.

#include <cstdint>
#include <string>

#include "agent/model/chain_settings.h"

namespace netpower::agent {

class SettingsStore {
 public:
  // `base`: the settings of the configuration file (what a factory reset returns to).
  SettingsStore(std::string path, ChainSettings base);

  // The base with the saved changes applied. A missing file is no change; a file that cannot be
  // read or parsed throws core::ConfigError naming it (the agent refuses to start rather than
  // silently forget an operator's changes).
  ChainSettings load() const;
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

  // The YAML text saved for `settings` (the differences from the base).
  std::string render(const ChainSettings& settings) const;

 private:
  std::string path_;
  ChainSettings base_;
  std::uint32_t saves_ = 0;
  std::string last_error_;
};

}  // namespace netpower::agent
