#pragma once
// Readers of the manager configuration's value forms that several sections share: a duration
// within bounds, a size ("512MiB"), a long duration ("30d"). Errors name the file and line.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>

#include "core/clock.h"
#include "core/yaml_reader.h"

namespace netpower::manager::config::detail {

// map[key] as a duration in [min, max]; `range` says it in the error ("1ms and 10m").
core::Duration bounded_duration(const core::YamlReader& r, const YAML::Node& map, const char* key,
                                core::Duration min, core::Duration max, const char* range);
// map[key] as a size (parse_bytes); nullopt when absent.
std::optional<std::uint64_t> read_bytes(const core::YamlReader& r, const YAML::Node& map,
                                        const char* key);
// map[key] as a long duration (parse_long_duration), at least `min`; `fallback` when absent.
core::Duration read_long_duration(const core::YamlReader& r, const YAML::Node& map, const char* key,
                                  core::Duration fallback, core::Duration min);

}  // namespace netpower::manager::config::detail
