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
  for (auto& box : outboxes_) {
    if (box.timer) loop_.cancel(*box.timer);
  }
  ::close(fd_);
}

std::size_t SimWirePlayer::pending() const {
  std::size_t n = 0;
  for (const auto& box : outboxes_) n += box.events.size();
  return n;
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
  auto& box = outboxes_[static_cast<std::size_t>(port.flat())];
  auto it = std::upper_bound(
      box.events.begin(), box.events.end(), event,
      [](const core::WireEvent& a, const core::WireEvent& b) { return a.at < b.at; });
  box.events.insert(it, event);
  arm(port.flat(), box.events.front().at);
}

void SimWirePlayer::arm(int flat, core::TimePoint when) {
  auto& box = outboxes_[static_cast<std::size_t>(flat)];
  if (box.timer && box.armed_for <= when) return;
  if (box.timer) loop_.cancel(*box.timer);
  box.armed_for = when;
  box.timer = loop_.call_at(when, [this, flat]() {
    outboxes_[static_cast<std::size_t>(flat)].timer.reset();
    flush(flat);
  });
}

void SimWirePlayer::flush(int flat) {
  auto& box = outboxes_[static_cast<std::size_t>(flat)];
  const auto port = core::PortId::from_flat(flat);
  const auto now = loop_.clock().now();
  while (!box.events.empty() && box.events.front().at <= now) {
    std::vector<core::WireEvent> batch;
    for (const auto& e : box.events) {
      if (e.at > now || batch.size() == core::kMaxWireEventsPerMessage) break;
      batch.push_back(e);
    }
    const auto& cable = chain_.port(port).cable;
    bool drop = cable.cut || cable.endpoint.empty();
    if (!drop) {
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::size_t n = std::min(cable.endpoint.size(), sizeof(addr.sun_path) - 1);
      std::memcpy(addr.sun_path, cable.endpoint.data(), n);
      if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
      auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n);
      auto text = core::format_wire_message(batch);
      if (::sendto(fd_, text.data(), text.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&addr),
                   len) < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
          arm(flat, now + std::chrono::milliseconds(1));  // the endpoint's queue is full
          return;
        }
        drop = true;  // nobody listens there
      }
    }
    (drop ? dropped_ : sent_) += batch.size();
    box.events.erase(box.events.begin(),
                     box.events.begin() + static_cast<std::ptrdiff_t>(batch.size()));
  }
  if (!box.events.empty()) arm(flat, box.events.front().at);
}

}  // namespace netpower::collectors::sim
