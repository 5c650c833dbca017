// The simulator's wire: a Unix datagram socket this host binds, receiving core/tickle_wire.h
// messages from the simulated outlet (collectors/sim/sim_wire.h).
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "host/line.h"

namespace netpower::host {

namespace {

class SimWireLine final : public Line {
 public:
  explicit SimWireLine(std::string socket) : socket_(std::move(socket)) {}
  ~SimWireLine() override {
    if (fd_ < 0) return;
    loop_->unwatch(fd_);
    ::close(fd_);
    if (!abstract()) ::unlink(socket_.c_str());
  }
  SimWireLine(const SimWireLine&) = delete;
  SimWireLine& operator=(const SimWireLine&) = delete;

  void start(core::EventLoop& loop, Handler handler) override {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_.empty() || socket_.size() >= sizeof(addr.sun_path)) {
      throw std::system_error(ENAMETOOLONG, std::generic_category(), "wire socket " + socket_);
    }
    std::memcpy(addr.sun_path, socket_.data(), socket_.size());
    if (abstract()) {
      addr.sun_path[0] = '\0';
    } else {
      // A stale socket file from an earlier run is replaced; anything else is left alone.
      struct stat st {};
      if (::lstat(socket_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(socket_.c_str());
    }
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "wire socket");
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) < 0) {
      int err = errno;
      ::close(fd);
      throw std::system_error(err, std::generic_category(), "bind " + socket_);
    }
    fd_ = fd;
    loop_ = &loop;
    handler_ = std::move(handler);
    loop.watch_readable(fd_, [this]() { on_readable(); });
  }

  std::string describe() const override { return "sim wire " + socket_; }
  std::uint64_t malformed() const override { return malformed_; }

 private:
  bool abstract() const { return !socket_.empty() && socket_[0] == '@'; }

  void on_readable() {
    char buffer[core::kMaxWireMessage + 1];
    // A bounded batch per wake-up, so that a flood cannot starve the loop's timers.
    for (int i = 0; i < 256; ++i) {
      auto n = ::recv(fd_, buffer, sizeof(buffer), MSG_DONTWAIT);
      if (n < 0) return;
      if (core::parse_wire_message(std::string_view(buffer, static_cast<std::size_t>(n)),
                                   events_) != nullptr) {
        ++malformed_;
        continue;
      }
      for (const auto& event : events_) handler_(event);
    }
  }

  std::string socket_;
  int fd_ = -1;
  core::EventLoop* loop_ = nullptr;
  Handler handler_;
  std::vector<core::WireEvent> events_;
  std::uint64_t malformed_ = 0;
};

}  // namespace

LinePtr make_sim_wire_line(const std::string& socket) {
  return std::make_unique<SimWireLine>(socket);
}

LinePtr make_line(const LineConfig& config) {
  switch (config.kind) {
    case LineConfig::Kind::kSim:
      return make_sim_wire_line(config.socket);
    case LineConfig::Kind::kSerial:
      return make_serial_line(config);
    case LineConfig::Kind::kGpio:
      return make_gpio_line(config);
  }
  return nullptr;
}

}  // namespace netpower::host
