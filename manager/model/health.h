#pragma once
// Components expose their own health (prometheus-cpp's Collectable idea): each component that has
// counters implements HealthSource in its own room, and the exporter writes whatever sources it is
// given without knowing their headers. Names follow docs/metrics.md:
// netpower_manager_<component>_...

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace netpower::manager::model {

using HealthLabels = std::map<std::string, std::string>;

// Where a source writes. Each family (name) is written by one source, with its help once; several
// samples of one family differ in their labels.
class HealthWriter {
 public:
  virtual ~HealthWriter() = default;
  virtual void counter(std::string_view name, std::string_view help, double value,
                       const HealthLabels& labels = {}) = 0;
  virtual void gauge(std::string_view name, std::string_view help, double value,
                     const HealthLabels& labels = {}) = 0;
};

class HealthSource {
 public:
  virtual ~HealthSource() = default;
  // Writes the component's current counters; called on a scraping thread, possibly several at
  // once: must be cheap and thread-safe.
  virtual void write_health(HealthWriter& out) const = 0;
};

// A source made of a function: for components whose counters come from a metrics() call, and for
// tests.
class HealthFunction final : public HealthSource {
 public:
  explicit HealthFunction(std::function<void(HealthWriter&)> fn) : fn_(std::move(fn)) {}
  void write_health(HealthWriter& out) const override { fn_(out); }

 private:
  std::function<void(HealthWriter&)> fn_;
};

}  // namespace netpower::manager::model
