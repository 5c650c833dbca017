#include "core/tickle_wire.h"

#include <cassert>
#include <charconv>
#include <cstdint>

namespace netpower::core {

std::string format_wire_event(const WireEvent& event) {
  std::string out = "NPW1 ";
  out += event.line == WireLine::kTickle ? 'T' : 'S';
  out += ' ';
  out += std::to_string(event.at.time_since_epoch().count());
  out += event.level ? " 1" : " 0";
  return out;
}

WireParseResult parse_wire_event(std::string_view message) {
  if (message.size() > kMaxWireLine) return {std::nullopt, "line too long"};
  if (!message.empty() && message.back() == '\n') message.remove_suffix(1);
  constexpr std::string_view kMagic = "NPW1 ";
  if (message.substr(0, kMagic.size()) != kMagic) return {std::nullopt, "not an NPW1 message"};
  message.remove_prefix(kMagic.size());
  if (message.size() < 5 || message[1] != ' ') return {std::nullopt, "malformed message"};
  WireEvent event;
  if (message[0] == 'T') {
    event.line = WireLine::kTickle;
  } else if (message[0] == 'S') {
    event.line = WireLine::kShutdown;
  } else {
    return {std::nullopt, "unknown line"};
  }
  message.remove_prefix(2);
  auto space = message.find(' ');
  if (space == std::string_view::npos || space == 0 || space > 19) {
    return {std::nullopt, "malformed time"};
  }
  std::int64_t ns = 0;
  auto time_text = message.substr(0, space);
  auto [end, ec] = std::from_chars(time_text.data(), time_text.data() + time_text.size(), ns);
  if (ec != std::errc() || end != time_text.data() + time_text.size() || ns < 0) {
    return {std::nullopt, "malformed time"};
  }
  auto level = message.substr(space + 1);
  if (level != "0" && level != "1") return {std::nullopt, "level must be 0 or 1"};
  event.at = TimePoint(Duration(ns));
  event.level = level == "1";
  return {event, ""};
}

const char* parse_wire_message(std::string_view message, std::vector<WireEvent>& out) {
  out.clear();
  if (message.size() > kMaxWireMessage) return "message too long";
  if (!message.empty() && message.back() == '\n') message.remove_suffix(1);
  if (message.empty()) return "empty message";
  while (true) {
    auto end = message.find('\n');
    auto parsed = parse_wire_event(message.substr(0, end));
    if (!parsed.event || out.size() == kMaxWireEventsPerMessage ||
        (!out.empty() && parsed.event->at < out.back().at)) {
      const char* why = !parsed.event                            ? parsed.error
                        : out.size() == kMaxWireEventsPerMessage ? "too many lines"
                                                                 : "changes out of order";
      out.clear();
      return why;
    }
    out.push_back(*parsed.event);
    if (end == std::string_view::npos) return nullptr;
    message.remove_prefix(end + 1);
  }
}

std::string format_wire_message(const std::vector<WireEvent>& events) {
  assert(!events.empty() && events.size() <= kMaxWireEventsPerMessage);
  std::string out;
  for (const auto& e : events) {
    if (!out.empty()) out += '\n';
    out += format_wire_event(e);
  }
  return out;
}

}  // namespace netpower::core
