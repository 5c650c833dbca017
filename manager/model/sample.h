#pragma once
// One value of one object at one time, in the project's vocabulary (NUT's variable names:
// "outlet.current", "battery.charge", "ups.temperature"), in base units.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "manager/model/time.h"

namespace netpower::manager::model {

// What a sample's key names.
enum class ObjectKind : std::uint8_t {
  kChain = 0,  // the whole PDU chain of an agent; key ""
  kBoard = 1,  // key: board letter, "C"
  kPort = 2,   // key: port name, "A1"
  kUps = 3,    // key: UPS name on the agent, "" for the only one
  kAgent = 4,  // the agent itself (poll latency, reachability); key ""
};
const char* to_string(ObjectKind kind);  // "chain", "board", "port", "ups", "agent"
std::optional<ObjectKind> object_kind_from_string(std::string_view text);

struct Sample {
  std::string agent;  // the agent's configured name
  ObjectKind kind = ObjectKind::kPort;
  std::string key;
  std::string metric;
  WallTime time;
  double value = 0;

  bool operator==(const Sample&) const = default;
};

}  // namespace netpower::manager::model
