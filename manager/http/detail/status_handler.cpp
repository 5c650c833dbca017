// The fleet as the state cache knows it: GET /api/v1/status, one agent, one port.

#include "manager/http/detail/handlers.h"
#include "manager/http/status_json.h"

namespace netpower::manager::http::detail {

std::variant<FoundPort, Response> find_port(const ApiContext& context,
                                            const RouteRequest& request) {
  const unsigned version = request.request.version();
  const std::string& agent_name = request.params.find("agent")->second;
  const std::string& port_name = request.params.find("port")->second;
  auto agent = context.fleet->agent(agent_name);
  if (!agent) {
    return error_response(404, "no agent named '" + agent_name + "'", version);
  }
  for (const auto& port : agent->ports) {
    if (port.id == port_name) {
      return FoundPort{std::move(*agent), port};
    }
  }
  const state::PortState* named = nullptr;
  for (const auto& port : agent->ports) {
    if (port.name != port_name) continue;
    if (named != nullptr) {
      return error_response(409,
                            "ports " + named->id + " and " + port.id + " of '" + agent_name +
                                "' are both named '" + port_name + "'; use the port's id",
                            version);
    }
    named = &port;
  }
  if (named == nullptr) {
    return error_response(404, "agent '" + agent_name + "' has no port '" + port_name + "'",
                          version);
  }
  state::PortState port = *named;
  return FoundPort{std::move(*agent), std::move(port)};
}

void add_status_routes(Router& router, const ApiContext& context) {
  router.add({.method = boost::beast::http::verb::get,
              .pattern = "/api/v1/status",
              .handler =
                  [&context](const RouteRequest& r) {
                    return json_response(
                        status_json(context.fleet->agents(), context.fleet->unknown_source_traps(),
                                    context.now()),
                        r.request.version());
                  },
              .help = "the fleet: a summary and every agent"});
  router.add(
      {.method = boost::beast::http::verb::get,
       .pattern = "/api/v1/agents/{agent}",
       .handler =
           [&context](const RouteRequest& r) {
             const std::string& name = r.params.find("agent")->second;
             const auto agent = context.fleet->agent(name);
             if (!agent) {
               return error_response(404, "no agent named '" + name + "'", r.request.version());
             }
             return json_response(agent_document(*agent, context.now()), r.request.version());
           },
       .help = "one agent"});
  router.add({.method = boost::beast::http::verb::get,
              .pattern = "/api/v1/agents/{agent}/ports/{port}",
              .handler =
                  [&context](const RouteRequest& r) {
                    auto found = find_port(context, r);
                    if (auto* error = std::get_if<Response>(&found)) {
                      return std::move(*error);
                    }
                    const auto& [agent, port] = std::get<FoundPort>(found);
                    return json_response(nlohmann::json{{"generated_at", rfc3339(context.now())},
                                                        {"agent", agent.name},
                                                        {"port", port_json(port)}},
                                         r.request.version());
                  },
              .help = "one port of an agent, by id (A1) or name"});
}

}  // namespace netpower::manager::http::detail
