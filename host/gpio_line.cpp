// A GPIO line as the line, through the kernel's GPIO v2 character device: one line request for
// the tickle line (and the shutdown line when configured) with both edges, optional debounce and
// the kernel's CLOCK_MONOTONIC edge timestamps; the request's descriptor is watched on the loop.
//
// Not exercised by the tests (no GPIO hardware or gpio-sim here); see docs/host.md.
#include <fcntl.h>
#include <linux/gpio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "host/line.h"

namespace netpower::host {

namespace {

class GpioLine final : public Line {
 public:
  explicit GpioLine(const LineConfig& config) : config_(config) {}
  ~GpioLine() override {
    if (fd_ < 0) return;
    loop_->unwatch(fd_);
    ::close(fd_);
  }
  GpioLine(const GpioLine&) = delete;
  GpioLine& operator=(const GpioLine&) = delete;

  void start(core::EventLoop& loop, Handler handler) override {
    int chip = ::open(config_.chip.c_str(), O_RDONLY | O_CLOEXEC);
    if (chip < 0) throw std::system_error(errno, std::generic_category(), "open " + config_.chip);
    gpio_v2_line_request request{};
    request.offsets[0] = static_cast<__u32>(config_.tickle_offset);
    request.num_lines = 1;
    if (config_.shutdown_offset >= 0) {
      request.offsets[1] = static_cast<__u32>(config_.shutdown_offset);
      request.num_lines = 2;
    }
    std::strncpy(request.consumer, "netpower-host", sizeof(request.consumer) - 1);
    request.config.flags =
        GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING;
    if (config_.active_low) request.config.flags |= GPIO_V2_LINE_FLAG_ACTIVE_LOW;
    if (config_.debounce > core::Duration(0)) {
      auto& attr = request.config.attrs[0];
      attr.attr.id = GPIO_V2_LINE_ATTR_ID_DEBOUNCE;
      attr.attr.debounce_period_us = static_cast<__u32>(
          std::chrono::duration_cast<std::chrono::microseconds>(config_.debounce).count());
      attr.mask = (1ULL << request.num_lines) - 1;
      request.config.num_attrs = 1;
    }
    request.event_buffer_size = 1024;
    int rc = ::ioctl(chip, GPIO_V2_GET_LINE_IOCTL, &request);
    int err = errno;
    ::close(chip);
    if (rc < 0) throw std::system_error(err, std::generic_category(), "request GPIO line");
    fd_ = request.fd;
    loop_ = &loop;
    handler_ = std::move(handler);
    gpio_v2_line_values values{};
    values.mask = (1ULL << request.num_lines) - 1;
    if (::ioctl(fd_, GPIO_V2_LINE_GET_VALUES_IOCTL, &values) == 0) {
      timespec ts{};
      ::clock_gettime(CLOCK_MONOTONIC, &ts);
      auto now = core::TimePoint(std::chrono::seconds(ts.tv_sec) + core::Duration(ts.tv_nsec));
      handler_({core::WireLine::kTickle, now, (values.bits & 1) != 0});
      if (request.num_lines == 2)
        handler_({core::WireLine::kShutdown, now, (values.bits & 2) != 0});
    }
    loop.watch_readable(fd_, [this]() { on_readable(); });
  }

  std::string describe() const override {
    return "gpio " + config_.chip + " line " + std::to_string(config_.tickle_offset);
  }
  std::uint64_t malformed() const override { return malformed_; }

 private:
  void on_readable() {
    gpio_v2_line_event events[16];
    auto n = ::read(fd_, events, sizeof(events));
    if (n <= 0) return;
    for (std::size_t i = 0; i < static_cast<std::size_t>(n) / sizeof(events[0]); ++i) {
      const auto& e = events[i];
      auto line = static_cast<int>(e.offset) == config_.tickle_offset ? core::WireLine::kTickle
                                                                      : core::WireLine::kShutdown;
      if (e.id != GPIO_V2_LINE_EVENT_RISING_EDGE && e.id != GPIO_V2_LINE_EVENT_FALLING_EDGE) {
        ++malformed_;
        continue;
      }
      handler_({line,
                core::TimePoint(core::Duration(static_cast<core::Duration::rep>(e.timestamp_ns))),
                e.id == GPIO_V2_LINE_EVENT_RISING_EDGE});
    }
  }

  LineConfig config_;
  int fd_ = -1;
  core::EventLoop* loop_ = nullptr;
  Handler handler_;
  std::uint64_t malformed_ = 0;
};

}  // namespace

LinePtr make_gpio_line(const LineConfig& config) { return std::make_unique<GpioLine>(config); }

}  // namespace netpower::host
