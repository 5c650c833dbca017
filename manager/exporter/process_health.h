#pragma once
// What Prometheus exporters usually say of themselves: netpower_build_info and the standard
// process_* families (CPU, memory, file descriptors, start time), read from /proc at each scrape.

#include <string>

#include "manager/model/health.h"

namespace netpower::manager::exporter {

class ProcessHealth final : public model::HealthSource {
 public:
  // `program` and `version` become netpower_build_info's labels.
  ProcessHealth(std::string program, std::string version);
  void write_health(model::HealthWriter& out) const override;

 private:
  std::string program_;
  std::string version_;
};

}  // namespace netpower::manager::exporter
