#include "manager/store/store.h"

namespace netpower::manager::store {

namespace {
constexpr const char* kObjectKinds[] = {"chain", "board", "port", "ups", "agent"};
constexpr const char* kEventKinds[] = {"trap", "up", "down", "threshold", "action"};
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
  for (int i = 0; i < 5; ++i) {
    if (text == kEventKinds[i]) return static_cast<EventKind>(i);
  }
  return std::nullopt;
}

}  // namespace netpower::manager::store
