#pragma once
// The `store.postgresql` section of the manager's configuration (docs/manager.md), read apart from
// the rest of manager_config.cpp; PostgresqlSettings' conninfo is built here too.

#include <yaml-cpp/yaml.h>

#include "core/yaml_reader.h"
#include "manager/config/manager_config.h"

namespace netpower::manager::config {

// Reads `node` (absent: the defaults) into `pg`. Throws core::ConfigError naming file and line
// (a password in `conninfo`, `conninfo` beside host/port/..., an unknown sslmode, ranges).
void read_postgresql_settings(const core::YamlReader& r, const YAML::Node& node,
                              PostgresqlSettings& pg);

}  // namespace netpower::manager::config
