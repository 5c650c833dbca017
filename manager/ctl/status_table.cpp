#include "manager/ctl/status_table.h"

#include "manager/ctl/table.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <vector>

namespace netpower::ctl {

using nlohmann::json;

namespace {

std::string text(const json& value, const char* key) {
  const auto it = value.find(key);
  if (it == value.end() || it->is_null()) {
    return "";
  }
  if (!it->is_string()) {
    throw std::runtime_error(std::string("'") + key + "' is not a string");
  }
  return it->get<std::string>();
}

std::optional<double> number(const json& value, const char* key) {
  const auto it = value.find(key);
  if (it == value.end() || it->is_null()) {
    return std::nullopt;
  }
  if (!it->is_number()) {
    throw std::runtime_error(std::string("'") + key + "' is not a number");
  }
  return it->get<double>();
}

const json& member(const json& value, const char* key) {
  const auto it = value.find(key);
  if (it == value.end()) {
    throw std::runtime_error(std::string("no '") + key + "'");
  }
  return *it;
}

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// 87 -> "87", 0.25 -> "0.25", 229.96 -> "229.96".
std::string compact(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

std::string or_dash(std::string value) { return value.empty() ? "-" : value; }

// The age of `key`'s time at `now`, "-" when absent.
std::string age_of(const json& value, const char* key, std::optional<double> now,
                   const char* suffix = "") {
  const std::string when = text(value, key);
  const auto t = parse_rfc3339(when);
  if (!t) {
    return "-";
  }
  if (!now) {
    return when;
  }
  return format_age(std::max(0.0, *now - *t)) + suffix;
}

// The unit of a UPS value by its NUT name, for reading ("battery.runtime" -> " s").
std::string unit_of(const std::string& name) {
  if (name == "battery.charge" || name == "ups.load") return " %";
  if (name.ends_with(".voltage")) return " V";
  if (name.ends_with(".current")) return " A";
  if (name.ends_with(".frequency")) return " Hz";
  if (name.ends_with(".realpower")) return " W";
  if (name.ends_with(".temperature")) return " °C";
  if (name == "battery.runtime" || name == "ups.seconds_on_battery") return " s";
  return "";
}

std::string ups_charge(const json& agent) {
  const auto& ups = member(agent, "ups");
  if (ups.is_null()) {
    return "-";
  }
  const auto charge = number(member(ups, "values"), "battery.charge");
  return charge ? fixed(*charge, 0) + "%" : "?";
}

std::string ups_runtime(const json& agent) {
  const auto& ups = member(agent, "ups");
  if (ups.is_null()) {
    return "-";
  }
  const auto runtime = number(member(ups, "values"), "battery.runtime");
  std::string out = runtime ? format_age(*runtime) : "?";
  if (ups.value("on_battery", false)) {
    out += " ON BATTERY";
  }
  return out;
}

std::string ports_cell(const json& agent) {
  const auto& counts = member(agent, "port_counts");
  if (counts.value("total", 0) == 0) {
    return "-";
  }
  return std::to_string(counts.value("on", 0)) + "/" + std::to_string(counts.value("off", 0)) +
         "/" + std::to_string(counts.value("alarm", 0));
}

std::vector<std::string> agent_row(const json& agent, std::optional<double> now) {
  return {text(agent, "name"),
          text(agent, "reachability"),
          age_of(agent, "reachability_since", now),
          age_of(agent, "last_poll", now, " ago"),
          ports_cell(agent),
          ups_charge(agent),
          ups_runtime(agent),
          text(agent, "last_error")};
}

const std::vector<std::string> kAgentHeader = {
    "AGENT", "STATE", "SINCE", "LAST POLL", "PORTS ON/OFF/ALARM", "UPS CHARGE", "RUNTIME", "ERROR"};

std::string labels_text(const json& agent) {
  std::string out;
  for (const auto& [name, value] : member(agent, "labels").items()) {
    if (!out.empty()) out += ' ';
    out += name + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out;
}

}  // namespace

std::optional<double> parse_rfc3339(std::string_view value) {
  int year, month, day, hour, minute, second;
  int consumed = 0;
  const std::string copy(value);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &consumed) != 6 ||
      consumed != 19) {
    return std::nullopt;
  }
  std::string_view rest = value.substr(19);
  double fraction = 0;
  if (!rest.empty() && rest.front() == '.') {
    double scale = 0.1;
    rest.remove_prefix(1);
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      fraction += (rest.front() - '0') * scale;
      scale /= 10;
      rest.remove_prefix(1);
    }
  }
  int offset = 0;
  if (rest == "Z" || rest == "z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    const int h = (rest[1] - '0') * 10 + (rest[2] - '0');
    const int m = (rest[4] - '0') * 10 + (rest[5] - '0');
    offset = (rest[0] == '+' ? 1 : -1) * (h * 3600 + m * 60);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<double>(timegm(&tm)) - offset + fraction;
}

std::string format_age(double seconds) {
  const auto s = static_cast<long long>(std::floor(seconds));
  char buffer[64];
  if (s < 60) {
    std::snprintf(buffer, sizeof buffer, "%llds", s);
  } else if (s < 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", s / 60, s % 60);
  } else if (s < 86400) {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldd%02lldh", s / 86400, (s % 86400) / 3600);
  }
  return buffer;
}

std::string render_status(const json& status) {
  const auto now = parse_rfc3339(text(status, "generated_at"));
  const auto& summary = member(status, "summary");
  std::string out;
  out += std::to_string(summary.value("agents", 0)) +
         " agent(s): " + std::to_string(summary.value("up", 0)) + " up, " +
         std::to_string(summary.value("down", 0)) + " down, " +
         std::to_string(summary.value("unknown", 0)) + " unknown; " +
         std::to_string(summary.value("ports", 0)) +
         " port(s): " + std::to_string(summary.value("ports_on", 0)) + " on, " +
         std::to_string(summary.value("ports_off", 0)) + " off, " +
         std::to_string(summary.value("ports_alarm", 0)) + " in alarm; " +
         std::to_string(summary.value("ups", 0)) + " UPS, " +
         std::to_string(summary.value("ups_on_battery", 0)) + " on battery\n";
  const auto& agents = member(status, "agents");
  if (!agents.is_array()) {
    throw std::runtime_error("'agents' is not an array");
  }
  if (agents.empty()) {
    return out;
  }
  out += '\n';
  Table table(kAgentHeader);
  for (const auto& agent : agents) {
    table.add(agent_row(agent, now));
  }
  return out + table.render();
}

std::string render_agent(const json& document) {
  const auto now = parse_rfc3339(text(document, "generated_at"));
  const auto& agent = member(document, "agent");
  std::string out;
  Table summary(kAgentHeader);
  summary.add(agent_row(agent, now));
  out += summary.render();
  out +=
      "\naddress:  " + text(agent, "address") + ":" + std::to_string(agent.value("port", 0)) + "\n";
  out += "location: " + or_dash(text(agent, "location")) + "\n";
  out += "labels:   " + or_dash(labels_text(agent)) + "\n";
  out += "polls:    " + std::to_string(agent.value("polls_total", 0)) + " (" +
         std::to_string(agent.value("poll_failures_total", 0)) + " failed), last took " +
         fixed(number(agent, "poll_duration_seconds").value_or(0), 3) + " s\n";
  out += "traps:    " + std::to_string(agent.value("traps_total", 0)) + ", last " +
         age_of(agent, "last_trap", now, " ago") + "\n";

  const auto& boards = member(agent, "boards");
  if (!boards.empty()) {
    Table table({"BOARD", "PAGE", "VERSION", "TEMPERATURE", "INPUT LOAD"});
    for (const auto& board : boards) {
      const auto temperature = number(board, "temperature_celsius");
      const auto load = number(board, "input_load_amperes");
      table.add({text(board, "id"), or_dash(text(board, "page_name")),
                 or_dash(text(board, "code_version")),
                 temperature ? fixed(*temperature, 1) + " C" : "N/A",
                 load ? fixed(*load, 2) + " A" : "N/A"});
    }
    out += "\n" + table.render();
  }
  const auto& ports = member(agent, "ports");
  if (!ports.empty()) {
    Table table({"PORT", "NAME", "GROUP", "CONTROL", "MODULE", "LOAD", "LOCKED"});
    for (const auto& port : ports) {
      const auto& locked = member(port, "locked");
      table.add({text(port, "id"), or_dash(text(port, "name")), or_dash(text(port, "group")),
                 or_dash(text(port, "control")), or_dash(text(port, "module")),
                 or_dash(text(port, "load_text")),
                 locked.is_boolean() ? (locked.get<bool>() ? "locked" : "no") : "?"});
    }
    out += "\n" + table.render();
  }
  const auto& ups = member(agent, "ups");
  if (!ups.is_null()) {
    out += "\nUPS " + or_dash(text(ups, "name")) +
           (ups.value("on_battery", false) ? " (ON BATTERY)" : "") + "\n";
    Table table({"VALUE", ""});  // NUT's names, base units; enumerations by name
    const auto& states = member(ups, "states");
    for (const auto& [name, value] : member(ups, "values").items()) {
      std::string shown = value.is_number() ? compact(value.get<double>()) : "?";
      if (states.is_object() && states.contains(name) && states[name].is_string() &&
          !states[name].get<std::string>().empty()) {
        shown = states[name].get<std::string>();
      } else {
        shown += unit_of(name);
      }
      table.add({name, shown});
    }
    out += table.render();
    const auto& named = member(ups, "alarm_names");
    const auto& alarms = named.is_array() ? named : member(ups, "alarms");
    out += "alarms: ";
    if (alarms.empty()) {
      out += "none\n";
    } else {
      std::string list;
      for (const auto& alarm : alarms) {
        list += (list.empty() ? "" : ", ") + alarm.get<std::string>();
      }
      out += list + "\n";
    }
  }
  return out;
}

}  // namespace netpower::ctl
