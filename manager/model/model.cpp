#include "manager/model/event.h"
#include "manager/model/principal.h"
#include "manager/model/sample.h"
#include "manager/model/time.h"

namespace netpower::manager::model {

namespace {
constexpr const char* kObjectKinds[] = {"chain", "board", "port", "ups", "agent"};
constexpr const char* kEventKinds[] = {"trap", "up", "down", "threshold", "action", "note"};
constexpr const char* kRoles[] = {"viewer", "operator", "admin"};
}  // namespace

WallTime wall_now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

const char* to_string(ObjectKind kind) { return kObjectKinds[static_cast<int>(kind)]; }

std::optional<ObjectKind> object_kind_from_string(std::string_view text) {
  for (int i = 0; i < 5; ++i) {
    if (text == kObjectKinds[i]) return static_cast<ObjectKind>(i);
  }
  return std::nullopt;
}

const char* to_string(EventKind kind) { return kEventKinds[static_cast<int>(kind)]; }

std::optional<EventKind> event_kind_from_string(std::string_view text) {
  for (int i = 0; i < 6; ++i) {
    if (text == kEventKinds[i]) return static_cast<EventKind>(i);
  }
  return std::nullopt;
}

const char* to_string(Role role) { return kRoles[static_cast<int>(role)]; }

std::optional<Role> role_from_string(std::string_view text) {
  for (int i = 0; i < 3; ++i) {
    if (text == kRoles[i]) return static_cast<Role>(i);
  }
  return std::nullopt;
}

}  // namespace netpower::manager::model
