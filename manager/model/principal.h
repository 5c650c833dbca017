#pragma once
// Who asks: a named principal with one role. Roles are ordered: an operator may do what a viewer
// may, an admin what an operator may.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netpower::manager::model {

enum class Role : std::uint8_t {
  kViewer = 0,    // reads state, history, events, audit
  kOperator = 1,  // also switches outlets, acknowledges, runs plans
  kAdmin = 2,     // also changes configuration, bindings, principals
};
const char* to_string(Role role);  // "viewer", "operator", "admin"
std::optional<Role> role_from_string(std::string_view text);

struct Principal {
  std::string name;  // "alice", "grafana", "automation"
  Role role = Role::kViewer;

  // True when this principal's role is `needed` or above it.
  bool may(Role needed) const { return role >= needed; }
  bool operator==(const Principal&) const = default;
};

}  // namespace netpower::manager::model
