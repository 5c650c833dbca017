#include "collectors/sim/sim_control_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <system_error>
#include <utility>
#include <vector>

namespace netpower::collectors::sim {

namespace {

constexpr std::size_t kReadChunk = 4096;
// Bytes read from one client per readiness event, so that one busy client cannot starve the loop.
constexpr std::size_t kMaxReadPerEvent = 64 * 1024;
constexpr auto kFlushRetry = std::chrono::milliseconds(10);

[[noreturn]] void throw_errno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

sockaddr_un address_of(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    throw_errno(ENAMETOOLONG, "control socket path '" + path + "'");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

sockaddr* as_sockaddr(sockaddr_un& addr) { return reinterpret_cast<sockaddr*>(&addr); }

// Removes a socket file that nobody listens on; refuses anything else that is in the way.
void clear_stale_socket(const std::string& path, sockaddr_un addr) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    throw_errno(errno, "stat " + path);
  }
  if (!S_ISSOCK(st.st_mode)) throw_errno(EEXIST, path + " exists and is not a socket");
  int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (probe < 0) throw_errno(errno, "socket");
  int rc = ::connect(probe, as_sockaddr(addr), sizeof addr);
  int connect_error = errno;
  ::close(probe);
  if (rc == 0 || connect_error == EAGAIN) {
    throw_errno(EADDRINUSE, "another server listens on " + path);
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno(errno, "unlink " + path);
}

}  // namespace

SimControlServer::SimControlServer(core::EventLoop& loop, std::string path, Handler handler)
    : loop_(loop), path_(std::move(path)), handler_(std::move(handler)) {
  auto addr = address_of(path_);
  clear_stale_socket(path_, addr);
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw_errno(errno, "socket");
  // umask is process-wide, but this runs at start-up; the chmod below covers a racing umask change.
  mode_t old_mask = ::umask(0177);
  int rc = ::bind(listen_fd_, as_sockaddr(addr), sizeof addr);
  int bind_error = errno;
  ::umask(old_mask);
  struct stat st {};
  if (rc != 0 || ::chmod(path_.c_str(), 0600) != 0 || ::stat(path_.c_str(), &st) != 0 ||
      ::listen(listen_fd_, static_cast<int>(kMaxClients)) != 0) {
    int error = rc != 0 ? bind_error : errno;
    if (rc == 0) ::unlink(path_.c_str());
    ::close(listen_fd_);
    throw_errno(error, "listen on " + path_);
  }
  socket_dev_ = st.st_dev;
  socket_ino_ = st.st_ino;
  try {
    loop_.watch_readable(listen_fd_, [this] { on_accept(); });
  } catch (...) {
    ::unlink(path_.c_str());
    ::close(listen_fd_);
    throw;
  }
}

SimControlServer::~SimControlServer() {
  if (flush_timer_) loop_.cancel(*flush_timer_);
  while (!clients_.empty()) drop(clients_.begin()->first);
  loop_.unwatch(listen_fd_);
  ::close(listen_fd_);
  struct stat st {};
  if (::lstat(path_.c_str(), &st) == 0 && st.st_dev == socket_dev_ && st.st_ino == socket_ino_) {
    ::unlink(path_.c_str());
  }
}

void SimControlServer::on_accept() {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a connection that died before we took it
    if (clients_.size() >= kMaxClients) {
      static constexpr char kBusy[] = "error: too many control clients\n";
      [[maybe_unused]] auto n = ::send(fd, kBusy, sizeof kBusy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      ::close(fd);
      continue;
    }
    try {
      loop_.watch_readable(fd, [this, fd] { on_readable(fd); });
    } catch (const std::exception&) {
      ::close(fd);  // beyond what the loop can watch
      continue;
    }
    clients_.emplace(fd, Client{});
  }
}

void SimControlServer::on_readable(int fd) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  auto& client = it->second;
  char buffer[kReadChunk];
  std::size_t total = 0;
  while (total < kMaxReadPerEvent) {
    auto n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      total += static_cast<std::size_t>(n);
      client.in.append(buffer, static_cast<std::size_t>(n));
      if (!run_lines(client)) {
        client.out += "error: line longer than " + std::to_string(kMaxLine) + " bytes; closing\n";
        flush(fd, client);
        drop(fd);
        return;
      }
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      drop(fd);
      return;
    }
    // End of input: a last line without '\n' still counts.
    if (!client.in.empty()) {
      client.in += '\n';
      run_lines(client);
    }
    client.read_closed = true;
    loop_.unwatch(fd);
    break;
  }
  flush_all();
}

bool SimControlServer::run_lines(Client& client) {
  std::size_t start = 0;
  for (;;) {
    auto end = client.in.find('\n', start);
    if (end == std::string::npos) break;
    if (end - start > kMaxLine) return false;
    client.out += handler_(std::string_view(client.in).substr(start, end - start));
    client.out += '\n';
    start = end + 1;
  }
  client.in.erase(0, start);
  return client.in.size() <= kMaxLine;
}

bool SimControlServer::flush(int fd, Client& client) {
  while (!client.out.empty()) {
    auto n = ::send(fd, client.out.data(), client.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      client.out.erase(0, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return client.out.size() <= kMaxPendingOutput;
    } else {
      return false;
    }
  }
  return true;
}

void SimControlServer::flush_all() {
  std::vector<int> finished;
  bool pending = false;
  for (auto& [fd, client] : clients_) {
    if (!flush(fd, client) || (client.read_closed && client.out.empty())) {
      finished.push_back(fd);
    } else if (!client.out.empty()) {
      pending = true;
    }
  }
  for (int fd : finished) drop(fd);
  if (pending && !flush_timer_) {
    flush_timer_ = loop_.call_after(kFlushRetry, [this] {
      flush_timer_.reset();
      flush_all();
    });
  }
}

void SimControlServer::drop(int fd) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  if (!it->second.read_closed) loop_.unwatch(fd);
  ::close(fd);
  clients_.erase(it);
}

}  // namespace netpower::collectors::sim
