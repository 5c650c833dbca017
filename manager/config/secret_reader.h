#pragma once
// Reads a secret from a configuration mapping: `key` (inline), `key_file` (a file of one line,
// relative to the configuration file; one trailing line end stripped) or `key_env` (an environment
// variable). At most one of the three; the value must not be empty or hold control characters.
// Errors name the file, line and key (core::ConfigError); the value is never part of a message.

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "core/yaml_reader.h"
#include "manager/config/secret.h"

namespace netpower::manager::config {

inline constexpr std::size_t kMaxSecretBytes = 4096;

struct SecretAt {
  Secret secret;
  YAML::Node at;  // where it was given, for later errors about its value
};

// nullopt when none of the three keys is present.
std::optional<SecretAt> read_secret(const core::YamlReader& r, const YAML::Node& map,
                                    const std::string& key);

}  // namespace netpower::manager::config
