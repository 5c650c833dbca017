#pragma once
// A text table for netpowerctl's output.

#include <algorithm>
#include <string>
#include <vector>

namespace netpower::ctl {

// Columns padded to their widest cell, two spaces apart; the last column is not padded.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  std::string render() const {
    std::vector<std::size_t> widths;
    for (const auto& row : rows_) {
      widths.resize(std::max(widths.size(), row.size()), 0);
      for (std::size_t i = 0; i < row.size(); ++i) {
        widths[i] = std::max(widths[i], display_width(row[i]));
      }
    }
    std::string out;
    for (const auto& row : rows_) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) {
          line.append(widths[i] - display_width(row[i]) + 2, ' ');
        }
      }
      while (!line.empty() && line.back() == ' ') {
        line.pop_back();
      }
      out += line;
      out += '\n';
    }
    return out;
  }

 private:
  // UTF-8 code points, so that names with accents line up.
  static std::size_t display_width(const std::string& text) {
    std::size_t n = 0;
    for (const unsigned char c : text) {
      n += (c & 0xC0) != 0x80 ? 1 : 0;
    }
    return n;
  }

  std::vector<std::vector<std::string>> rows_;
};

}  // namespace netpower::ctl
