#pragma once
// Rows for PostgreSQL's COPY FROM STDIN, in the binary format (the default: 1.8x the text
// format's rows/s) or the text format (readable in the server log).

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include "manager/model/time.h"

namespace netpower::manager::store::detail {

// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01 UTC).
inline constexpr std::int64_t kPgEpochOffsetUs = 946'684'800'000'000;

class CopyBuffer {
 public:
  explicit CopyBuffer(bool binary) : binary_(binary) {
    if (binary_) {
      out_.append("PGCOPY\n\377\r\n\0", 11);
      be32(0);  // flags
      be32(0);  // header extension length
    }
  }
  void begin_row(std::int16_t fields) {
    if (binary_) be16(static_cast<std::uint16_t>(fields));
    first_ = true;
  }
  void end_row() {
    if (!binary_) out_.push_back('\n');
  }
  void text(std::string_view s) {
    if (binary_) {
      be32(static_cast<std::uint32_t>(s.size()));
      out_.append(s);
      return;
    }
    sep();
    for (char c : s) {
      switch (c) {
        case '\\':
          out_ += "\\\\";
          break;
        case '\t':
          out_ += "\\t";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        default:
          out_.push_back(c);
      }
    }
  }
  void jsonb(std::string_view s) {
    if (binary_) {
      be32(static_cast<std::uint32_t>(s.size() + 1));
      out_.push_back('\1');  // jsonb binary format version
      out_.append(s);
      return;
    }
    text(s);
  }
  void timestamptz(model::WallTime t) {
    const std::int64_t us = t.time_since_epoch().count();
    if (binary_) {
      be32(8);
      be64(static_cast<std::uint64_t>(us - kPgEpochOffsetUs));
      return;
    }
    sep();
    std::int64_t secs = us / 1'000'000;
    std::int64_t frac = us % 1'000'000;
    if (frac < 0) {
      frac += 1'000'000;
      secs -= 1;
    }
    std::time_t tt = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long long>(frac));
    out_ += buf;
  }
  void float8(double v) {
    if (binary_) {
      be32(8);
      be64(std::bit_cast<std::uint64_t>(v));
      return;
    }
    sep();
    if (std::isnan(v)) {
      out_ += "NaN";
    } else if (std::isinf(v)) {
      out_ += v > 0 ? "Infinity" : "-Infinity";
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v);
      out_ += buf;
    }
  }
  void int4(std::int32_t v) {
    if (binary_) {
      be32(4);
      be32(static_cast<std::uint32_t>(v));
      return;
    }
    sep();
    out_ += std::to_string(v);
  }
  void int8(std::int64_t v) {
    if (binary_) {
      be32(8);
      be64(static_cast<std::uint64_t>(v));
      return;
    }
    sep();
    out_ += std::to_string(v);
  }
  std::string& finish() {
    if (binary_) be16(0xFFFF);
    return out_;
  }

 private:
  void sep() {
    if (!first_) out_.push_back('\t');
    first_ = false;
  }
  void be16(std::uint16_t v) {
    out_.push_back(static_cast<char>(v >> 8));
    out_.push_back(static_cast<char>(v));
  }
  void be32(std::uint32_t v) {
    for (int i = 3; i >= 0; --i) out_.push_back(static_cast<char>(v >> (8 * i)));
  }
  void be64(std::uint64_t v) {
    for (int i = 7; i >= 0; --i) out_.push_back(static_cast<char>(v >> (8 * i)));
  }
  bool binary_;
  bool first_ = true;
  std::string out_;
};

}  // namespace netpower::manager::store::detail
