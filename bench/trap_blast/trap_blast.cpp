// trap_blast: SNMPv2c traps (Sentry2 notifications as netpower-agent sends them) blasted at fixed
// rates into the real netpower-manager (trap receiver + PostgreSQL store), then into snmptrapd
// logging to a file, on the same machine in the same run. For each rate and receiver: sent,
// received (the manager's own counters from its stop line; snmptrapd's lines), kernel drops
// (/proc/net/udp), stored (rows in `events` after the flush) and lost.
//
//   trap_blast [--rates 20000,50000,100000] [--duration 60] [--sources 16]

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "manager/snmp/ber.h"
#include "manager/snmp/varbind.h"
#include "tests/support/manager/postgres_server.h"
#include "tests/support/ports.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace {

namespace d = netpower::manager::snmp;
using netpower::manager::snmp::Oid;
using netpower::manager::snmp::parse_oid;
using Clock = std::chrono::steady_clock;

constexpr std::uint8_t kPduTrapV2 = 0xA7;
const char* kCommunity = "np-blast-trap";

// sentry2PortControlStatusChange, sentry2PortLoadEvent-like and board temperature traps with the
// varbinds netpower-agent sends (chain location, index, name, value), varied per port.
std::vector<std::vector<std::uint8_t>> make_traps(std::size_t count) {
  static const char* kPorts[] = {"A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4",
                                 "C1", "C2", "C3", "C4", "D1", "D2", "D3", "D4"};
  std::vector<std::vector<std::uint8_t>> out;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string port = kPorts[i % 16];
    Oid index = {static_cast<std::uint32_t>(port[0]), static_cast<std::uint32_t>(port[1])};
    auto column = [&](std::uint32_t c) {
      Oid o = *parse_oid("1.3.6.1.4.1.1718.2.1.4.1");
      o.push_back(c);
      o.insert(o.end(), index.begin(), index.end());
      return o;
    };
    const int kind = static_cast<int>(i % 4);
    // Control status change (5) mostly, a load event (6) now and then.
    const std::uint32_t event = kind == 3 ? 6 : 5;
    d::BerEncoder enc(256);
    const auto start = enc.mark();
    auto string_vb = [&](const Oid& oid, const std::string& value) {
      const auto m = enc.mark();
      enc.octets(value);
      enc.oid(oid);
      enc.wrap(d::kTagSequence, m);
    };
    // Written backwards: last varbind first.
    if (event == 5) {
      string_vb(column(4), i % 2 == 0 ? "On" : "Off");  // sentry2PortControlStatus
    } else {
      const auto m = enc.mark();
      enc.integer(static_cast<std::int64_t>(100 + i % 900));  // sentry2PortDeviceLoad (0.01 A)
      enc.oid(column(8));
      enc.wrap(d::kTagSequence, m);
    }
    string_vb(column(3), "web-" + std::to_string(i % 100));  // sentry2PortName
    string_vb(column(2), port);                              // sentry2PortID
    string_vb(*parse_oid("1.3.6.1.4.1.1718.2.1.1.0"), "rack 12, row C");
    {
      const auto m = enc.mark();
      Oid trap = *parse_oid("1.3.6.1.4.1.1718.2.100.0");
      trap.push_back(event);
      enc.oid(trap);
      enc.oid(*parse_oid("1.3.6.1.6.3.1.1.4.1.0"));  // snmpTrapOID.0
      enc.wrap(d::kTagSequence, m);
    }
    {
      const auto m = enc.mark();
      enc.unsigned_integer(1000000 + i, d::kTagTimeTicks);
      enc.oid(*parse_oid("1.3.6.1.2.1.1.3.0"));  // sysUpTime.0
      enc.wrap(d::kTagSequence, m);
    }
    enc.wrap(d::kTagSequence, start);
    enc.integer(0);
    enc.integer(0);
    enc.integer(static_cast<std::int64_t>(i + 1));
    enc.wrap(kPduTrapV2, start);
    enc.octets(std::string_view(kCommunity));
    enc.integer(1);
    enc.wrap(d::kTagSequence, start);
    out.push_back(enc.take());
  }
  return out;
}

struct SendResult {
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;
  double seconds = 0;
};

// Sends `rate` traps/s for `duration` s to 127.0.0.1:port from `sources` sockets bound to
// 127.0.0.2, 127.0.0.3, ... (distinct agents, as a fleet would), in 1 ms slices with sendmmsg.
SendResult blast(std::uint16_t port, double rate, double duration, int sources,
                 const std::vector<std::vector<std::uint8_t>>& traps) {
  std::vector<int> sockets;
  for (int s = 0; s < sources; ++s) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(0x7f000002u + static_cast<std::uint32_t>(s));
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("cannot bind a sender socket to 127.0.0." + std::to_string(2 + s));
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(0x7f000001u);
    connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
    int sndbuf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    sockets.push_back(fd);
  }
  constexpr int kBatch = 64;
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> msgs(kBatch);
  SendResult r;
  const auto total = static_cast<std::uint64_t>(rate * duration);
  const auto t0 = Clock::now();
  std::size_t next_trap = 0;
  std::size_t next_socket = 0;
  while (r.sent < total) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    const auto due = std::min(total, static_cast<std::uint64_t>(elapsed * rate));
    if (due <= r.sent) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    while (r.sent < due) {
      const int n = static_cast<int>(std::min<std::uint64_t>(kBatch, due - r.sent));
      for (int i = 0; i < n; ++i) {
        const auto& t = traps[next_trap++ % traps.size()];
        iov[i] = {const_cast<std::uint8_t*>(t.data()), t.size()};
        msgs[i].msg_hdr = {};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      const int fd = sockets[next_socket++ % sockets.size()];
      const int done = sendmmsg(fd, msgs.data(), n, 0);
      if (done < 0) {
        ++r.send_errors;
        continue;
      }
      r.sent += static_cast<std::uint64_t>(done);
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  for (int fd : sockets) close(fd);
  return r;
}

// The kernel's drop counter of the UDP socket bound to 127.0.0.1:port (/proc/net/udp, last
// column); -1 if there is none.
long long udp_drops(std::uint16_t port) {
  std::ifstream in("/proc/net/udp");
  std::string line;
  char local[32];
  std::snprintf(local, sizeof local, "0100007F:%04X", port);
  while (std::getline(in, line)) {
    if (line.find(local) == std::string::npos) continue;
    std::istringstream fields(line);
    std::string field, last;
    while (fields >> field) last = field;
    return std::stoll(last);
  }
  return -1;
}

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

template <typename F>
bool wait_for(F done, double seconds) {
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

// Polls `count` until it reaches `target` or stops growing for `quiet` seconds; returns the last
// value and sets `lag` to the time from the call until the last increase.
std::uint64_t wait_stable(const std::function<std::uint64_t()>& count, std::uint64_t target,
                          double quiet, double& lag) {
  const auto t0 = Clock::now();
  auto last_change = t0;
  std::uint64_t last = count();
  while (last < target &&
         std::chrono::duration<double>(Clock::now() - last_change).count() < quiet) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const auto now = count();
    if (now != last) {
      last = now;
      last_change = Clock::now();
    }
  }
  lag = std::chrono::duration<double>(last_change - t0).count();
  return last;
}

struct Row {
  std::string receiver;
  double rate = 0;
  SendResult send;
  long long received = -1;  // the receiver's own count
  long long kernel_dropped = -1;
  long long stored = -1;
  double lag = 0;
  double cpu = 0;
  std::string note;
};

void print(const Row& r) {
  const long long kept = r.stored >= 0 ? r.stored : r.received;
  const long long lost = static_cast<long long>(r.send.sent) - kept;
  auto number = [](long long v) { return v < 0 ? std::string("-") : std::to_string(v); };
  std::printf(
      "%-18s %7.0f/s  sent %9llu in %5.1f s  received %9s  kernel drops %8s  stored %9s  "
      "lost %8lld (%.3f%%)  drain %.1f s  CPU %.1f s %s\n",
      r.receiver.c_str(), r.rate, static_cast<unsigned long long>(r.send.sent), r.send.seconds,
      number(r.received).c_str(), number(r.kernel_dropped).c_str(), number(r.stored).c_str(), lost,
      r.send.sent ? 100.0 * static_cast<double>(lost) / static_cast<double>(r.send.sent) : 0.0,
      r.lag, r.cpu, r.note.c_str());
  std::fflush(stdout);
}

Row run_manager(const std::string& binary, netpower::testing::PostgresServer& pg,
                const netpower::testing::TempDir& dir, double rate, double duration, int sources,
                int decoder_threads, const std::vector<std::vector<std::uint8_t>>& traps) {
  Row row;
  row.receiver = "netpower-manager";
  row.rate = rate;
  const std::string db = "blast_" + std::to_string(static_cast<long>(rate));
  pg.create_database(db);
  const auto port = netpower::testing::free_udp_port();
  const auto config = dir.path() / (db + ".yaml");
  std::ofstream(config) << "log:\n  level: info\nagents: []\n"
                        << "store:\n  backend: postgresql\n  postgresql:\n    host: 127.0.0.1\n"
                        << "    port: " << pg.port() << "\n    dbname: " << db
                        << "\n    user: " << pg.superuser()
                        << "\n  spool_dir: " << (dir.path() / (db + "-spool")).string() << "\n"
                        << "traps:\n  listen: 127.0.0.1\n  port: " << port
                        << "\n  decoder_threads: " << decoder_threads
                        << "\n  communities:\n    - community: " << kCommunity << "\n";
  netpower::testing::Process manager({binary, "--config", config.string()},
                                     dir.path() / (db + ".log"));
  if (!wait_for(
          [&] {
            return manager.log_text().find("receiving traps on") != std::string::npos ||
                   !manager.running();
          },
          30) ||
      !manager.running()) {
    row.note = "manager did not start: " + manager.log_text();
    return row;
  }
  auto count = [&]() -> std::uint64_t {
    return std::stoull(pg.scalar(db, "SELECT count(*) FROM events"));
  };
  const double cpu0 = process_cpu(manager.pid());
  row.send = blast(port, rate, duration, sources, traps);
  row.stored = static_cast<long long>(wait_stable(count, row.send.sent, 10, row.lag));
  row.kernel_dropped = udp_drops(port);
  row.cpu = process_cpu(manager.pid()) - cpu0;
  manager.terminate(std::chrono::seconds(30));
  row.stored = static_cast<long long>(count());
  // "traps: stopped; received N, decoded N, malformed N, unauthenticated N, discovery N, dropped
  // by the kernel N"
  const auto log = manager.log_text();
  std::smatch m;
  if (std::regex_search(log, m,
                        std::regex("traps: stopped; received (\\d+), decoded (\\d+).*dropped by "
                                   "the kernel (\\d+)"))) {
    row.received = std::stoll(m[1]);
    row.note = "decoded " + m[2].str() + ", manager's kernel-drop count " + m[3].str();
  } else {
    row.note = "(no stop line in " + manager.log_path().string() + ")";
  }
  if (log.find("spool") != std::string::npos && log.find("spooling") != std::string::npos) {
    row.note += "; the store spooled batches";
  }
  return row;
}

Row run_snmptrapd(const std::string& binary, const netpower::testing::TempDir& dir, double rate,
                  double duration, int sources,
                  const std::vector<std::vector<std::uint8_t>>& traps) {
  Row row;
  row.receiver = "snmptrapd -Lf";
  row.rate = rate;
  const auto port = netpower::testing::free_udp_port();
  const auto name = "snmptrapd_" + std::to_string(static_cast<long>(rate));
  const auto conf = dir.path() / (name + ".conf");
  const auto out = dir.path() / (name + ".traps");
  // The same socket buffer the manager asks for (the kernel caps it at net.core.rmem_max).
  std::ofstream(conf) << "authCommunity log " << kCommunity << "\n[snmp] serverRecvBuf 33554432\n";
  netpower::testing::Process trapd(
      {binary, "-f", "-C", "-n", "-c", conf.string(), "-Lf", out.string(), "-F", "TRAP %a %v\n",
       "udp:127.0.0.1:" + std::to_string(port)},
      dir.path() / (name + ".log"), {"MIBS="});
  if (!wait_for([&] { return udp_drops(port) >= 0 || !trapd.running(); }, 10) || !trapd.running()) {
    row.note = "snmptrapd did not start: " + trapd.log_text();
    return row;
  }
  auto count = [&]() -> std::uint64_t {
    std::ifstream in(out);
    std::string line;
    std::uint64_t n = 0;
    while (std::getline(in, line)) n += line.rfind("TRAP ", 0) == 0 ? 1 : 0;
    return n;
  };
  const double cpu0 = process_cpu(trapd.pid());
  row.send = blast(port, rate, duration, sources, traps);
  row.received = static_cast<long long>(wait_stable(count, row.send.sent, 5, row.lag));
  row.kernel_dropped = udp_drops(port);
  row.cpu = process_cpu(trapd.pid()) - cpu0;
  trapd.terminate();
  row.received = static_cast<long long>(count());
  row.note = "(lines in its log file)";
  return row;
}

std::vector<double> parse_rates(const std::string& text) {
  std::vector<double> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stod(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string rates_text = "20000,50000,100000";
  double duration = 60;
  int sources = 16;
  int decoder_threads = 2;
  std::string manager = NETPOWER_MANAGER_BINARY;
  std::string snmptrapd = "/usr/sbin/snmptrapd";
  bool skip_manager = false, skip_snmptrapd = false;
  std::string keep;
  CLI::App app{"trap_blast: v2c trap floods into netpower-manager (PostgreSQL) and snmptrapd"};
  app.add_option("--rates", rates_text, "traps/s, comma-separated")->capture_default_str();
  app.add_option("--duration", duration, "seconds per rate")->capture_default_str();
  app.add_option("--sources", sources, "sending sockets (127.0.0.2, .3, ...)")
      ->capture_default_str();
  app.add_option("--decoder-threads", decoder_threads, "the manager's traps.decoder_threads")
      ->capture_default_str();
  app.add_option("--manager", manager)->capture_default_str();
  app.add_option("--snmptrapd", snmptrapd)->capture_default_str();
  app.add_flag("--skip-manager", skip_manager);
  app.add_flag("--skip-snmptrapd", skip_snmptrapd);
  CLI11_PARSE(app, argc, argv);

  const auto traps = make_traps(4096);
  std::printf(
      "trap: %zu..%zu bytes (v2c, Sentry2 port notifications), %d sources, %.0f s per rate\n",
      traps[0].size(), traps[3].size(), sources, duration);
  std::fflush(stdout);
  netpower::testing::TempDir dir("np-blast");
  std::vector<Row> rows;
  try {
    std::unique_ptr<netpower::testing::PostgresServer> pg;
    if (!skip_manager) {
      pg = std::make_unique<netpower::testing::PostgresServer>();
      pg->start();
    }
    for (double rate : parse_rates(rates_text)) {
      if (!skip_manager) {
        rows.push_back(
            run_manager(manager, *pg, dir, rate, duration, sources, decoder_threads, traps));
        print(rows.back());
      }
      if (!skip_snmptrapd) {
        rows.push_back(run_snmptrapd(snmptrapd, dir, rate, duration, sources, traps));
        print(rows.back());
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "trap_blast: %s\n", e.what());
    return 1;
  }
  std::printf("\nsummary (lost = sent - stored for the manager, sent - logged for snmptrapd):\n");
  for (const auto& r : rows) print(r);
  return 0;
}
