#include "tests/support/wire_endpoint.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/tickle_code.h"

namespace netpower::testing {

WireEndpoint::WireEndpoint(std::string path) : path_(std::move(path)) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.empty() || path_.size() >= sizeof(addr.sun_path)) {
    throw std::invalid_argument("wire endpoint '" + path_ + "': empty or too long");
  }
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "wire endpoint socket");
  std::memcpy(addr.sun_path, path_.data(), path_.size());
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path_.size());
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    int error = errno;
    ::close(fd_);
    throw std::system_error(error, std::generic_category(), "wire endpoint bind " + path_);
  }
}

WireEndpoint::~WireEndpoint() {
  ::close(fd_);
  if (path_[0] != '@') ::unlink(path_.c_str());
}

void WireEndpoint::receive() {
  char buffer[core::kMaxWireMessage];
  std::vector<core::WireEvent> events;
  while (true) {
    auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0) break;
    auto error =
        core::parse_wire_message(std::string_view(buffer, static_cast<std::size_t>(n)), events);
    if (error != nullptr) {
      throw std::runtime_error("wire endpoint " + path_ + ": malformed datagram: " + error);
    }
    received_.insert(received_.end(), events.begin(), events.end());
  }
}

std::vector<core::WireEvent> WireEndpoint::drain() {
  receive();
  return std::exchange(received_, {});
}

std::vector<std::uint64_t> decode_tickles(const std::vector<core::WireEvent>& events) {
  core::TickleDecoder decoder;
  std::vector<std::uint64_t> out;
  for (const auto& e : events) {
    if (e.line != core::WireLine::kTickle) continue;
    auto r = decoder.feed(e.at, e.level);
    if (r.kind == core::TickleDecodeResult::Kind::kDecoded) out.push_back(r.nonce);
  }
  return out;
}

}  // namespace netpower::testing
