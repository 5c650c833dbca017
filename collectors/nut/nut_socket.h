#pragma once
// The socket side of the nut driver: a non-blocking TCP connect to upsd's numeric address.

#include <cstdint>
#include <string>

namespace netpower::collectors::nut {

struct Connecting {
  int fd = -1;               // the socket (the caller closes it); -1: `error` says why
  bool in_progress = false;  // connect() returned EINPROGRESS: wait until writable
  std::string error;
};

// Connects to `host` (numeric IPv4 or IPv6) port `port` without blocking; `no_delay` sets
// TCP_NODELAY first.
Connecting start_connect(const std::string& host, std::uint16_t port, bool no_delay);

// Sets an integer socket option to 1, best effort: a socket without it works, only slower.
void enable_option(int fd, int level, int option);

}  // namespace netpower::collectors::nut
