#include "manager/http/detail/action_request.h"

#include <initializer_list>
#include <optional>
#include <string_view>
#include <tuple>

#include "manager/model/labels.h"

namespace netpower::manager::http::detail {

using nlohmann::json;

namespace {

using Error = std::string;

bool has_control(std::string_view text) {
  for (const unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

std::optional<Error> unknown_fields(const json& body, std::initializer_list<std::string_view> known,
                                    const char* names) {
  for (const auto& [key, value] : body.items()) {
    bool found = false;
    for (const auto name : known) found = found || key == name;
    if (!found) return "unknown field '" + key + "' (" + names + ")";
  }
  return std::nullopt;
}

// A string field, absent = "". Present it must be a non-empty string of at most `max` bytes
// without control characters.
std::optional<Error> text_field(const json& body, const char* name, std::size_t max,
                                std::string& out, bool may_be_empty = false) {
  const auto it = body.find(name);
  if (it == body.end()) return std::nullopt;
  if (!it->is_string()) {
    return std::string("field '") + name + "' must be a string, not " + json_type_name(*it);
  }
  out = it->get<std::string>();
  if (out.empty() && !may_be_empty) {
    return std::string("field '") + name + "' must not be empty (leave it out instead)";
  }
  if (out.size() > max) {
    return std::string("field '") + name + "' is longer than " + std::to_string(max) + " bytes";
  }
  if (has_control(out)) {
    return std::string("field '") + name + "' must not hold control characters";
  }
  return std::nullopt;
}

std::optional<Error> bool_field(const json& body, const char* name, bool& out) {
  const auto it = body.find(name);
  if (it == body.end()) return std::nullopt;
  if (!it->is_boolean()) {
    return std::string("field '") + name + "' must be true or false, not " + json_type_name(*it);
  }
  out = it->get<bool>();
  return std::nullopt;
}

// "site=ams,rack=12": label names as the configuration allows them, values not empty.
std::optional<Error> check_selector(std::string_view selector) {
  while (true) {
    const auto comma = selector.find(',');
    const std::string_view pair = selector.substr(0, comma);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq + 1 == pair.size()) {
      return "field 'selector' must be label=value pairs separated by commas (site=ams,rack=12), "
             "not '" +
             std::string(pair) + "'";
    }
    if (!model::valid_label_name(pair.substr(0, eq))) {
      return "field 'selector': '" + std::string(pair.substr(0, eq)) + "' is not a label name";
    }
    if (comma == std::string_view::npos) return std::nullopt;
    selector.remove_prefix(comma + 1);
  }
}

std::optional<Error> source_field(const json& body, bool from_netpowerctl,
                                  model::ActionSource& out) {
  out = from_netpowerctl ? model::ActionSource::kCli : model::ActionSource::kApi;
  std::string source;
  if (auto error = text_field(body, "source", 16, source)) return error;
  if (source.empty()) return std::nullopt;
  if (source == "cli") {
    out = model::ActionSource::kCli;
  } else if (source == "api") {
    out = model::ActionSource::kApi;
  } else {
    return "field 'source' must be api or cli, not '" + source + "'";
  }
  return std::nullopt;
}

std::optional<Error> check_target(const actions::TargetSpec& t) {
  const auto both = [](const char* a, const char* b) {
    return std::string("two targets: give ") + a + " or " + b + ", not both";
  };
  if (!t.host.empty()) {
    if (!t.agent.empty()) return both("host", "agent");
    if (!t.port.empty()) return both("host", "port");
    if (!t.group.empty()) return both("host", "group");
    if (!t.selector.empty()) return both("host", "selector");
    return std::nullopt;
  }
  if (!t.port.empty()) {
    if (t.agent.empty()) return "field 'port' needs 'agent' (the port of which agent?)";
    if (!t.group.empty()) return both("agent and port", "group");
    if (!t.selector.empty()) return both("agent and port", "selector");
    return std::nullopt;
  }
  if (!t.selector.empty()) {
    if (!t.agent.empty()) return both("agent", "selector (it picks the agents)");
    return check_selector(t.selector);
  }
  if (t.group.empty() && t.agent.empty()) {
    return "no target: give host, agent and port, group (with or without agent), selector, or "
           "agent alone (every port of it)";
  }
  return std::nullopt;
}

}  // namespace

const char* json_type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    default:
      return "a number";
  }
}

std::variant<actions::ActionSpec, std::string> parse_action_request(const json& body,
                                                                    bool from_netpowerctl) {
  if (!body.is_object()) {
    return std::string(
               "the body must be a JSON object {\"action\": \"reboot\", \"host\": \"web1\", "
               "\"reason\": \"...\"}, not ") +
           json_type_name(body);
  }
  if (auto error = unknown_fields(body,
                                  {"action", "host", "agent", "port", "group", "selector", "reason",
                                   "dry_run", "force", "source"},
                                  "action, host, agent, port, group, selector, reason, dry_run, "
                                  "force, source")) {
    return *error;
  }
  actions::ActionSpec spec;
  const auto action = body.find("action");
  if (action == body.end()) {
    return std::string("field 'action' is missing (reboot, off, on or tickle)");
  }
  if (!action->is_string()) {
    return std::string("field 'action' must be a string, not ") + json_type_name(*action);
  }
  const auto kind = model::action_kind_from_string(action->get<std::string>());
  if (!kind) {
    std::string given = action->get<std::string>().substr(0, 64);
    if (has_control(given)) given = "?";
    return "unknown action '" + given + "' (reboot, off, on or tickle)";
  }
  spec.kind = *kind;
  actions::TargetSpec& t = spec.target;
  for (auto [name, field, max] :
       {std::tuple<const char*, std::string*, std::size_t>{"host", &t.host, kMaxNameBytes},
        {"agent", &t.agent, kMaxNameBytes},
        {"port", &t.port, kMaxNameBytes},
        {"group", &t.group, kMaxNameBytes},
        {"selector", &t.selector, kMaxSelectorBytes}}) {
    if (auto error = text_field(body, name, max, *field)) return *error;
  }
  if (auto error = check_target(t)) return *error;
  if (auto error = text_field(body, "reason", kMaxReasonBytes, spec.reason, true)) return *error;
  if (auto error = bool_field(body, "dry_run", spec.dry_run)) return *error;
  if (auto error = bool_field(body, "force", spec.force)) return *error;
  if (auto error = source_field(body, from_netpowerctl, spec.source)) return *error;
  return spec;
}

std::variant<actions::DiscoverySpec, std::string> parse_discovery_request(const json& body,
                                                                          bool from_netpowerctl) {
  if (!body.is_object()) {
    return std::string(
               "the body must be a JSON object {\"agent\": \"rack12-pdu\", \"reason\": \"...\"}, "
               "not ") +
           json_type_name(body);
  }
  if (auto error = unknown_fields(body, {"agent", "selector", "reason", "source"},
                                  "agent, selector, reason, source")) {
    return *error;
  }
  actions::DiscoverySpec spec;
  if (auto error = text_field(body, "agent", kMaxNameBytes, spec.agent)) return *error;
  if (auto error = text_field(body, "selector", kMaxSelectorBytes, spec.selector)) return *error;
  if (!spec.agent.empty() && !spec.selector.empty()) {
    return std::string("two targets: give agent or selector (or neither: every agent), not both");
  }
  if (!spec.selector.empty()) {
    if (auto error = check_selector(spec.selector)) return *error;
  }
  if (auto error = text_field(body, "reason", kMaxReasonBytes, spec.reason, true)) return *error;
  if (auto error = source_field(body, from_netpowerctl, spec.source)) return *error;
  return spec;
}

}  // namespace netpower::manager::http::detail
