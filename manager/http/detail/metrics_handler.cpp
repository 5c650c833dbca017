// GET /metrics (the exporter's scrape, for Prometheus) and GET /healthz.

#include "manager/http/detail/handlers.h"

namespace netpower::manager::http::detail {

namespace {
constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kTextType = "text/plain; charset=utf-8";
}  // namespace

void add_metrics_routes(Router& router, const ApiContext& context) {
  router.add({.method = boost::beast::http::verb::get,
              .pattern = "/metrics",
              .handler =
                  [&context](const RouteRequest& r) {
                    return make_response(200, r.request.version(), kMetricsType, context.metrics());
                  },
              .min_role =
                  context.metrics_require_auth ? std::optional(model::Role::kViewer) : std::nullopt,
              .help = "the exporter's scrape (Prometheus text format)"});
  router.add({.method = boost::beast::http::verb::get,
              .pattern = "/healthz",
              .handler =
                  [](const RouteRequest& r) {
                    return make_response(200, r.request.version(), kTextType, "ok\n");
                  },
              .min_role = std::nullopt,
              .help = "liveness: 'ok'"});
}

}  // namespace netpower::manager::http::detail
