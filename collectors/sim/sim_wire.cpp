#include "collectors/sim/sim_wire.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "core/tickle_wire.h"

namespace netpower::collectors::sim {

namespace {

// How long before its first edge a tickle starts: room for the glitches placed before it.
constexpr int kLeadBits = 3;

}  // namespace

std::vector<core::WireEvent> noisy_tickle_events(const core::TicklePattern& pattern,
                                                 core::TimePoint start, int glitches,
                                                 std::mt19937_64& rng) {
  // Every edge of the frame and every glitch boundary toggles the line; the line is their XOR, so
  // it changes at every toggle time except where two coincide.
  std::vector<core::TimePoint> toggles;
  for (const auto& edge : core::tickle_edges(pattern)) toggles.push_back(start + edge.offset);
  const auto bit = pattern.bit_time.count();
  const auto span = core::tickle_duration(pattern.bit_time).count() + 4 * bit;
  for (int i = 0; i < glitches; ++i) {
    auto at =
        start - 2 * pattern.bit_time +
        core::Duration(static_cast<core::Duration::rep>(rng() % static_cast<std::uint64_t>(span)));
    auto width = core::Duration(static_cast<core::Duration::rep>(
        bit / 50 + 1 + rng() % static_cast<std::uint64_t>(bit * 28 / 100 + 1)));
    toggles.push_back(at);
    toggles.push_back(at + width);
  }
  std::sort(toggles.begin(), toggles.end());
  std::vector<core::WireEvent> out;
  bool level = false;
  for (std::size_t i = 0; i < toggles.size(); ++i) {
    if (i + 1 < toggles.size() && toggles[i + 1] == toggles[i]) {
      ++i;  // two toggles at once cancel
      continue;
    }
    level = !level;
    out.push_back({core::WireLine::kTickle, toggles[i], level});
  }
  return out;
}

SimWirePlayer::SimWirePlayer(core::EventLoop& loop, SimChain& chain, std::uint64_t seed)
    : loop_(loop), chain_(chain), rng_(seed) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "wire socket");
  chain_.set_line_sink(this);
}

SimWirePlayer::~SimWirePlayer() {
  chain_.set_line_sink(nullptr);
  for (const auto& [key, id] : timers_) loop_.cancel(id);
  ::close(fd_);
}

void SimWirePlayer::tickle(core::PortId port, const core::TicklePattern& pattern) {
  const auto& cable = chain_.port(port).cable;
  auto start = loop_.clock().now() + cable.delay + kLeadBits * pattern.bit_time;
  for (const auto& event : noisy_tickle_events(pattern, start, cable.noise, rng_)) {
    schedule(port, event);
  }
}

void SimWirePlayer::shutdown_signal(core::PortId port, bool asserted) {
  const auto& cable = chain_.port(port).cable;
  schedule(port, {core::WireLine::kShutdown, loop_.clock().now() + cable.delay, asserted});
}

void SimWirePlayer::schedule(core::PortId port, core::WireEvent event) {
  auto key = next_key_++;
  auto id = loop_.call_at(event.at, [this, key, port, event]() {
    timers_.erase(key);
    send(port, event);
  });
  timers_.emplace(key, id);
}

void SimWirePlayer::send(core::PortId port, const core::WireEvent& event) {
  const auto& cable = chain_.port(port).cable;
  if (cable.cut || cable.endpoint.empty()) {
    ++dropped_;
    return;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::size_t n = std::min(cable.endpoint.size(), sizeof(addr.sun_path) - 1);
  std::memcpy(addr.sun_path, cable.endpoint.data(), n);
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n);
  auto text = core::format_wire_event(event);
  if (::sendto(fd_, text.data(), text.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&addr),
               len) < 0) {
    ++dropped_;
    return;
  }
  ++sent_;
}

}  // namespace netpower::collectors::sim
