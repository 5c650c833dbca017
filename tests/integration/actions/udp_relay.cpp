#include "tests/integration/actions/udp_relay.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <stdexcept>
#include <system_error>

namespace netpower::testing {
namespace {

int bound_socket(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::system_error(errno, std::generic_category(), "bind");
  }
  return fd;
}

std::uint16_t local_port(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

}  // namespace

UdpRelay::UdpRelay(std::uint16_t target_port) : target_port_(target_port) {
  front_ = bound_socket(0);
  port_ = local_port(front_);
  thread_ = std::thread([this] { run(); });
}

UdpRelay::~UdpRelay() {
  stop_ = true;
  thread_.join();
  for (int fd : {front_, back_}) {
    if (fd >= 0) ::close(fd);
  }
}

std::vector<std::string> UdpRelay::recorded() const {
  std::lock_guard lock(mutex_);
  return recorded_;
}

void UdpRelay::replay(const std::string& datagram) const {
  int fd = bound_socket(0);
  auto to = loopback(target_port_);
  ::sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  ::close(fd);
}

void UdpRelay::run() {
  // One back socket per client, so that the target's answers can be routed back.
  std::map<std::string, int> backs;
  std::map<int, sockaddr_in> client_of;
  char buffer[65536];
  while (!stop_) {
    std::vector<pollfd> fds = {{front_, POLLIN, 0}};
    for (const auto& [fd, client] : client_of) fds.push_back({fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
    for (const auto& p : fds) {
      if ((p.revents & POLLIN) == 0) continue;
      sockaddr_in from{};
      socklen_t len = sizeof from;
      auto n = ::recvfrom(p.fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0) continue;
      if (p.fd == front_) {
        const std::string key(reinterpret_cast<const char*>(&from), sizeof from);
        auto it = backs.find(key);
        if (it == backs.end()) {
          int back = bound_socket(0);
          it = backs.emplace(key, back).first;
          client_of[back] = from;
        }
        {
          std::lock_guard lock(mutex_);
          recorded_.emplace_back(buffer, static_cast<std::size_t>(n));
        }
        auto to = loopback(target_port_);
        ::sendto(it->second, buffer, static_cast<std::size_t>(n), 0,
                 reinterpret_cast<sockaddr*>(&to), sizeof to);
      } else {
        auto& client = client_of[p.fd];
        ::sendto(front_, buffer, static_cast<std::size_t>(n), 0,
                 reinterpret_cast<sockaddr*>(&client), sizeof client);
      }
    }
  }
  for (const auto& [key, fd] : backs) ::close(fd);
}

}  // namespace netpower::testing
