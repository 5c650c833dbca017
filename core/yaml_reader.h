#pragma once
// Reading configuration files with errors that name file, line and problem. Unknown keys are
// errors, so a typo never silently falls back to a default.

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace netpower::core {

class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  // Parses the file. Throws ConfigError for a missing file or a YAML syntax error.
  YAML::Node load() const;
  // Parses text as if it were the file (for tests and defaults).
  YAML::Node load_string(const std::string& text) const;

  [[noreturn]] void fail(const YAML::Node& at, const std::string& problem) const;
  // `node` must be a mapping (or absent/null) whose keys are all in `allowed`.
  void expect_map(const YAML::Node& node, std::string_view what,
                  std::initializer_list<std::string_view> allowed) const;

  std::string string(const YAML::Node& map, const char* key, const std::string& fallback,
                     std::size_t max_length = std::string::npos) const;
  Duration duration(const YAML::Node& map, const char* key, Duration fallback) const;
  double number(const YAML::Node& map, const char* key, double fallback, double min,
                double max) const;
  long integer(const YAML::Node& map, const char* key, long fallback, long min, long max) const;
  bool boolean(const YAML::Node& map, const char* key, bool fallback) const;

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

}  // namespace netpower::core
