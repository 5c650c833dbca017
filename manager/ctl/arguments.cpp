#include "manager/ctl/arguments.h"

#include <string>

namespace netpower::ctl {

bool plain_seconds(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789.") == std::string_view::npos &&
         text.front() != '.' && text.back() != '.' && text.find('.') == text.rfind('.');
}

std::optional<double> unit_seconds(std::string_view text, bool days) {
  if (text.empty()) return std::nullopt;
  double seconds = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start || i == text.size() || i - start > 9) return std::nullopt;
    const double n = std::stod(std::string(text.substr(start, i - start)));
    if (text.substr(i, 2) == "ms") {
      seconds += n / 1000;
      i += 2;
      continue;
    }
    switch (text[i]) {
      case 's':
        seconds += n;
        break;
      case 'm':
        seconds += n * 60;
        break;
      case 'h':
        seconds += n * 3600;
        break;
      case 'd':
        if (!days) return std::nullopt;
        seconds += n * 86400;
        break;
      default:
        return std::nullopt;
    }
    ++i;
  }
  return seconds;
}

}  // namespace netpower::ctl
