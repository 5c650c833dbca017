// netpower_build_info and the process_* families read from /proc: the descriptors follow files
// opened by the test, the start time is this process's, and the exposition passes the exporter.

#include "manager/exporter/process_health.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <vector>

namespace netpower::manager::exporter {
namespace {

class Recorder final : public model::HealthWriter {
 public:
  void counter(std::string_view name, std::string_view, double value,
               const model::HealthLabels& labels) override {
    record(name, value, labels);
  }
  void gauge(std::string_view name, std::string_view, double value,
             const model::HealthLabels& labels) override {
    record(name, value, labels);
  }
  std::map<std::string, double> values;
  model::HealthLabels build_labels;

 private:
  void record(std::string_view name, double value, const model::HealthLabels& labels) {
    values[std::string(name)] = value;
    if (name == "netpower_build_info") build_labels = labels;
  }
};

TEST(ProcessHealth, BuildInfoAndProcessFamilies) {
  ProcessHealth health("netpower-manager", "1.2.3");
  Recorder before;
  health.write_health(before);
  EXPECT_EQ(before.values["netpower_build_info"], 1);
  EXPECT_EQ(before.build_labels.at("version"), "1.2.3");
  EXPECT_EQ(before.build_labels.at("program"), "netpower-manager");
  EXPECT_GT(before.values["process_resident_memory_bytes"], 1 << 20);
  EXPECT_GT(before.values["process_virtual_memory_bytes"],
            before.values["process_resident_memory_bytes"]);
  EXPECT_GE(before.values["process_cpu_seconds_total"], 0);
  EXPECT_GT(before.values["process_max_fds"], before.values["process_open_fds"]);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(before.values["process_start_time_seconds"], now + 1);
  EXPECT_GT(before.values["process_start_time_seconds"], now - 600);

  std::vector<int> fds;
  for (int i = 0; i < 10; ++i) fds.push_back(::open("/dev/null", O_RDONLY));
  Recorder after;
  health.write_health(after);
  EXPECT_EQ(after.values["process_open_fds"], before.values["process_open_fds"] + 10);
  for (int fd : fds) ::close(fd);
}

}  // namespace
}  // namespace netpower::manager::exporter
