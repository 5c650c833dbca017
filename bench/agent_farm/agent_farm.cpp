// agent_farm: one process answering SNMPv2c GET, GETNEXT and GETBULK for thousands of simulated
// agents, one UDP socket per agent on consecutive loopback ports, each serving the same recorded
// walk of a real netpower-agent (recorded_walk.txt). Varbinds are pre-encoded; a response is a
// binary search plus memcpy, so that a poller measured against the farm, not the farm, is the
// bottleneck. The farm counts what it served and its own CPU time (printed at exit).
//
//   agent_farm --agents 10000 --base-port 30000 --recording recorded_walk.txt [--threads 1]
// Prints "ready" once every socket is bound; runs until SIGINT/SIGTERM or --duration.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bench/agent_farm/recording.h"
#include "manager/snmp/ber.h"
#include "manager/snmp/message.h"

namespace {

namespace d = netpower::manager::snmp;
using netpower::bench::RecordedVarbind;
using netpower::manager::snmp::Oid;

// Like net-snmp's agent, a GETBULK response stops adding varbinds before it outgrows a UDP
// datagram of an Ethernet MTU.
constexpr std::size_t kMaxVarbindBytes = 1400;

std::atomic<bool> g_stop{false};

struct Counters {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> varbinds{0};
  std::atomic<std::uint64_t> malformed{0};
};

class Responder {
 public:
  explicit Responder(const std::vector<RecordedVarbind>& walk) : walk_(walk) {}

  // The response to `packet` in `out`; false if the packet is not a v2c request we answer.
  bool answer(std::span<const std::uint8_t> packet, d::BerEncoder& out, std::size_t& varbinds) {
    d::V2cMessage msg;
    std::string error;
    if (!d::decode_v2c(packet, msg, error)) return false;
    const auto type = msg.pdu.type;
    if (type != d::kPduGet && type != d::kPduGetNext && type != d::kPduGetBulk) return false;
    chosen_.clear();
    const auto& requested = msg.pdu.varbinds;
    if (type == d::kPduGet) {
      for (const auto& vb : requested) chosen_.push_back(find_exact(vb.oid, vb.oid));
    } else if (type == d::kPduGetNext) {
      for (const auto& vb : requested) chosen_.push_back(find_next(vb.oid));
    } else {
      const auto non_repeaters = static_cast<std::size_t>(
          std::clamp<std::int32_t>(msg.pdu.error_status, 0, static_cast<int>(requested.size())));
      const auto max_repetitions = std::clamp<std::int32_t>(msg.pdu.error_index, 0, 1000);
      std::size_t bytes = 0;
      for (std::size_t i = 0; i < non_repeaters; ++i) {
        chosen_.push_back(find_next(requested[i].oid));
        bytes += size_of(chosen_.back());
      }
      cursors_.clear();
      for (std::size_t i = non_repeaters; i < requested.size(); ++i) {
        cursors_.push_back(find_next(requested[i].oid));
      }
      for (std::int32_t r = 0; r < max_repetitions && !cursors_.empty(); ++r) {
        bool all_end = true;
        for (auto& c : cursors_) {
          if (bytes + size_of(c) > kMaxVarbindBytes) goto full;
          chosen_.push_back(c);
          bytes += size_of(c);
          if (c.index < walk_.size()) {
            all_end = false;
            c = c.index + 1 < walk_.size() ? Choice{c.index + 1}
                                           : Choice{walk_.size(), &walk_[c.index].oid};
          }
        }
        if (all_end) break;
      }
    full:;
    }
    // Written backwards: varbinds last to first, then the headers.
    out = d::BerEncoder(2048);
    const auto list = out.mark();
    for (auto it = chosen_.rbegin(); it != chosen_.rend(); ++it) {
      if (it->index < walk_.size()) {
        out.raw(walk_[it->index].encoded);
      } else {
        const auto vb = out.mark();
        out.null(it->exception);
        out.oid(*it->oid);
        out.wrap(d::kTagSequence, vb);
      }
    }
    out.wrap(d::kTagSequence, list);
    out.integer(0);  // error-index
    out.integer(0);  // error-status
    out.integer(msg.pdu.request_id);
    out.wrap(d::kPduResponse, list);
    out.octets(msg.community);
    out.integer(msg.version);
    out.wrap(d::kTagSequence, list);
    varbinds = chosen_.size();
    return true;
  }

 private:
  // A recorded varbind (index < size) or an exception for `oid`.
  struct Choice {
    std::size_t index = 0;
    const Oid* oid = nullptr;
    std::uint8_t exception = d::kTagEndOfMibView;
  };

  std::size_t size_of(const Choice& c) const {
    return c.index < walk_.size() ? walk_[c.index].encoded.size() : c.oid->size() + 8;
  }
  Choice find_exact(const Oid& oid, const Oid& requested) const {
    auto it = std::lower_bound(walk_.begin(), walk_.end(), oid,
                               [](const RecordedVarbind& r, const Oid& o) { return r.oid < o; });
    if (it != walk_.end() && it->oid == oid) return {static_cast<std::size_t>(it - walk_.begin())};
    return {walk_.size(), &requested, d::kTagNoSuchObject};
  }
  Choice find_next(const Oid& oid) const {
    auto it = std::upper_bound(walk_.begin(), walk_.end(), oid,
                               [](const Oid& o, const RecordedVarbind& r) { return o < r.oid; });
    if (it != walk_.end()) return {static_cast<std::size_t>(it - walk_.begin())};
    return {walk_.size(), &oid, d::kTagEndOfMibView};
  }

  const std::vector<RecordedVarbind>& walk_;
  std::vector<Choice> chosen_;
  std::vector<Choice> cursors_;
};

void serve(int epoll_fd, const std::vector<RecordedVarbind>& walk, Counters& counters) {
  Responder responder(walk);
  constexpr int kBatch = 32;
  std::array<std::array<std::uint8_t, 2048>, kBatch> buffers{};
  std::array<sockaddr_in, kBatch> from{};
  std::array<iovec, kBatch> iov{};
  std::array<mmsghdr, kBatch> msgs{};
  std::array<d::BerEncoder, kBatch> replies;
  std::array<iovec, kBatch> out_iov{};
  std::array<mmsghdr, kBatch> out_msgs{};
  std::array<epoll_event, 64> events{};
  while (!g_stop.load(std::memory_order_relaxed)) {
    const int n = epoll_wait(epoll_fd, events.data(), events.size(), 200);
    for (int e = 0; e < n; ++e) {
      const int fd = events[e].data.fd;
      for (int i = 0; i < kBatch; ++i) {
        iov[i] = {buffers[i].data(), buffers[i].size()};
        msgs[i].msg_hdr = {};
        msgs[i].msg_hdr.msg_name = &from[i];
        msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      const int got = recvmmsg(fd, msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
      if (got <= 0) continue;
      int out = 0;
      for (int i = 0; i < got; ++i) {
        std::size_t varbinds = 0;
        if (!responder.answer({buffers[i].data(), msgs[i].msg_len}, replies[out], varbinds)) {
          counters.malformed.fetch_add(1, std::memory_order_relaxed);
          continue;
        }
        counters.requests.fetch_add(1, std::memory_order_relaxed);
        counters.varbinds.fetch_add(varbinds, std::memory_order_relaxed);
        auto bytes = replies[out].bytes();
        out_iov[out] = {bytes.data(), bytes.size()};
        out_msgs[out].msg_hdr = {};
        out_msgs[out].msg_hdr.msg_name = &from[i];
        out_msgs[out].msg_hdr.msg_namelen = msgs[i].msg_hdr.msg_namelen;
        out_msgs[out].msg_hdr.msg_iov = &out_iov[out];
        out_msgs[out].msg_hdr.msg_iovlen = 1;
        ++out;
      }
      if (out > 0) sendmmsg(fd, out_msgs.data(), out, MSG_DONTWAIT);
    }
  }
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto s = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return s(usage.ru_utime) + s(usage.ru_stime);
}

}  // namespace

int main(int argc, char** argv) {
  int agents = 10000;
  int base_port = 30000;
  int threads = 1;
  double duration = 0;
  std::string address = "127.0.0.1";
  std::string recording = NETPOWER_AGENT_FARM_RECORDING;
  CLI::App app{"agent_farm: thousands of simulated SNMPv2c agents on loopback ports"};
  app.add_option("--agents", agents, "number of agents (one UDP port each)")->capture_default_str();
  app.add_option("--base-port", base_port, "port of the first agent")->capture_default_str();
  app.add_option("--address", address, "IPv4 address to bind")->capture_default_str();
  app.add_option("--recording", recording, "recorded walk to serve")->capture_default_str();
  app.add_option("--threads", threads, "serving threads")->capture_default_str();
  app.add_option("--duration", duration, "seconds to run (0: until SIGINT/SIGTERM)");
  CLI11_PARSE(app, argc, argv);

  const auto walk = netpower::bench::load_recording(recording);
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);

  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });
  std::vector<int> epolls;
  for (int t = 0; t < threads; ++t) epolls.push_back(epoll_create1(0));
  std::vector<int> sockets;
  for (int i = 0; i < agents; ++i) {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(base_port + i));
    inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      std::fprintf(stderr, "agent_farm: cannot bind %s:%d: %s\n", address.c_str(), base_port + i,
                   std::strerror(errno));
      return 1;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(epolls[i % threads], EPOLL_CTL_ADD, fd, &ev);
    sockets.push_back(fd);
  }
  Counters counters;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] { serve(epolls[t], walk, counters); });
  }
  std::printf("ready: %d agents on %s:%d..%d, %zu varbinds each\n", agents, address.c_str(),
              base_port, base_port + agents - 1, walk.size());
  std::fflush(stdout);
  if (duration > 0) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(duration);
    while (!g_stop && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    g_stop = true;
  }
  for (auto& w : workers) w.join();
  std::printf("farm: requests %llu, varbinds %llu, malformed %llu, cpu %.3f s\n",
              static_cast<unsigned long long>(counters.requests.load()),
              static_cast<unsigned long long>(counters.varbinds.load()),
              static_cast<unsigned long long>(counters.malformed.load()), cpu_seconds());
  for (int fd : sockets) close(fd);
  return 0;
}
