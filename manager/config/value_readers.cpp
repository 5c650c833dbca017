#include "manager/config/value_readers.h"

#include <string>

#include "core/duration.h"
#include "manager/config/manager_config.h"

namespace netpower::manager::config::detail {

using core::Duration;
using core::YamlReader;

Duration bounded_duration(const YamlReader& r, const YAML::Node& map, const char* key, Duration min,
                          Duration max, const char* range) {
  auto d = r.duration(map, key, min);
  if (d < min || d > max) r.fail(map[key], std::string("'") + key + "' must be between " + range);
  return d;
}

std::optional<std::uint64_t> read_bytes(const YamlReader& r, const YAML::Node& map,
                                        const char* key) {
  auto node = map[key];
  if (!node || node.IsNull()) return std::nullopt;
  auto text = r.string(map, key, "");
  auto bytes = parse_bytes(text);
  if (!bytes)
    r.fail(node,
           std::string("'") + key + "' is not a size: '" + text + "' (write e.g. 512MiB, 1GiB)");
  return bytes;
}

Duration read_long_duration(const YamlReader& r, const YAML::Node& map, const char* key,
                            Duration fallback, Duration min) {
  auto node = map[key];
  if (!node || node.IsNull()) return fallback;
  auto text = r.string(map, key, "");
  auto d = parse_long_duration(text);
  if (!d)
    r.fail(node,
           std::string("'") + key + "' is not a duration: '" + text + "' (write e.g. 30d, 12h)");
  if (*d < min)
    r.fail(node, std::string("'") + key + "' must be at least " + core::format_duration(min));
  return *d;
}

}  // namespace netpower::manager::config::detail
