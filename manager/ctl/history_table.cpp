#include "manager/ctl/history_table.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "manager/ctl/arguments.h"
#include "manager/ctl/status_table.h"
#include "manager/ctl/table.h"

namespace netpower::ctl {

using nlohmann::json;

namespace {

const json& member(const json& value, const char* key) {
  if (!value.is_object()) {
    throw std::runtime_error(std::string("not an object where '") + key + "' was expected");
  }
  const auto it = value.find(key);
  if (it == value.end()) {
    throw std::runtime_error(std::string("no '") + key + "'");
  }
  return *it;
}

std::string string_of(const json& value, const char* key) {
  const auto& v = member(value, key);
  if (!v.is_string()) {
    throw std::runtime_error(std::string("'") + key + "' is not a string");
  }
  return v.get<std::string>();
}

double number_of(const json& value, const char* key) {
  const auto& v = member(value, key);
  if (!v.is_number()) {
    throw std::runtime_error(std::string("'") + key + "' is not a number");
  }
  return v.get<double>();
}

std::string compact(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

std::string or_dash(std::string value) { return value.empty() ? "-" : value; }

// Line ends and tabs in a text would break the table.
std::string one_line(std::string text) {
  for (auto& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text;
}

// "300" -> "5m", "0" -> "every value".
std::string step_text(double seconds) {
  if (seconds <= 0) return "every value";
  return format_age(seconds);
}

}  // namespace

std::string render_events(const json& document) {
  const auto& events = member(document, "events");
  if (!events.is_array()) {
    throw std::runtime_error("'events' is not a list");
  }
  if (events.empty()) {
    return "no events\n";
  }
  Table table({"TIME", "AGENT", "KIND", "TEXT"});
  for (const auto& event : events) {
    std::string text = one_line(string_of(event, "text"));
    const auto varbinds = event.find("varbinds");
    if (string_of(event, "kind") == "note" && varbinds != event.end() && varbinds->is_object() &&
        varbinds->contains("principal") && (*varbinds)["principal"].is_string()) {
      text += " (" + (*varbinds)["principal"].get<std::string>() + ")";
    }
    table.add({string_of(event, "time"), or_dash(string_of(event, "agent")),
               string_of(event, "kind"), text});
  }
  std::string out = table.render();
  const auto cursor = document.find("next_cursor");
  if (cursor != document.end() && cursor->is_string() && !cursor->get<std::string>().empty()) {
    out += "more: --cursor " + cursor->get<std::string>() + "\n";
  }
  return out;
}

std::string render_history(const json& document) {
  const auto& port = member(document, "port");
  const auto& points = member(document, "points");
  if (!points.is_array()) {
    throw std::runtime_error("'points' is not a list");
  }
  const double step = number_of(document, "step_seconds");
  std::string out = string_of(document, "agent") + " " + string_of(port, "id");
  const std::string name = string_of(port, "name");
  if (!name.empty()) out += " (" + name + ")";
  out += " " + string_of(document, "metric") + ", " + string_of(document, "since") + " to " +
         string_of(document, "until") + ", " + step_text(step) + "\n";
  if (points.empty()) {
    return out + "no values in this range\n";
  }
  out += "\n";
  if (step > 0) {
    Table table({"TIME", "MEAN", "MIN", "MAX"});
    for (const auto& p : points) {
      table.add({string_of(p, "time"), compact(number_of(p, "value")), compact(number_of(p, "min")),
                 compact(number_of(p, "max"))});
    }
    out += table.render();
  } else {
    Table table({"TIME", "VALUE"});
    for (const auto& p : points) {
      table.add({string_of(p, "time"), compact(number_of(p, "value"))});
    }
    out += table.render();
  }
  const auto truncated = document.find("truncated");
  if (truncated != document.end() && truncated->is_boolean() && truncated->get<bool>()) {
    out += "(more values exist: narrow --since/--until or use a larger --step)\n";
  }
  return out;
}

std::optional<std::string> time_argument(std::string_view text, double now) {
  if (text.empty()) return std::nullopt;
  if (parse_rfc3339(text)) return std::string(text);
  if (plain_seconds(text)) return std::string(text);
  // An age: <number><unit>... with units ms, s, m, h, d.
  const auto seconds = unit_seconds(text, true);
  if (!seconds) return std::nullopt;
  return std::to_string(static_cast<long long>(std::floor(now - *seconds)));
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace netpower::ctl
