#include "tests/integration/sim_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace netpower::testing {

namespace {
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};
}  // namespace

std::string SimClient::command(const std::string& line, std::chrono::milliseconds timeout) const {
  Fd s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_.c_str(), sizeof(addr.sun_path) - 1);
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("connect " + socket_.string() + ": " + std::strerror(errno));
  }
  std::string out = line + "\n";
  if (::send(s.fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) {
    throw std::runtime_error(std::string("send: ") + std::strerror(errno));
  }
  std::string reply;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (reply.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("no reply to '" + line + "' from the sim");
    pollfd p{s.fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    auto n = ::read(s.fd, buf, sizeof buf);
    if (n <= 0) throw std::runtime_error("the sim closed the connection on '" + line + "'");
    reply.append(buf, static_cast<std::size_t>(n));
  }
  reply.resize(reply.find('\n'));
  return reply;
}

void SimClient::must(const std::string& line) const {
  auto reply = command(line);
  if (reply != "ok") throw std::runtime_error("sim: '" + line + "' answered '" + reply + "'");
}

}  // namespace netpower::testing
