#pragma once
// The manager's Prometheus metrics (docs/metrics.md lists every family). Nothing is kept between
// scrapes: each scrape walks the state cache once under its shared lock (FleetState::visit) and
// asks the poller, the store and the trap receiver for their counters, so a scrape costs one pass
// over the fleet and no prometheus-cpp Family/Gauge object exists per series (those are what make
// prometheus-cpp's default families slow: a map of label sets per family, a mutex per metric).
//
// Two ways out, with the same content:
//   - Exporter::scrape(): the text exposition format written directly from the pass (the fast path
//     for the manager's own GET /metrics);
//   - a prometheus::Collectable (collectable()) building MetricFamily values, for prometheus-cpp's
//     Exposer or Registry; serialize_metrics() turns those into text with prometheus-cpp's
//     TextSerializer. Both give the same bytes (tested).

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "manager/model/health.h"
#include "manager/state/fleet_state.h"

namespace netpower::manager::exporter {

// Where the manager's own health comes from: each component's model::HealthSource (the poller
// pool, the trap receiver, the store, the hub, the HTTP server), written once per scrape on the
// scraping thread after the fleet's families. Not owned; each must outlive the exporter.
using HealthSources = std::vector<const model::HealthSource*>;

// The Content-Type of scrape()'s output.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// The Collectable: Collect() reads the state at call time. Thread-safe; `state` must outlive it.
class FleetCollector final : public prometheus::Collectable {
 public:
  explicit FleetCollector(const state::FleetState& state, HealthSources health = {});
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const state::FleetState& state_;
  HealthSources health_;
};

class Exporter {
 public:
  // `state` must outlive the exporter. Any thread may scrape, several at once.
  explicit Exporter(const state::FleetState& state, HealthSources health = {});

  // The text exposition format (kContentType) of every family with at least one sample.
  std::string scrape() const;
  // The same metrics as MetricFamily values.
  std::vector<prometheus::MetricFamily> collect() const;
  // For prometheus::Exposer::RegisterCollectable (which keeps a weak_ptr).
  std::shared_ptr<prometheus::Collectable> collectable() const { return collector_; }

 private:
  const state::FleetState& state_;
  HealthSources health_;
  std::shared_ptr<FleetCollector> collector_;
};

// prometheus-cpp's TextSerializer over `families`: what GET /metrics serves for them.
std::string serialize_metrics(const std::vector<prometheus::MetricFamily>& families);

// A configured label name as a Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*, other characters
// become '_', a leading digit gets a '_' prefix, and the reserved "__" prefix becomes "_". Empty
// stays empty (the label is dropped).
std::string sanitize_label_name(std::string_view name);

}  // namespace netpower::manager::exporter
