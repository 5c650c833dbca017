// A serial port's modem-status inputs as the line: a thread waits in TIOCMIWAIT for a change of
// the tickle or shutdown input, reads the levels (TIOCMGET) and the kernel's interrupt counters
// (TIOCGICOUNT), stamps the change with CLOCK_MONOTONIC and hands it to the loop through a pipe.
// When the counters show more transitions than the thread saw (two edges between two wake-ups),
// the lost pair is reported as an edge of the level the line already had, which the decoder treats
// as a lost edge and resynchronises. The timestamps are taken after the wake-up, so their jitter is
// the thread's scheduling latency: choose a bit time well above it (docs/host.md).
//
// Not exercised by the tests (a pty has no modem-status lines); see docs/host.md.
#include <fcntl.h>
#include <linux/serial.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <system_error>
#include <thread>

#include "host/line.h"

namespace netpower::host {

namespace {

int modem_bit(const std::string& name) {
  if (name == "dcd") return TIOCM_CAR;
  if (name == "cts") return TIOCM_CTS;
  if (name == "dsr") return TIOCM_DSR;
  if (name == "ri") return TIOCM_RNG;
  return 0;
}

int count_of(const serial_icounter_struct& c, int bit) {
  switch (bit) {
    case TIOCM_CAR:
      return c.dcd;
    case TIOCM_CTS:
      return c.cts;
    case TIOCM_DSR:
      return c.dsr;
    case TIOCM_RNG:
      return c.rng;
  }
  return 0;
}

void no_op(int) {}

class SerialLine final : public Line {
 public:
  explicit SerialLine(const LineConfig& config)
      : device_(config.device),
        tickle_name_(config.tickle_signal),
        tickle_bit_(modem_bit(config.tickle_signal)),
        shutdown_bit_(modem_bit(config.shutdown_signal)) {}

  ~SerialLine() override {
    if (fd_ < 0) return;
    stop_ = true;
    // TIOCMIWAIT returns EINTR on a signal that has a handler without SA_RESTART.
    while (thread_.joinable()) {
      pthread_kill(thread_.native_handle(), SIGUSR2);
      if (done_)
        thread_.join();
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    loop_->unwatch(pipe_[0]);
    ::close(pipe_[0]);
    ::close(pipe_[1]);
    ::close(fd_);
  }
  SerialLine(const SerialLine&) = delete;
  SerialLine& operator=(const SerialLine&) = delete;

  void start(core::EventLoop& loop, Handler handler) override {
    int fd = ::open(device_.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + device_);
    int bits = 0;
    if (::ioctl(fd, TIOCMGET, &bits) < 0) {
      int err = errno;
      ::close(fd);
      throw std::system_error(err, std::generic_category(), device_ + ": no modem-status lines");
    }
    if (::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) < 0) {
      int err = errno;
      ::close(fd);
      throw std::system_error(err, std::generic_category(), "pipe");
    }
    struct sigaction sa {};
    sa.sa_handler = no_op;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGUSR2, &sa, nullptr);
    fd_ = fd;
    loop_ = &loop;
    handler_ = std::move(handler);
    loop.watch_readable(pipe_[0], [this]() { drain(); });
    thread_ = std::thread([this, bits]() { wait_loop(bits); });
  }

  std::string describe() const override { return "serial " + device_ + " " + tickle_name_; }
  std::uint64_t malformed() const override { return lost_; }

 private:
  void post(core::WireLine line, bool level) {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    core::WireEvent event{
        line, core::TimePoint(std::chrono::seconds(ts.tv_sec) + core::Duration(ts.tv_nsec)), level};
    [[maybe_unused]] auto n = ::write(pipe_[1], &event, sizeof(event));
  }

  void wait_loop(int bits) {
    serial_icounter_struct last{};
    ::ioctl(fd_, TIOCGICOUNT, &last);
    post(core::WireLine::kTickle, (bits & tickle_bit_) != 0);
    if (shutdown_bit_ != 0) post(core::WireLine::kShutdown, (bits & shutdown_bit_) != 0);
    const int mask = tickle_bit_ | shutdown_bit_;
    while (!stop_) {
      if (::ioctl(fd_, TIOCMIWAIT, mask) < 0) {
        if (errno == EINTR) continue;
        break;  // the device went away; the loop keeps running without edges
      }
      serial_icounter_struct now{};
      ::ioctl(fd_, TIOCGICOUNT, &now);
      int levels = 0;
      ::ioctl(fd_, TIOCMGET, &levels);
      for (auto [bit, line] : {std::pair{tickle_bit_, core::WireLine::kTickle},
                               std::pair{shutdown_bit_, core::WireLine::kShutdown}}) {
        if (bit == 0) continue;
        int seen = count_of(now, bit) - count_of(last, bit);
        bool level = (levels & bit) != 0;
        if (seen > 1 && seen % 2 == 0) {
          ++lost_;
          post(line, level);  // same level again: the decoder sees a lost edge
        } else if (seen > 0) {
          post(line, level);
        }
      }
      last = now;
    }
    done_ = true;
  }

  void drain() {
    core::WireEvent event;
    while (::read(pipe_[0], &event, sizeof(event)) == static_cast<ssize_t>(sizeof(event))) {
      handler_(event);
    }
  }

  std::string device_;
  std::string tickle_name_;
  int tickle_bit_;
  int shutdown_bit_;
  int fd_ = -1;
  int pipe_[2] = {-1, -1};
  core::EventLoop* loop_ = nullptr;
  Handler handler_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::atomic<std::uint64_t> lost_{0};
};

}  // namespace

LinePtr make_serial_line(const LineConfig& config) { return std::make_unique<SerialLine>(config); }

}  // namespace netpower::host
