// Free loopback ports for servers that cannot be told to bind port 0 and report it back.
#pragma once

#include <cstdint>

namespace netpower::testing {

// Returns a UDP / TCP port on 127.0.0.1 that was free a moment ago: binds port 0, reads the port
// the kernel chose, closes the socket. Throws std::system_error if no socket can be bound.
//
// Race: between the close and the server's own bind, another process (a parallel test, or an
// ephemeral client port) may take the port. The window is small and the kernel hands out ephemeral
// ports round-robin, so it is rare; servers started on such a port should detect the bind failure
// and retry with a new port (SnmpdServer does when it picked the port itself).
std::uint16_t free_udp_port();
std::uint16_t free_tcp_port();

// A UDP port on 127.0.0.1 that nobody answers: bound for the object's life, never read (a request
// to it times out, as to a dead agent).
class SilentUdpPort {
 public:
  SilentUdpPort();
  ~SilentUdpPort();
  SilentUdpPort(const SilentUdpPort&) = delete;
  SilentUdpPort& operator=(const SilentUdpPort&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace netpower::testing
