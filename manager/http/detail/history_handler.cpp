// GET /api/v1/agents/{agent}/ports/{port}/history: one port's series from the store.

#include "manager/http/detail/handlers.h"
#include "manager/http/status_json.h"

namespace netpower::manager::http::detail {

namespace {

constexpr const char* kDefaultMetric = "outlet.current";
constexpr auto kDefaultRange = std::chrono::hours(1);

bool valid_metric(const std::string& metric) {
  return !metric.empty() && metric.size() <= 64 &&
         metric.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._") == std::string::npos;
}

Response history(const ApiContext& context, const RouteRequest& r) {
  const unsigned version = r.request.version();
  auto parsed = query_of(r, {"metric", "since", "until", "step", "limit"});
  if (auto* error = std::get_if<Response>(&parsed)) {
    return std::move(*error);
  }
  const Query& query = std::get<Query>(parsed);
  store::HistoryQuery q;
  q.series.metric = kDefaultMetric;
  std::optional<model::WallTime> since;
  std::optional<model::WallTime> until;
  for (const auto& [key, value] : query) {
    if (key == "metric") {
      if (!valid_metric(value)) {
        return error_response(
            400,
            "metric must be a name such as outlet.current ([a-z0-9._], 1..64), not '" + value + "'",
            version);
      }
      q.series.metric = value;
    } else if (key == "since" || key == "until") {
      const auto time = parse_time(value);
      if (!time) {
        return error_response(400, time_error(key, value), version);
      }
      (key == "since" ? since : until) = *time;
    } else if (key == "step") {
      const auto step = parse_step(value);
      if (!step) {
        return error_response(
            400, "step must be whole seconds (300) or a duration (5m, 1h, 1d), not '" + value + "'",
            version);
      }
      q.step = *step;
    } else if (key == "limit") {
      const auto n = parse_whole(value, 1, store::kMaxQueryRows);
      if (!n) {
        return error_response(400,
                              "limit must be a whole number from 1 to " +
                                  std::to_string(store::kMaxQueryRows) + ", not '" + value + "'",
                              version);
      }
      q.limit = *n;
    }
  }
  q.until = until.value_or(context.now());
  q.since = since.value_or(q.until - kDefaultRange);
  if (q.since >= q.until) {
    return error_response(400, "since must be before until", version);
  }

  auto found = find_port(context, r);
  if (auto* error = std::get_if<Response>(&found)) {
    return std::move(*error);
  }
  const auto& [agent, port] = std::get<FoundPort>(found);
  if (context.store == nullptr) {
    return error_response(503, "history is not available (the manager has no store reader)",
                          version);
  }
  q.series.agent = agent.name;
  q.series.kind = model::ObjectKind::kPort;
  q.series.key = port.id;

  store::History result;
  try {
    result = context.store->history(q);
  } catch (const store::QueryError& e) {
    return store_error(e, version);
  }
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : result.points) {
    points.push_back(
        {{"time", rfc3339(p.time)}, {"value", p.value}, {"min", p.min}, {"max", p.max}});
  }
  return json_response(nlohmann::json{{"generated_at", rfc3339(context.now())},
                                      {"agent", agent.name},
                                      {"port", {{"id", port.id}, {"name", port.name}}},
                                      {"metric", q.series.metric},
                                      {"since", rfc3339(q.since)},
                                      {"until", rfc3339(q.until)},
                                      {"step_seconds", q.step.count()},
                                      {"points", std::move(points)},
                                      {"truncated", result.truncated}},
                       version);
}

}  // namespace

void add_history_routes(Router& router, const ApiContext& context) {
  router.add({.method = boost::beast::http::verb::get,
              .pattern = "/api/v1/agents/{agent}/ports/{port}/history",
              .handler = [&context](const RouteRequest& r) { return history(context, r); },
              .help = "one port's series: metric, since, until, step, limit"});
}

}  // namespace netpower::manager::http::detail
