#pragma once
// The `http:` section of the manager's configuration (docs/manager.md), read apart from the rest
// of manager_config.cpp.

#include <yaml-cpp/yaml.h>

#include "core/yaml_reader.h"
#include "manager/config/manager_config.h"

namespace netpower::manager::config {

// Reads `node` (absent: the defaults) into `h`. Throws core::ConfigError naming file and line:
// unknown keys, a bad role, a token shorter than kMinApiTokenBytes, duplicate principal names or
// tokens (never the token's value). Logs a warning for the deprecated `token`.
void read_http_settings(const core::YamlReader& r, const YAML::Node& node, HttpSettings& h);

}  // namespace netpower::manager::config
