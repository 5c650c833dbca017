#pragma once
// Something that happened, as every room of the manager names it: a trap received, an agent up or
// down, a value crossing a limit, and (from the acting rooms) actions. Published once on the event
// hub (event_bus.h); the state, the store and later subscribers take it from there.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "manager/model/time.h"

namespace netpower::manager::model {

enum class EventKind : std::uint8_t {
  kTrap = 0,       // a notification received; oid = snmpTrapOID, varbinds = its varbinds
  kUp = 1,         // an agent answered again
  kDown = 2,       // an agent stopped answering
  kThreshold = 3,  // a value crossed a limit (raised or cleared, says `text`)
  kAction = 4,     // a power action or other operator/automation order (audit)
  kNote = 5,       // an annotation a principal recorded (agent may be ""): "replaced PSU in A3"
};
const char* to_string(EventKind kind);  // "trap", "up", "down", "threshold", "action", "note"
std::optional<EventKind> event_kind_from_string(std::string_view text);

struct Event {
  std::string agent;
  WallTime time;
  EventKind kind = EventKind::kTrap;
  std::string oid;                   // numeric, no leading dot; empty when not a trap
  std::string varbinds_json = "[]";  // a JSON array (the trap's varbinds) or object; valid JSON
  std::string text;                  // a human-readable summary

  bool operator==(const Event&) const = default;
};

}  // namespace netpower::manager::model
