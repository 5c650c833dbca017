#pragma once
// A secret from a configuration file (SNMP community, USM key, database password). It never
// formats its value: operator<<, fmt and spdlog print "***". The only way to read it is reveal(),
// which the code that hands it to a library calls at the last moment.

#include <fmt/format.h>

#include <ostream>
#include <string>

namespace netpower::manager::config {

class Secret {
 public:
  Secret() = default;
  // `source` says where the value came from, for messages: "inline", "file /etc/x", "env X".
  Secret(std::string value, std::string source);
  ~Secret();
  Secret(const Secret&) = default;
  Secret& operator=(const Secret& other);
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;

  // The value itself. Never log or format it.
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  const std::string& source() const { return source_; }

 private:
  std::string value_;
  std::string source_;
};

// Always "***" (an empty secret too: the output says nothing about the value).
std::ostream& operator<<(std::ostream& out, const Secret& secret);

}  // namespace netpower::manager::config

template <>
struct fmt::formatter<netpower::manager::config::Secret> : fmt::formatter<fmt::string_view> {
  template <typename FormatContext>
  auto format(const netpower::manager::config::Secret&, FormatContext& ctx) const {
    return fmt::formatter<fmt::string_view>::format("***", ctx);
  }
};
