#include "core/config_error.h"

namespace netpower::core {

namespace {
std::string compose(const std::string& file, int line, int column, const std::string& problem) {
  std::string where = file;
  if (line > 0) {
    where += ":" + std::to_string(line);
    if (column > 0) where += ":" + std::to_string(column);
  }
  return where + ": " + problem;
}
}  // namespace

ConfigError::ConfigError(const std::string& file, int line, int column, const std::string& problem)
    : std::runtime_error(compose(file, line, column, problem)),
      file_(file),
      line_(line),
      problem_(problem) {}

}  // namespace netpower::core
