#pragma once
// Where the exporter's one pass writes: the text exposition format directly, or prometheus-cpp
// MetricFamily values; labels are cleaned (valid, printable UTF-8) and escaped once per object.
// Internal to the exporter.

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "manager/exporter/detail/families.h"
#include "manager/model/health.h"

namespace netpower::manager::exporter::detail {

using prometheus::ClientMetric;
using prometheus::MetricFamily;

// A label value as exported: invalid UTF-8 and control characters replaced.
std::string clean_value(std::string_view s);
void append_escaped(std::string& out, std::string_view value);
// As prometheus-cpp's TextSerializer writes a value (%.16g), so both paths give the same bytes.
void append_value(std::string& out, double value);

// A run of labels, kept both as prometheus-cpp labels and as exposition text (`a="x",b="y"`).
struct LabelBlock {
  std::vector<ClientMetric::Label> list;
  std::string text;

  void add(std::string name, std::string_view raw_value);
};

// A label added to one sample (`state="on"`); its value is ours, never an agent's.
struct Extra {
  std::string_view name;
  std::string_view value;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void add(F family, const LabelBlock* base, const LabelBlock* object,
                   std::span<const Extra> extra, double value) = 0;
  // A family of a component's own health (model::HealthSource), known by name only; families
  // appear after the fleet's, in the order they are first written.
  virtual void add_health(std::string_view name, std::string_view help, MetricType type,
                          const LabelBlock& labels, double value) = 0;
};

class TextSink final : public Sink {
 public:
  TextSink();
  void add(F family, const LabelBlock* base, const LabelBlock* object, std::span<const Extra> extra,
           double value) override;
  void add_health(std::string_view name, std::string_view help, MetricType type,
                  const LabelBlock& labels, double value) override;
  std::string finish();

 private:
  struct HealthFamily {
    std::string name;
    std::string help;
    MetricType type;
    std::string body;
  };
  HealthFamily& health_family(std::string_view name, std::string_view help, MetricType type);

  std::array<std::string, kFamilyCount> bodies_;
  std::vector<HealthFamily> health_;
};

class FamilySink final : public Sink {
 public:
  void add(F family, const LabelBlock* base, const LabelBlock* object, std::span<const Extra> extra,
           double value) override;
  void add_health(std::string_view name, std::string_view help, MetricType type,
                  const LabelBlock& labels, double value) override;
  std::vector<MetricFamily> finish();

 private:
  std::array<std::vector<ClientMetric>, kFamilyCount> metrics_;
  std::vector<MetricFamily> health_;
};

// A component's HealthWriter calls, into a sink.
class HealthToSink final : public model::HealthWriter {
 public:
  explicit HealthToSink(Sink& sink) : sink_(sink) {}
  void counter(std::string_view name, std::string_view help, double value,
               const model::HealthLabels& labels) override;
  void gauge(std::string_view name, std::string_view help, double value,
             const model::HealthLabels& labels) override;

 private:
  Sink& sink_;
};

}  // namespace netpower::manager::exporter::detail
