#include "manager/exporter/process_health.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace netpower::manager::exporter {

namespace {

// /proc/self/stat's fields after the command name (which may hold spaces and parentheses).
std::vector<std::string> stat_fields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  const auto end = line.rfind(')');
  std::vector<std::string> out;
  if (end == std::string::npos) return out;
  std::istringstream rest(line.substr(end + 1));
  for (std::string field; rest >> field;) out.push_back(field);
  return out;  // out[0] is field 3 (state)
}

double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double value = 0;
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

double open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  double n = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the directory's own descriptor
}

}  // namespace

ProcessHealth::ProcessHealth(std::string program, std::string version)
    : program_(std::move(program)), version_(std::move(version)) {}

void ProcessHealth::write_health(model::HealthWriter& out) const {
  out.gauge("netpower_build_info", "The running program and its version: always 1.", 1,
            {{"program", program_}, {"version", version_}});
  const auto f = stat_fields();
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  // Fields 14 utime, 15 stime, 22 starttime, 23 vsize, 24 rss (proc(5)); f[0] is field 3.
  if (f.size() > 21 && ticks > 0) {
    out.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                (std::stod(f[11]) + std::stod(f[12])) / ticks);
    out.gauge("process_start_time_seconds",
              "Start time of the process since unix epoch in seconds.",
              boot_time_seconds() + std::stod(f[19]) / ticks);
    out.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", std::stod(f[20]));
    out.gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
              std::stod(f[21]) * page);
  }
  if (const double fds = open_fds(); fds >= 0) {
    out.gauge("process_open_fds", "Number of open file descriptors.", fds);
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    out.gauge("process_max_fds", "Maximum number of open file descriptors.",
              static_cast<double>(limit.rlim_cur));
  }
}

}  // namespace netpower::manager::exporter
