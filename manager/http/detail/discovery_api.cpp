// Who is on which outlet, through the action service (manager/actions/action_service.h):
// POST /api/v1/discoveries (tickle every port of agents and compare with the inventory),
// GET /api/v1/discoveries/{request_id} (the verdicts so far), GET /api/v1/bindings (what tickles
// taught, beside the inventory's belief), GET /api/v1/hosts (the inventory and what was last heard
// of each host).

#include <stdexcept>

#include "manager/http/actions_json.h"
#include "manager/http/detail/action_request.h"
#include "manager/http/detail/actions_api.h"
#include "manager/http/detail/handlers.h"
#include "manager/http/status_json.h"

namespace netpower::manager::http::detail {

namespace {

using nlohmann::json;

Response discover(const ApiContext& context, const RouteRequest& r) {
  const unsigned version = r.request.version();
  if (context.actions == nullptr) return actions_unavailable(version);
  auto parsed = parse_discovery_request(*r.body, from_netpowerctl(r.request));
  if (auto* error = std::get_if<std::string>(&parsed)) {
    return error_response(400, *error, version);
  }
  const auto submitted =
      context.actions->discover(std::get<actions::DiscoverySpec>(parsed), r.principal);
  return json_response(submitted_json(submitted), version, 202);
}

Response report(const ApiContext& context, const RouteRequest& r) {
  const unsigned version = r.request.version();
  if (context.actions == nullptr) return actions_unavailable(version);
  const std::string& text = r.params.find("request_id")->second;
  const auto id = parse_id(text);
  if (!id) {
    return error_response(
        400, "a discovery's request id is a whole number from 1, not '" + text + "'", version);
  }
  std::optional<actions::DiscoveryReport> found;
  try {
    found = context.actions->discovery(*id);
  } catch (const std::runtime_error& e) {
    return journal_unavailable(e, version);
  }
  if (!found) return error_response(404, "no discovery with request id " + text, version);
  return json_response(discovery_json(*found), version);
}

Response bindings(const ApiContext& context, const RouteRequest& r) {
  const unsigned version = r.request.version();
  if (context.actions == nullptr) return actions_unavailable(version);
  json list = json::array();
  try {
    for (const auto& view : context.actions->bindings()) list.push_back(binding_view_json(view));
  } catch (const std::runtime_error& e) {
    return journal_unavailable(e, version);
  }
  return json_response(
      json{{"generated_at", rfc3339(context.now())}, {"bindings", std::move(list)}}, version);
}

Response hosts(const ApiContext& context, const RouteRequest& r) {
  const unsigned version = r.request.version();
  if (context.actions == nullptr) return actions_unavailable(version);
  json list = json::array();
  try {
    for (const auto& host : context.actions->hosts()) list.push_back(host_json(host));
  } catch (const std::runtime_error& e) {
    return journal_unavailable(e, version);
  }
  return json_response(json{{"generated_at", rfc3339(context.now())}, {"hosts", std::move(list)}},
                       version);
}

}  // namespace

void add_discovery_routes(Router& router, const ApiContext& context) {
  router.add({.method = boost::beast::http::verb::post,
              .pattern = "/api/v1/discoveries",
              .handler = [&context](const RouteRequest& r) { return discover(context, r); },
              .mutates_state = true,
              .min_role = model::Role::kOperator,
              .max_body_bytes = kMaxActionBody,
              .help = "tickle every port of agents and compare with the inventory: {\"agent\": "
                      "\"...\"} or {\"selector\": \"...\"} or {} (every agent)"});
  router.add({.method = boost::beast::http::verb::get,
              .pattern = "/api/v1/discoveries/{request_id}",
              .handler = [&context](const RouteRequest& r) { return report(context, r); },
              .help = "a discovery's verdicts so far"});
  router.add({.method = boost::beast::http::verb::get,
              .pattern = "/api/v1/bindings",
              .handler = [&context](const RouteRequest& r) { return bindings(context, r); },
              .help = "outlets: the inventory's host beside the host a tickle found"});
  router.add({.method = boost::beast::http::verb::get,
              .pattern = "/api/v1/hosts",
              .handler = [&context](const RouteRequest& r) { return hosts(context, r); },
              .help = "the inventory's hosts and what was last heard of each"});
}

}  // namespace netpower::manager::http::detail
