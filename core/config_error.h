#pragma once
// A configuration problem that stops start-up. The message names the file, the line and the
// problem.

#include <stdexcept>
#include <string>

namespace netpower::core {

class ConfigError : public std::runtime_error {
 public:
  // line and column are 1-based; 0 when the problem is not tied to a place in the file.
  ConfigError(const std::string& file, int line, int column, const std::string& problem);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  int line_;
  std::string problem_;
};

}  // namespace netpower::core
