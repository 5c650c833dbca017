#include "manager/http/status_json.h"
#include "manager/mib/ups_mib.h"

#include <ctime>

#include <cstdio>

namespace netpower::manager::http {

using nlohmann::json;

namespace {

json optional_time(const std::optional<model::WallTime>& time) {
  return time ? json(rfc3339(*time)) : json(nullptr);
}

template <typename T>
json optional_value(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

// upsOutputSource (RFC 1628): battery(5).
constexpr double kOutputSourceBattery = 5;

bool on_battery(const state::UpsState& ups) {
  const auto it = ups.values.find("output.source");
  return it != ups.values.end() && it->second == kOutputSourceBattery;
}

}  // namespace

std::string rfc3339(model::WallTime time) {
  const auto micros = time.time_since_epoch().count();
  auto seconds = micros / 1'000'000;
  auto rest = micros % 1'000'000;
  if (rest < 0) {  // before 1970: floor, so that the fraction stays positive
    rest += 1'000'000;
    --seconds;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(rest / 1000));
  return buffer;
}

PortCounts count_ports(const std::vector<state::PortState>& ports) {
  PortCounts counts;
  for (const auto& port : ports) {
    ++counts.total;
    if (port.control == "On") {
      ++counts.on;
    } else if (port.control == "Off") {
      ++counts.off;
    }
    if (!port.module.empty() && port.module != "Normal") {
      ++counts.alarm;
    }
  }
  return counts;
}

json port_json(const state::PortState& port) {
  return json{{"id", port.id},
              {"name", port.name},
              {"group", port.group},
              {"control", port.control},
              {"module", port.module},
              {"load_text", port.load_text},
              {"load_amperes", optional_value(port.load_amps)},
              {"locked", optional_value(port.locked)},
              {"updated", rfc3339(port.updated)}};
}

json board_json(const state::BoardState& board) {
  return json{{"id", board.id},
              {"page_name", board.page_name},
              {"code_version", board.code_version},
              {"temperature_celsius", optional_value(board.temperature_c)},
              {"input_load_amperes", optional_value(board.input_load_amps)}};
}

json ups_json(const state::UpsState& ups) {
  json values = json::object();
  for (const auto& [name, value] : ups.values) {
    values[name] = value;
  }
  // RFC 1628's enumerations by name beside their numbers, and the alarms by name.
  json states = json::object();
  if (auto it = ups.values.find("battery.status"); it != ups.values.end()) {
    states["battery.status"] = std::string(mib::enum_name(mib::kBatteryStatusNames, it->second));
  }
  if (auto it = ups.values.find("output.source"); it != ups.values.end()) {
    states["output.source"] = std::string(mib::enum_name(mib::kOutputSourceNames, it->second));
  }
  json alarm_names = json::array();
  for (const auto& alarm : ups.alarms)
    alarm_names.push_back(std::string(mib::ups_alarm_name(alarm)));
  return json{{"name", ups.name},
              {"on_battery", on_battery(ups)},
              {"values", std::move(values)},
              {"states", std::move(states)},
              {"alarms", ups.alarms},
              {"alarm_names", std::move(alarm_names)}};
}

json agent_json(const state::AgentState& agent) {
  json labels = json::object();
  for (const auto& [name, value] : agent.labels) {
    labels[name] = value;
  }
  json boards = json::array();
  for (const auto& board : agent.boards) {
    boards.push_back(board_json(board));
  }
  json ports = json::array();
  for (const auto& port : agent.ports) {
    ports.push_back(port_json(port));
  }
  const PortCounts counts = count_ports(agent.ports);
  return json{
      {"name", agent.name},
      {"address", agent.address},
      {"port", agent.port},
      {"labels", std::move(labels)},
      {"reachability", state::to_string(agent.reachability)},
      {"reachability_since", optional_time(agent.reachability_since)},
      {"last_error", agent.last_error},
      {"last_poll", optional_time(agent.last_poll)},
      {"poll_duration_seconds", agent.poll_duration_seconds},
      {"polls_total", agent.polls_total},
      {"poll_failures_total", agent.poll_failures_total},
      {"varbinds_last_poll", agent.varbinds_last_poll},
      {"traps_total", agent.traps_total},
      {"last_trap", optional_time(agent.last_trap)},
      {"location", agent.location},
      {"port_counts",
       {{"total", counts.total}, {"on", counts.on}, {"off", counts.off}, {"alarm", counts.alarm}}},
      {"boards", std::move(boards)},
      {"ports", std::move(ports)},
      {"ups", agent.ups ? ups_json(*agent.ups) : json(nullptr)}};
}

json agent_document(const state::AgentState& agent, model::WallTime now) {
  return json{{"generated_at", rfc3339(now)}, {"agent", agent_json(agent)}};
}

json status_json(const std::vector<state::AgentState>& agents, std::uint64_t unknown_source_traps,
                 model::WallTime now) {
  std::uint64_t up = 0, down = 0, unknown = 0, ups = 0, ups_on_battery = 0, ups_alarms = 0;
  PortCounts ports;
  json list = json::array();
  for (const auto& agent : agents) {
    switch (agent.reachability) {
      case state::Reachability::kUp:
        ++up;
        break;
      case state::Reachability::kDown:
        ++down;
        break;
      case state::Reachability::kUnknown:
        ++unknown;
        break;
    }
    const PortCounts counts = count_ports(agent.ports);
    ports.total += counts.total;
    ports.on += counts.on;
    ports.off += counts.off;
    ports.alarm += counts.alarm;
    if (agent.ups) {
      ++ups;
      ups_on_battery += on_battery(*agent.ups) ? 1 : 0;
      ups_alarms += agent.ups->alarms.size();
    }
    list.push_back(agent_json(agent));
  }
  return json{{"generated_at", rfc3339(now)},
              {"summary",
               {{"agents", agents.size()},
                {"up", up},
                {"down", down},
                {"unknown", unknown},
                {"ports", ports.total},
                {"ports_on", ports.on},
                {"ports_off", ports.off},
                {"ports_alarm", ports.alarm},
                {"ups", ups},
                {"ups_on_battery", ups_on_battery},
                {"ups_alarms", ups_alarms},
                {"unknown_source_traps", unknown_source_traps}}},
              {"agents", std::move(list)}};
}

json event_json(const model::Event& event) {
  // The store keeps varbinds as JSON text (valid by its contract); a producer's bad text is kept
  // as a string rather than failing the whole response.
  json varbinds = json::parse(event.varbinds_json, nullptr, /*allow_exceptions=*/false);
  if (varbinds.is_discarded()) {
    varbinds = event.varbinds_json;
  }
  return json{{"agent", event.agent},
              {"time", rfc3339(event.time)},
              {"kind", model::to_string(event.kind)},
              {"oid", event.oid},
              {"varbinds", std::move(varbinds)},
              {"text", event.text}};
}

json events_json(const std::vector<model::Event>& events, model::WallTime now) {
  json list = json::array();
  for (const auto& event : events) {
    list.push_back(event_json(event));
  }
  return json{{"generated_at", rfc3339(now)}, {"events", std::move(list)}};
}

json error_json(unsigned status, std::string_view message) {
  return json{{"error", {{"status", status}, {"message", std::string(message)}}}};
}

std::string dump(const json& document) {
  std::string text = document.dump(-1, ' ', false, json::error_handler_t::replace);
  text += '\n';
  return text;
}

}  // namespace netpower::manager::http
