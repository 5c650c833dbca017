// Time from request to verified result, at the default tickle bit time (10 ms: a frame lasts
// 98 bit times plus the 3-bit lead-in, 1.01 s), on a real rack on loopback (snmpd + netpower-agent
// on the sim chain, netpower-host processes, netpower-manager, netpowerctl; the harness of
// tests/integration/actions). Reports, each against the physical floor measured in the same run:
//   - one tickle (verify only) against the frame's own duration;
//   - one verified reboot against the tickle plus the configured off time;
//   - 104 concurrent tickles (discovery of a 26-board chain) against one tickle.
// docs/performance.md has the results and what bounds them. Not a test: ctest -L bench.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "tests/integration/actions/fleet.h"

namespace {

using namespace std::chrono_literals;
using netpower::testing::Fleet;
using netpower::testing::FleetHost;
using netpower::testing::FleetSetup;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The duration of each step of the newest action, from its audit record.
void print_steps(Fleet& fleet) {
  auto list = fleet.get_json("/api/v1/actions?limit=1");
  for (const auto& step : list["actions"][0]["steps"]) {
    std::cout << "    " << step["name"].get<std::string>() << ": "
              << step["detail"].get<std::string>() << "\n";
  }
}

constexpr double kFrameSeconds = (98 + 3) * 0.010;

int run() {
  double tickle_s = 0;
  {
    FleetSetup setup;
    setup.bit_time = "10ms";
    setup.heartbeat = "1s";
    setup.actions_yaml = "  off_time: 1s\n  answer_timeout: 5s\n";
    setup.hosts = {{.name = "web1", .plugged = {"A1"}}};
    Fleet fleet(setup);
    fleet.start();
    auto t0 = Clock::now();
    auto r = fleet.ctl({"tickle", "web1", "--poll-interval", "0.01"});
    tickle_s = seconds_since(t0);
    if (r.exit_code != 0) {
      std::cerr << r.describe() << fleet.logs();
      return 1;
    }
    std::printf("one tickle (verify only): %.3f s = %.2fx the frame (%.2f s)\n", tickle_s,
                tickle_s / kFrameSeconds, kFrameSeconds);
    t0 = Clock::now();
    r = fleet.ctl({"reboot", "web1", "--poll-interval", "0.01"});
    const double reboot_s = seconds_since(t0);
    if (r.exit_code != 0) {
      std::cerr << r.describe() << fleet.logs();
      return 1;
    }
    const double floor_s = kFrameSeconds + 1.0;
    std::printf("one verified reboot: %.3f s = %.2fx tickle + off time (%.2f s)\n", reboot_s,
                reboot_s / floor_s, floor_s);
    print_steps(fleet);
  }
  {
    FleetSetup setup;
    setup.boards = 26;
    setup.bit_time = "10ms";
    setup.heartbeat = "5s";
    setup.actions_yaml = "  answer_timeout: 10s\n";
    for (int b = 0; b < 26; ++b) {
      for (int p = 1; p <= 4; ++p) {
        std::string port = std::string(1, static_cast<char>('A' + b)) + std::to_string(p);
        setup.hosts.push_back({.name = "h" + port, .plugged = {port}});
      }
    }
    Fleet fleet(setup);
    fleet.start();
    auto t0 = Clock::now();
    auto r = fleet.ctl({"discover", "pdu", "--json", "--poll-interval", "0.01"}, "operator", 300s);
    const double discover_s = seconds_since(t0);
    auto report = nlohmann::json::parse(r.out, nullptr, false);
    int matches = 0;
    if (report.is_object()) {
      for (const auto& e : report["entries"]) matches += e["verdict"] == "match" ? 1 : 0;
    }
    if (r.exit_code != 0 || matches != 104) {
      std::cerr << "discovery: exit " << r.exit_code << ", " << matches << " of 104 bound\n"
                << r.err;
      return 1;
    }
    std::printf("104 concurrent tickles (discovery, all 104 bound): %.3f s = %.2fx one tickle\n",
                discover_s, discover_s / tickle_s);
  }
  return 0;
}

}  // namespace

int main() {
  try {
    return run();
  } catch (const std::exception& e) {
    std::cerr << "actions_latency_bench: " << e.what() << "\n";
    return 1;
  }
}
