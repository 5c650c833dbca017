#include "collectors/nut/nut_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace netpower::collectors::nut {

void enable_option(int fd, int level, int option) {
  int one = 1;
  ::setsockopt(fd, level, option, &one, sizeof one);
}

Connecting start_connect(const std::string& host, std::uint16_t port, bool no_delay) {
  Connecting out;
  sockaddr_storage address{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof *v4;
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof *v6;
  } else {
    out.error = "'" + host + "' is not a numeric address";
    return out;
  }
  out.fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (out.fd < 0) {
    out.error = std::string("socket: ") + std::strerror(errno);
    return out;
  }
  if (no_delay) enable_option(out.fd, IPPROTO_TCP, TCP_NODELAY);
  if (::connect(out.fd, reinterpret_cast<sockaddr*>(&address), length) == 0) return out;
  if (errno == EINPROGRESS) {
    out.in_progress = true;
    return out;
  }
  out.error = std::strerror(errno);
  ::close(out.fd);
  out.fd = -1;
  return out;
}

}  // namespace netpower::collectors::nut
