#include "collectors/sim/control_words.h"

#include <charconv>
#include <cmath>
#include <sstream>

namespace netpower::collectors::sim {

std::string quote(std::string_view text) {
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < kMaxEcho; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (text.size() > kMaxEcho) out += "...";
  return out + "'";
}

std::string error(const std::string& message) { return "error: " + message; }

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (i < line.size()) {
    while (i < line.size() && blank(line[i])) ++i;
    auto start = i;
    while (i < line.size() && !blank(line[i])) ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

std::optional<double> number_of(std::string_view word, const char* what, double min, double max,
                                std::string& why) {
  double value = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  bool whole = end == word.data() + word.size();
  if (whole && ec == std::errc::result_out_of_range) {
    why = error(std::string(what) + " " + quote(word) + " is out of range");
    return std::nullopt;
  }
  if (ec != std::errc() || !whole || !std::isfinite(value)) {
    why = error(std::string(what) + " must be a number, not " + quote(word));
    return std::nullopt;
  }
  if (value < min || value > max) {
    std::ostringstream range;
    range << what << " " << quote(word) << " is out of range " << min << ".." << max;
    why = error(range.str());
    return std::nullopt;
  }
  return value;
}

}  // namespace netpower::collectors::sim
