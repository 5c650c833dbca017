#pragma once
// A scripted stand-in for upsd on a loopback port, driven by the test's own SelectLoop: it accepts
// connections, cuts what clients send into lines and answers each with whatever the test's handler
// returns (any bytes, garbage included). For the failure modes a real upsd will not produce on
// demand; tests/integration/nut/ runs the collector against the real one.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/select_loop.h"

namespace netpower::collectors::nut::testing {

class ScriptedUpsd {
 public:
  // Returns the bytes to send back for one request line (with their '\n's); "" sends nothing.
  using Handler = std::function<std::string(const std::string& line)>;

  explicit ScriptedUpsd(core::SelectLoop& loop) : loop_(loop) { listen_on(0); }
  ~ScriptedUpsd() {
    close_clients();
    stop_listening();
  }
  ScriptedUpsd(const ScriptedUpsd&) = delete;
  ScriptedUpsd& operator=(const ScriptedUpsd&) = delete;

  std::uint16_t port() const { return port_; }
  void set_handler(Handler handler) { handler_ = std::move(handler); }

  // Closes every client connection (upsd restarting, as the client sees it).
  void close_clients() {
    for (auto& [fd, _] : clients_) {
      loop_.unwatch(fd);
      ::close(fd);
    }
    clients_.clear();
  }
  // Connection refused from now on.
  void stop_listening() {
    if (listen_fd_ < 0) return;
    loop_.unwatch(listen_fd_);
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  // Listens again on the same port.
  void resume_listening() { listen_on(port_); }

  // Every request line received, in order, over all connections.
  const std::vector<std::string>& requests() const { return requests_; }
  // The size of every recv() that returned data: pipelined requests arrive in few chunks.
  const std::vector<std::string>& chunks() const { return chunks_; }
  int accepted() const { return accepted_; }
  std::size_t client_count() const { return clients_.size(); }
  // Sends bytes nobody asked for to every client.
  void push(const std::string& bytes) {
    for (auto& [fd, _] : clients_) {
      [[maybe_unused]] auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    }
  }

 private:
  void listen_on(std::uint16_t port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 8) != 0) {
      throw std::runtime_error(std::string("scripted upsd: bind/listen: ") + std::strerror(errno));
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    loop_.watch_readable(listen_fd_, [this] { on_accept(); });
  }

  void on_accept() {
    for (;;) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      ++accepted_;
      clients_[fd] = "";
      loop_.watch_readable(fd, [this, fd] { on_readable(fd); });
    }
  }

  void on_readable(int fd) {
    char buffer[4096];
    for (;;) {
      auto n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n <= 0) {
        loop_.unwatch(fd);
        ::close(fd);
        clients_.erase(fd);
        return;
      }
      chunks_.emplace_back(buffer, static_cast<std::size_t>(n));
      auto& in = clients_[fd];
      in.append(buffer, static_cast<std::size_t>(n));
      std::string reply;
      for (auto end = in.find('\n'); end != std::string::npos; end = in.find('\n')) {
        auto line = in.substr(0, end);
        in.erase(0, end + 1);
        requests_.push_back(line);
        if (handler_) reply += handler_(line);
      }
      if (!reply.empty()) {
        [[maybe_unused]] auto sent = ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
      }
      if (clients_.find(fd) == clients_.end()) return;
    }
  }

  core::SelectLoop& loop_;
  Handler handler_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::map<int, std::string> clients_;
  std::vector<std::string> requests_;
  std::vector<std::string> chunks_;
  int accepted_ = 0;
};

}  // namespace netpower::collectors::nut::testing
