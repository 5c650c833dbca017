// poll_bench: the manager's poller against Prometheus' snmp_exporter on the same simulated agents
// (agent_farm), at the same rate, in the same run. Phase 1: make_poller() polls every agent once
// per interval for a few intervals; phase 2: snmp_exporter scrapes every agent once per interval,
// driven by HTTP GET /snmp?target=...&module=... from this process. For each: varbinds/s, CPU
// seconds (ours from getrusage, the exporter's and the farm's from /proc/<pid>/stat), CPU per
// varbind, failures; then the ratio. docs/performance.md has the results.

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>  // before Boost.Asio 1.74, which uses std::exchange without it

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "manager/daemon/polled_agent.h"
#include "manager/poller/poller.h"

namespace {

namespace asio = boost::asio;
namespace poller = netpower::manager::poller;
using Clock = std::chrono::steady_clock;

double self_cpu() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto s = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return s(usage.ru_utime) + s(usage.ru_stime);
}

// utime + stime of a process, from /proc/<pid>/stat.
double process_cpu(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A child process whose stdout we read line by line (the farm prints "ready").
struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;

  static Child spawn(const std::vector<std::string>& argv) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    Child c;
    c.pid = fork();
    if (c.pid == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      std::perror(args[0]);
      _exit(127);
    }
    close(fds[1]);
    c.out = fdopen(fds[0], "r");
    return c;
  }
  std::string line() {
    char buf[4096];
    if (std::fgets(buf, sizeof buf, out) == nullptr) return {};
    return buf;
  }
  std::string stop() {  // SIGTERM, the rest of its output, wait
    if (pid <= 0) return {};
    kill(pid, SIGTERM);
    std::string rest, l;
    while (!(l = line()).empty()) rest += l;
    waitpid(pid, nullptr, 0);
    std::fclose(out);
    pid = -1;
    return rest;
  }
};

struct Options {
  int agents = 10000;
  double interval = 30;
  int intervals = 3;
  int base_port = 30000;
  int poller_threads = 1;
  std::string farm;
  std::string recording;
  std::string exporter = "/usr/bin/prometheus-snmp-exporter";
  std::string exporter_config;
  std::string exporter_module = "netpower";
  int exporter_port = 19116;
  int max_inflight = 4000;
  bool skip_exporter = false;
};

struct Result {
  std::string name;
  double wall = 0;
  double cpu = 0;
  double farm_cpu = 0;
  std::uint64_t done = 0, failed = 0, varbinds = 0, late = 0, expected = 0;
  std::vector<double> durations_ms;
  std::string note;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

class CountingSink : public poller::PollSink {
 public:
  void on_poll(poller::PollResult r) override {
    if (r.error == poller::PollError::kStopped) return;  // cut by the end of the run
    ++polls;
    if (!r.ok()) {
      ++failures;
      if (first_error.empty()) first_error = r.agent + ": " + r.error_text;
    }
    varbinds += r.varbinds.size();
    durations_ms.push_back(static_cast<double>(r.duration.count()) / 1000.0);
  }
  void on_state(const poller::StateChange&) override {}

  std::uint64_t polls = 0, failures = 0, varbinds = 0;
  std::vector<double> durations_ms;
  std::string first_error;
};

Result run_poller(const Options& o, pid_t farm) {
  Result r;
  r.name = "netpower poller";
  const int threads = std::max(1, o.poller_threads);
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<std::unique_ptr<CountingSink>> sinks;
  std::vector<poller::PollerPtr> pollers;
  for (int t = 0; t < threads; ++t) {
    ios.push_back(std::make_unique<asio::io_context>());
    sinks.push_back(std::make_unique<CountingSink>());
    pollers.push_back(poller::make_poller(*ios.back(), {}, *sinks.back()));
  }
  for (int i = 0; i < o.agents; ++i) {
    netpower::manager::config::AgentSettings a;
    a.name = "farm-" + std::to_string(i);
    a.address = "127.0.0.1";
    a.port = static_cast<std::uint16_t>(o.base_port + i);
    a.version = netpower::manager::config::SnmpVersion::kV2c;
    a.community = netpower::manager::config::Secret("public", "inline");
    a.poll_interval = std::chrono::duration_cast<netpower::core::Duration>(
        std::chrono::duration<double>(o.interval));
    a.timeout = std::chrono::seconds(2);
    a.retries = 1;
    pollers[static_cast<std::size_t>(i % threads)]->add_agent(
        netpower::manager::daemon::polled_agent(a));
  }
  const double cpu0 = self_cpu(), farm0 = process_cpu(farm);
  const auto t0 = Clock::now();
  std::vector<std::thread> runners;
  for (int t = 0; t < threads; ++t) {
    pollers[static_cast<std::size_t>(t)]->start();
    runners.emplace_back([&io = *ios[static_cast<std::size_t>(t)]] {
      auto guard = asio::make_work_guard(io);
      io.run();
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(o.interval * o.intervals));
  for (auto& p : pollers) p->stop();
  r.wall = std::chrono::duration<double>(Clock::now() - t0).count();
  r.cpu = self_cpu() - cpu0;
  r.farm_cpu = process_cpu(farm) - farm0;
  for (auto& io : ios) io->stop();
  for (auto& t : runners) t.join();
  for (std::size_t t = 0; t < pollers.size(); ++t) {
    const auto m = pollers[t]->metrics();
    r.late += m.overruns_total;
    r.done += sinks[t]->polls;
    r.failed += sinks[t]->failures;
    r.varbinds += sinks[t]->varbinds;
    r.durations_ms.insert(r.durations_ms.end(), sinks[t]->durations_ms.begin(),
                          sinks[t]->durations_ms.end());
    if (r.note.empty() && !sinks[t]->first_error.empty()) r.note = sinks[t]->first_error;
  }
  pollers.clear();
  r.expected = static_cast<std::uint64_t>(o.agents) * static_cast<std::uint64_t>(o.intervals);
  return r;
}

// One HTTP GET /snmp scrape on its own connection (Connection: close), as a Prometheus server
// would send it; counts the varbinds the exporter reports (snmp_scrape_pdus_returned).
class Scrape : public std::enable_shared_from_this<Scrape> {
 public:
  struct Totals {
    std::uint64_t ok = 0, failed = 0, varbinds = 0;
    int inflight = 0;
    std::vector<double> durations_ms;
    std::string first_error;
  };
  Scrape(asio::io_context& io, asio::ip::tcp::endpoint exporter, std::string target,
         const std::string& module, Totals& totals)
      : socket_(io), exporter_(exporter), totals_(totals), start_(Clock::now()) {
    request_ = "GET /snmp?target=" + target + "&module=" + module +
               " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  }
  void run() {
    ++totals_.inflight;
    socket_.async_connect(exporter_, [self = shared_from_this()](auto ec) {
      if (ec) return self->finish("connect: " + ec.message());
      asio::async_write(self->socket_, asio::buffer(self->request_), [self](auto ec2, std::size_t) {
        if (ec2) return self->finish("write: " + ec2.message());
        self->read();
      });
    });
  }

 private:
  void read() {
    asio::async_read(socket_, asio::dynamic_buffer(body_),
                     [self = shared_from_this()](auto ec, std::size_t) {
                       if (ec && ec != asio::error::eof) return self->finish(ec.message());
                       self->finish({});
                     });
  }
  void finish(const std::string& error) {
    --totals_.inflight;
    totals_.durations_ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - start_).count());
    std::string why = error;
    if (why.empty() && body_.rfind("HTTP/1.1 200", 0) != 0) {
      why = body_.substr(0, std::min<std::size_t>(body_.size(), 300));
    }
    const auto at = body_.find("\nsnmp_scrape_pdus_returned ");
    if (why.empty() && at == std::string::npos) why = "no snmp_scrape_pdus_returned";
    if (!why.empty()) {
      ++totals_.failed;
      if (totals_.first_error.empty()) totals_.first_error = why;
      return;
    }
    ++totals_.ok;
    totals_.varbinds += std::stoull(body_.substr(at + 27));
  }

  asio::ip::tcp::socket socket_;
  asio::ip::tcp::endpoint exporter_;
  Totals& totals_;
  Clock::time_point start_;
  std::string request_;
  std::string body_;
};

bool wait_for_port(int port, double seconds) {
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    boost::system::error_code ec;
    s.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}, ec);
    if (!ec) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::optional<Result> run_exporter(const Options& o, pid_t farm) {
  Result r;
  r.name = "snmp_exporter";
  if (!std::filesystem::exists(o.exporter) || o.exporter_config.empty()) {
    std::printf("snmp_exporter: not measured (%s missing or no --exporter-config)\n",
                o.exporter.c_str());
    return std::nullopt;
  }
  auto exporter =
      Child::spawn({o.exporter, "--config.file=" + o.exporter_config,
                    "--web.listen-address=127.0.0.1:" + std::to_string(o.exporter_port)});
  if (!wait_for_port(o.exporter_port, 20)) {
    std::printf("snmp_exporter: did not listen on 127.0.0.1:%d\n", o.exporter_port);
    exporter.stop();
    return std::nullopt;
  }
  asio::io_context io;
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"),
                                         static_cast<unsigned short>(o.exporter_port));
  Scrape::Totals totals;
  const double cpu0 = process_cpu(exporter.pid), farm0 = process_cpu(farm), self0 = self_cpu();
  const auto t0 = Clock::now();
  const auto total = static_cast<std::uint64_t>(o.agents) * static_cast<std::uint64_t>(o.intervals);
  const double spacing = o.interval / o.agents;  // scrapes spread evenly over the interval
  std::uint64_t launched = 0;
  asio::steady_timer tick(io);
  std::function<void()> launch = [&] {
    const double now = std::chrono::duration<double>(Clock::now() - t0).count();
    while (launched < total && static_cast<double>(launched) * spacing <= now) {
      if (totals.inflight >= o.max_inflight) {
        ++r.late;  // skipped: the exporter is that far behind
      } else {
        const int agent = static_cast<int>(launched % static_cast<std::uint64_t>(o.agents));
        std::make_shared<Scrape>(io, endpoint, "127.0.0.1:" + std::to_string(o.base_port + agent),
                                 o.exporter_module, totals)
            ->run();
      }
      ++launched;
    }
    if (launched < total) {
      tick.expires_after(std::chrono::milliseconds(5));
      tick.async_wait([&](auto) { launch(); });
    }
  };
  launch();
  // Run the schedule, then let the scrapes in flight finish (bounded).
  io.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(o.interval * o.intervals + 30)));
  r.wall = std::chrono::duration<double>(Clock::now() - t0).count();
  r.cpu = process_cpu(exporter.pid) - cpu0;
  r.farm_cpu = process_cpu(farm) - farm0;
  const double driver_cpu = self_cpu() - self0;
  exporter.stop();
  r.done = totals.ok + totals.failed;
  r.failed = totals.failed + static_cast<std::uint64_t>(totals.inflight);
  r.varbinds = totals.varbinds;
  r.expected = total;
  r.durations_ms = std::move(totals.durations_ms);
  r.note = totals.first_error;
  std::printf("(driver CPU %.2f s, scrapes still in flight at the end %d)\n", driver_cpu,
              totals.inflight);
  return r;
}

void print(const Result& r) {
  const double per_vb = r.varbinds ? r.cpu / static_cast<double>(r.varbinds) : 0;
  std::printf(
      "%-16s wall %6.1f s  polls %7llu/%llu  failed %llu  late/skipped %llu  varbinds %llu "
      "(%.0f/s)\n"
      "%-16s CPU %.2f s (%.2f cores)  %.3f us/varbind  %.0f varbinds per CPU-second  "
      "duration p50 %.1f ms p99 %.1f ms max %.1f ms  farm CPU %.2f s\n",
      r.name.c_str(), r.wall, static_cast<unsigned long long>(r.done),
      static_cast<unsigned long long>(r.expected), static_cast<unsigned long long>(r.failed),
      static_cast<unsigned long long>(r.late), static_cast<unsigned long long>(r.varbinds),
      static_cast<double>(r.varbinds) / r.wall, "", r.cpu, r.cpu / r.wall, per_vb * 1e6,
      per_vb > 0 ? 1.0 / per_vb : 0.0, percentile(r.durations_ms, 0.5),
      percentile(r.durations_ms, 0.99), percentile(r.durations_ms, 1.0), r.farm_cpu);
  if (!r.note.empty()) std::printf("%-16s first error: %s\n", "", r.note.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.farm = NETPOWER_AGENT_FARM_BINARY;
  o.recording = NETPOWER_AGENT_FARM_RECORDING;
  CLI::App app{"poll_bench: netpower's poller vs snmp_exporter on an agent farm"};
  app.add_option("--agents", o.agents)->capture_default_str();
  app.add_option("--interval", o.interval, "poll/scrape interval, seconds")->capture_default_str();
  app.add_option("--intervals", o.intervals, "intervals measured per peer")->capture_default_str();
  app.add_option("--base-port", o.base_port, "farm's first port")->capture_default_str();
  app.add_option("--poller-threads", o.poller_threads, "pollers (one io_context/thread each)")
      ->capture_default_str();
  app.add_option("--farm", o.farm)->capture_default_str();
  app.add_option("--recording", o.recording)->capture_default_str();
  app.add_option("--exporter", o.exporter)->capture_default_str();
  app.add_option("--exporter-config", o.exporter_config, "snmp.yml (make_snmp_exporter_module.sh)");
  app.add_option("--exporter-module", o.exporter_module)->capture_default_str();
  app.add_option("--exporter-port", o.exporter_port)->capture_default_str();
  app.add_option("--max-inflight", o.max_inflight, "concurrent scrapes at most")
      ->capture_default_str();
  app.add_flag("--skip-exporter", o.skip_exporter);
  CLI11_PARSE(app, argc, argv);
  std::signal(SIGPIPE, SIG_IGN);

  auto farm = Child::spawn({o.farm, "--agents", std::to_string(o.agents), "--base-port",
                            std::to_string(o.base_port), "--recording", o.recording});
  const auto ready = farm.line();
  if (ready.rfind("ready", 0) != 0) {
    std::fprintf(stderr, "poll_bench: the farm did not start\n");
    farm.stop();
    return 1;
  }
  std::printf("%s", ready.c_str());
  std::printf("%d agents, every %.0f s, %d interval(s) per peer, %u CPUs\n", o.agents, o.interval,
              o.intervals, std::thread::hardware_concurrency());
  std::fflush(stdout);

  const auto ours = run_poller(o, farm.pid);
  print(ours);
  std::fflush(stdout);
  std::optional<Result> theirs;
  if (!o.skip_exporter) theirs = run_exporter(o, farm.pid);
  if (theirs) print(*theirs);
  std::printf("%s", farm.stop().c_str());
  if (theirs && ours.varbinds > 0 && theirs->varbinds > 0 && ours.cpu > 0) {
    const double ratio = (theirs->cpu / static_cast<double>(theirs->varbinds)) /
                         (ours.cpu / static_cast<double>(ours.varbinds));
    std::printf("CPU per varbind: snmp_exporter / netpower = %.1fx (goal >= 5x)\n", ratio);
  }
  const bool ok = ours.done > 0 && ours.failed == 0;
  return ok ? 0 : 1;
}
