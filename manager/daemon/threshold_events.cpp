#include "manager/daemon/threshold_events.h"

#include <nlohmann/json.hpp>

#include <string>

namespace netpower::manager::daemon {

namespace {

struct Kind {
  unsigned number;                // under sentry2Events
  bool board;                     // a board object, else a port
  const char* what;               // "temperature", "input load", "device load"
  const char* crossing;           // "high", "low", "normal"
  const snmp::Oid& value_column;  // the varbind carrying the value (column OID, no instance)
};

const snmp::Oid kBoardTemperature = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 3, 1, 4};
const snmp::Oid kBoardInputLoad = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 3, 1, 5};
const snmp::Oid kPortDeviceLoad = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 4, 1, 6};

const Kind kKinds[] = {
    {2, true, "temperature", "high", kBoardTemperature},
    {3, true, "temperature", "low", kBoardTemperature},
    {4, true, "temperature", "normal", kBoardTemperature},
    {8, false, "device load", "high", kPortDeviceLoad},
    {9, false, "device load", "low", kPortDeviceLoad},
    {10, false, "device load", "normal", kPortDeviceLoad},
    {11, true, "input load", "high", kBoardInputLoad},
    {12, true, "input load", "low", kBoardInputLoad},
    {13, true, "input load", "normal", kBoardInputLoad},
};

// "A1" / "C" from the instance of a table column: fixed-size string indexes, one arc per letter.
std::string index_text(const snmp::Oid& oid, const snmp::Oid& column) {
  std::string out;
  for (std::size_t i = column.size(); i < oid.size(); ++i) {
    if (oid[i] < 0x20 || oid[i] > 0x7e) return {};
    out += static_cast<char>(oid[i]);
  }
  return out;
}

}  // namespace

std::optional<model::Event> threshold_event(const traps::DecodedTrap& trap) {
  std::string_view oid = trap.trap_oid;
  if (oid.size() <= traps::kSentry2Events.size() + 1 ||
      oid.substr(0, traps::kSentry2Events.size()) != traps::kSentry2Events ||
      oid[traps::kSentry2Events.size()] != '.') {
    return std::nullopt;
  }
  auto number_text = oid.substr(traps::kSentry2Events.size() + 1);
  unsigned number = 0;
  for (auto ch : number_text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    number = number * 10 + static_cast<unsigned>(ch - '0');
    if (number > 1000) return std::nullopt;
  }
  const Kind* kind = nullptr;
  for (const auto& k : kKinds) {
    if (k.number == number) kind = &k;
  }
  if (kind == nullptr) return std::nullopt;

  const auto* value = trap.find(kind->value_column, /*prefix=*/true);
  std::string object = value != nullptr ? index_text(value->oid, kind->value_column) : "";
  std::string reading = value != nullptr ? value->octets : "";
  std::string subject = std::string(kind->board ? "board " : "port ") +
                        (object.empty() ? "?" : object) + " " + kind->what;
  std::string text;
  if (std::string_view(kind->crossing) == "normal") {
    text = subject + " back within its limits";
  } else {
    text = subject + " " +
           (std::string_view(kind->crossing) == "high" ? "above its high limit"
                                                       : "below its low limit");
  }
  if (!reading.empty()) text += ": " + reading;

  model::Event event;
  event.agent = trap.agent;
  event.time = trap.received;
  event.kind = model::EventKind::kThreshold;
  event.oid = trap.trap_oid;
  event.varbinds_json = nlohmann::json{
      {"object", kind->board ? "board" : "port"},
      {"key", object},
      {"quantity", kind->what},
      {"crossing", kind->crossing},
      {"value", reading}}.dump();
  event.text = text;
  return event;
}

}  // namespace netpower::manager::daemon
