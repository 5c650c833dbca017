// The exporter's scrape of 100,000 series (DESIGN.md goal: < 50 ms) against the same series kept in
// prometheus-cpp's default Family<Gauge>/Family<Counter> objects, in the same process, serialized
// by the same TextSerializer. Prints figures and ratios; asserts nothing about time.
//
//   manager_exporter_bench [series (default 100000)] [repetitions (default 15)]

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "manager/daemon/poller_health.h"
#include "manager/exporter/exporter.h"
#include "manager/store/store_health.h"
#include "manager/traps/trap_health.h"
#include "tests/unit/manager/exporter/fleet_fixture.h"

namespace {

using namespace netpower::manager;           // NOLINT
using namespace netpower::manager::testing;  // NOLINT

struct Timing {
  double wall_ms = 0;
  double cpu_ms = 0;
};

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

template <typename Fn>
Timing median_of(int repetitions, Fn&& fn, std::size_t* bytes) {
  std::vector<double> wall, cpu;
  for (int i = -2; i < repetitions; ++i) {  // two warm-up rounds
    const auto w0 = std::chrono::steady_clock::now();
    const double c0 = thread_cpu_ms();
    const std::string text = fn();
    const double c1 = thread_cpu_ms();
    const auto w1 = std::chrono::steady_clock::now();
    *bytes = text.size();
    if (i < 0) continue;
    wall.push_back(std::chrono::duration<double, std::milli>(w1 - w0).count());
    cpu.push_back(c1 - c0);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

std::size_t count_series(const std::vector<prometheus::MetricFamily>& families) {
  std::size_t n = 0;
  for (const auto& f : families) n += f.metric.size();
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t target = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100'000;
  const int repetitions = argc > 2 ? std::atoi(argv[2]) : 15;

  // Size the fleet: full 26-board chains, a UPS on every third agent, every seventh agent down.
  FleetShape shape;
  shape.agents = 3;
  std::size_t per_agent = 0;
  {
    state::FleetState probe(fleet_agents(shape));
    fill_fleet(probe, shape);
    per_agent = count_series(exporter::Exporter(probe).collect()) / 3;
  }
  shape.agents = static_cast<int>((target + per_agent - 1) / per_agent);
  state::FleetState fleet(fleet_agents(shape));
  fill_fleet(fleet, shape);
  const model::HealthFunction poller_health(
      [](model::HealthWriter& w) { daemon::write_poller_health(poller::PollerMetrics{}, w); });
  const model::HealthFunction store_health(
      [](model::HealthWriter& w) { store::write_store_health(store::StoreMetrics{}, w); });
  const model::HealthFunction trap_health(
      [](model::HealthWriter& w) { traps::write_trap_health(traps::TrapCounters{}, w); });
  exporter::Exporter ours(fleet, {&poller_health, &store_health, &trap_health});
  const auto families = ours.collect();
  const std::size_t series = count_series(families);

  // The same series in prometheus-cpp's default families (built once; a real exporter would also
  // have to Set() every gauge from the state on each poll, which is not timed here).
  const auto build0 = std::chrono::steady_clock::now();
  auto registry = std::make_shared<prometheus::Registry>();
  for (const auto& f : families) {
    if (f.type == prometheus::MetricType::Counter) {
      auto& family = prometheus::BuildCounter().Name(f.name).Help(f.help).Register(*registry);
      for (const auto& m : f.metric) {
        std::map<std::string, std::string> labels;
        for (const auto& l : m.label) labels.emplace(l.name, l.value);
        family.Add(labels).Increment(m.counter.value);
      }
    } else {
      auto& family = prometheus::BuildGauge().Name(f.name).Help(f.help).Register(*registry);
      for (const auto& m : f.metric) {
        std::map<std::string, std::string> labels;
        for (const auto& l : m.label) labels.emplace(l.name, l.value);
        family.Add(labels).Set(m.gauge.value);
      }
    }
  }
  const double build_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - build0).count();
  const std::size_t default_series = count_series(registry->Collect());

  std::size_t bytes_direct = 0, bytes_collectable = 0, bytes_default = 0;
  const Timing direct = median_of(
      repetitions, [&] { return ours.scrape(); }, &bytes_direct);
  const Timing collectable = median_of(
      repetitions, [&] { return exporter::serialize_metrics(ours.collect()); }, &bytes_collectable);
  std::size_t unused = 0;
  const Timing collect_only = median_of(
      repetitions, [&] { return std::string(count_series(ours.collect()) == series ? "" : "?"); },
      &unused);
  const Timing default_collect_only = median_of(
      repetitions,
      [&] { return std::string(count_series(registry->Collect()) == series ? "" : "?"); }, &unused);
  const Timing defaults = median_of(
      repetitions, [&] { return exporter::serialize_metrics(registry->Collect()); },
      &bytes_default);

  std::printf("exporter scrape, %zu series (%d agents x ~%zu series), median of %d\n", series,
              shape.agents, per_agent, repetitions);
  std::printf("  %-62s %9s %9s %10s\n", "", "wall ms", "cpu ms", "bytes");
  std::printf("  %-62s %9.1f %9.1f %10zu\n", "ours: Exporter::scrape() (state -> text directly)",
              direct.wall_ms, direct.cpu_ms, bytes_direct);
  std::printf("  %-62s %9.1f %9.1f %10zu\n", "ours: FleetCollector::Collect() + TextSerializer",
              collectable.wall_ms, collectable.cpu_ms, bytes_collectable);
  std::printf("  %-62s %9.1f %9.1f %10zu\n",
              "prometheus-cpp default Family<Gauge>: Collect() + TextSerializer", defaults.wall_ms,
              defaults.cpu_ms, bytes_default);
  std::printf("  %-62s %9.1f %9.1f\n", "  of which ours: Collect() alone", collect_only.wall_ms,
              collect_only.cpu_ms);
  std::printf("  %-62s %9.1f %9.1f\n", "  of which default: Registry::Collect() alone",
              default_collect_only.wall_ms, default_collect_only.cpu_ms);
  std::printf("  (default families: %zu series, built in %.0f ms, not timed above)\n",
              default_series, build_ms);
  std::printf("ratio default / ours scrape():      %.2fx (cpu %.2fx)\n",
              defaults.wall_ms / direct.wall_ms, defaults.cpu_ms / direct.cpu_ms);
  std::printf("ratio default / ours Collectable:   %.2fx (cpu %.2fx)\n",
              defaults.wall_ms / collectable.wall_ms, defaults.cpu_ms / collectable.cpu_ms);
  std::printf("goal < 50 ms for 100k series: scrape() %s (%.1f ms)\n",
              direct.wall_ms < 50 ? "met" : "NOT met", direct.wall_ms);
  return default_series == series ? 0 : 1;
}
