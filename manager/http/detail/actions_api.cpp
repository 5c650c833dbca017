// Verified power actions through the action service (manager/actions/action_service.h):
// POST /api/v1/actions, GET /api/v1/actions (the audit trail), GET /api/v1/actions/{id} (one
// action with its steps so far). Translation only: the service decides, refuses and audits.

#include "manager/http/detail/actions_api.h"

#include <stdexcept>

#include "manager/http/actions_json.h"
#include "manager/http/detail/action_request.h"
#include "manager/http/detail/handlers.h"
#include "manager/http/status_json.h"

namespace netpower::manager::http::detail {

namespace {

using nlohmann::json;

Response submit(const ApiContext& context, const RouteRequest& r) {
  const unsigned version = r.request.version();
  if (context.actions == nullptr) return actions_unavailable(version);
  auto parsed = parse_action_request(*r.body, from_netpowerctl(r.request));
  if (auto* error = std::get_if<std::string>(&parsed)) {
    return error_response(400, *error, version);
  }
  const auto submitted =
      context.actions->submit(std::get<actions::ActionSpec>(parsed), r.principal);
  return json_response(submitted_json(submitted), version, 202);
}

std::optional<Response> bad_name(const std::string& key, const std::string& value,
                                 unsigned version) {
  if (value.empty() || value.size() > kMaxNameBytes) {
    return error_response(400, key + " must hold 1 to " + std::to_string(kMaxNameBytes) + " bytes",
                          version);
  }
  return std::nullopt;
}

Response list(const ApiContext& context, const RouteRequest& r) {
  const unsigned version = r.request.version();
  if (context.actions == nullptr) return actions_unavailable(version);
  auto parsed = query_of(
      r, {"request", "agent", "port", "host", "result", "since", "until", "before", "limit"});
  if (auto* error = std::get_if<Response>(&parsed)) return std::move(*error);
  model::ActionQuery q;
  q.limit = kDefaultActionsLimit;
  for (const auto& [key, value] : std::get<Query>(parsed)) {
    if (key == "request" || key == "before") {
      const auto id = parse_id(value);
      if (!id) {
        return error_response(
            400,
            key + " must be an action's or request's id (a whole number from 1), not '" + value +
                "'",
            version);
      }
      if (key == "request") {
        q.request_id = *id;
      } else {
        q.before_id = *id;
      }
    } else if (key == "limit") {
      const auto n = parse_whole(value, 1, kMaxActionsLimit);
      if (!n) {
        return error_response(400,
                              "limit must be a whole number from 1 to " +
                                  std::to_string(kMaxActionsLimit) + ", not '" + value + "'",
                              version);
      }
      q.limit = *n;
    } else if (key == "agent" || key == "port" || key == "host") {
      if (auto error = bad_name(key, value, version)) return std::move(*error);
      (key == "agent" ? q.agent : key == "port" ? q.port : q.host) = value;
    } else if (key == "result") {
      q.result = model::action_result_from_string(value);
      if (!q.result) {
        return error_response(
            400, "result must be pending, succeeded, refused or failed, not '" + value + "'",
            version);
      }
    } else if (key == "since" || key == "until") {
      const auto time = parse_time(value);
      if (!time) {
        return error_response(400, time_error(key, value), version);
      }
      (key == "since" ? q.since : q.until) = *time;
    }
  }
  if (!q.port.empty() && q.agent.empty()) {
    return error_response(400, "port needs agent (the port of which agent?)", version);
  }
  if (q.since && q.until && *q.since >= *q.until) {
    return error_response(400, "since must be before until", version);
  }
  const std::size_t limit = q.limit;
  q.limit = limit + 1;  // one more tells whether there is a next page
  std::vector<model::ActionRecord> found;
  try {
    found = context.actions->actions(q);
  } catch (const std::runtime_error& e) {
    return journal_unavailable(e, version);
  }
  json next = nullptr;
  if (found.size() > limit) {
    found.resize(limit);
    next = found.back().id;
  }
  json items = json::array();
  for (const auto& action : found) items.push_back(action_json(action));
  return json_response(json{{"generated_at", rfc3339(context.now())},
                            {"actions", std::move(items)},
                            {"next_before", std::move(next)}},
                       version);
}

Response one(const ApiContext& context, const RouteRequest& r) {
  const unsigned version = r.request.version();
  if (context.actions == nullptr) return actions_unavailable(version);
  const std::string& text = r.params.find("id")->second;
  const auto id = parse_id(text);
  if (!id) {
    return error_response(400, "an action's id is a whole number from 1, not '" + text + "'",
                          version);
  }
  std::optional<model::ActionRecord> action;
  try {
    action = context.actions->action(*id);
  } catch (const std::runtime_error& e) {
    return journal_unavailable(e, version);
  }
  if (!action) return error_response(404, "no action " + std::to_string(*id), version);
  return json_response(action_json(*action), version);
}

}  // namespace

Response actions_unavailable(unsigned version) {
  return error_response(
      503, "power actions are not available: this manager runs without its action service",
      version);
}

Response journal_unavailable(const std::exception& error, unsigned version) {
  return error_response(503, std::string("the audit trail cannot be read now: ") + error.what(),
                        version);
}

bool from_netpowerctl(const Request& request) {
  const auto it = request.find("X-Netpower-Client");
  if (it == request.end()) return false;
  const std::string_view value(it->value().data(), it->value().size());
  constexpr std::string_view kName = "netpowerctl";
  if (value.size() != kName.size()) return false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i] >= 'A' && value[i] <= 'Z' ? static_cast<char>(value[i] + 32) : value[i];
    if (c != kName[i]) return false;
  }
  return true;
}

std::optional<std::uint64_t> parse_id(std::string_view text) {
  return parse_whole(text, 1, kMaxActionId);
}

void add_actions_routes(Router& router, const ApiContext& context) {
  router.add({.method = boost::beast::http::verb::post,
              .pattern = "/api/v1/actions",
              .handler = [&context](const RouteRequest& r) { return submit(context, r); },
              .mutates_state = true,
              .min_role = model::Role::kOperator,
              .max_body_bytes = kMaxActionBody,
              .help = "start a verified power action: {\"action\": \"reboot\", \"host\": \"web1\", "
                      "\"reason\": \"...\"}"});
  router.add({.method = boost::beast::http::verb::get,
              .pattern = "/api/v1/actions",
              .handler = [&context](const RouteRequest& r) { return list(context, r); },
              .help = "the audit trail, newest first: request, agent, port, host, result, since, "
                      "until, before, limit"});
  router.add({.method = boost::beast::http::verb::get,
              .pattern = "/api/v1/actions/{id}",
              .handler = [&context](const RouteRequest& r) { return one(context, r); },
              .help = "one action with its steps so far"});
}

}  // namespace netpower::manager::http::detail
