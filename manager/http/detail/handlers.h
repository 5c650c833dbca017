#pragma once
// The API's features, one file each (Envoy's *_handler.cc): each adds its routes to the table.
// The context outlives the router (both belong to one Api).

#include "manager/http/detail/api.h"

namespace netpower::manager::http::detail {

// GET /metrics, GET /healthz (metrics_handler.cpp).
void add_metrics_routes(Router& router, const ApiContext& context);
// GET /api/v1/status, /api/v1/agents/{agent}, /api/v1/agents/{agent}/ports/{port}
// (status_handler.cpp).
void add_status_routes(Router& router, const ApiContext& context);
// GET /api/v1/events (events_handler.cpp).
void add_events_routes(Router& router, const ApiContext& context);
// GET /api/v1/agents/{agent}/ports/{port}/history (history_handler.cpp).
void add_history_routes(Router& router, const ApiContext& context);
// POST /api/v1/notes (notes_handler.cpp).
void add_notes_routes(Router& router, const ApiContext& context);
// POST and GET /api/v1/actions, GET /api/v1/actions/{id} (actions_api.cpp).
void add_actions_routes(Router& router, const ApiContext& context);
// POST /api/v1/discoveries, GET /api/v1/discoveries/{request_id}, /api/v1/bindings,
// /api/v1/hosts (discovery_api.cpp).
void add_discovery_routes(Router& router, const ApiContext& context);

// Shared by handlers: a port of an agent by id ("A1") or by name ("web1"); the error response
// (404 unknown agent or port, 409 a name several ports share) otherwise.
struct FoundPort {
  state::AgentState agent;
  state::PortState port;
};
std::variant<FoundPort, Response> find_port(const ApiContext& context, const RouteRequest& request);

// The query parsed, or the 400 to send; only `allowed` keys (named in the message otherwise).
std::variant<Query, Response> query_of(const RouteRequest& request,
                                       std::initializer_list<std::string_view> allowed);

// A store::QueryError as a response: 400 when bad_request(), else 503.
Response store_error(const store::QueryError& error, unsigned version);

}  // namespace netpower::manager::http::detail
