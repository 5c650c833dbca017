#include "core/select_loop.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>

namespace netpower::core {

namespace {
int g_signal_pipe = -1;

void on_signal(int) {
  if (g_signal_pipe >= 0) {
    char c = 's';
    [[maybe_unused]] auto n = ::write(g_signal_pipe, &c, 1);
  }
}

timeval to_timeval(Duration d) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return timeval{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
}
}  // namespace

SelectLoop::SelectLoop(const Clock& clock) : clock_(clock) {
  if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
}

SelectLoop::~SelectLoop() {
  if (g_signal_pipe == wake_pipe_[1]) g_signal_pipe = -1;
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
}

TimerId SelectLoop::call_at(TimePoint when, std::function<void()> fn) {
  return timers_.schedule(when, std::move(fn));
}

void SelectLoop::cancel(TimerId id) { timers_.cancel(id); }

void SelectLoop::watch_readable(int fd, std::function<void()> on_readable) {
  if (fd < 0 || fd >= FD_SETSIZE) throw std::invalid_argument("descriptor out of select range");
  watched_[fd] = std::move(on_readable);
}

void SelectLoop::watch_writable(int fd, std::function<void()> on_writable) {
  if (fd < 0 || fd >= FD_SETSIZE) throw std::invalid_argument("descriptor out of select range");
  writable_[fd] = std::move(on_writable);
}

void SelectLoop::unwatch_writable(int fd) { writable_.erase(fd); }

void SelectLoop::unwatch(int fd) {
  watched_.erase(fd);
  writable_.erase(fd);
}

void SelectLoop::stop() {
  stopped_ = true;
  char c = 'w';
  [[maybe_unused]] auto n = ::write(wake_pipe_[1], &c, 1);
}

void SelectLoop::stop_on_signals() {
  g_signal_pipe = wake_pipe_[1];
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

void SelectLoop::run() {
  while (!stopped_) run_once(std::chrono::seconds(1));
}

void SelectLoop::run_once(Duration max_wait) {
  fd_set readable;
  FD_ZERO(&readable);
  int max_fd = wake_pipe_[0];
  FD_SET(wake_pipe_[0], &readable);
  for (const auto& [fd, _] : watched_) {
    FD_SET(fd, &readable);
    max_fd = std::max(max_fd, fd);
  }
  fd_set writable;
  FD_ZERO(&writable);
  for (const auto& [fd, _] : writable_) {
    FD_SET(fd, &writable);
    max_fd = std::max(max_fd, fd);
  }
  Duration timeout = max_wait;
  if (auto next = timers_.next_deadline()) timeout = std::min(timeout, clock_.real_wait(*next));
  for (auto* source : sources_) source->prepare(readable, max_fd, timeout);

  timeval tv = to_timeval(std::max(timeout, Duration::zero()));
  int n = ::select(max_fd + 1, &readable, &writable, nullptr, &tv);
  if (n < 0) {
    if (errno != EINTR) throw std::runtime_error(std::string("select: ") + std::strerror(errno));
    FD_ZERO(&readable);
    FD_ZERO(&writable);
  }
  if (n > 0 && FD_ISSET(wake_pipe_[0], &readable)) {
    char buf[64];
    ssize_t got = 0;
    while ((got = ::read(wake_pipe_[0], buf, sizeof buf)) > 0) {
      // Only the bytes read: 's' comes from a signal, 'w' from stop().
      for (ssize_t i = 0; i < got; ++i) {
        if (buf[i] == 's') stopped_ = true;
      }
    }
  }
  if (n <= 0) {
    FD_ZERO(&readable);
    FD_ZERO(&writable);
  }
  for (auto* source : sources_) source->dispatch(readable);
  // Copy the ready descriptors first: a callback may watch or unwatch others.
  std::vector<int> ready_write;
  for (const auto& [fd, _] : writable_) {
    if (FD_ISSET(fd, &writable)) ready_write.push_back(fd);
  }
  for (int fd : ready_write) {
    auto it = writable_.find(fd);
    if (it != writable_.end()) {
      auto callback = it->second;  // the callback may unwatch itself
      callback();
    }
  }
  std::vector<int> ready;
  for (const auto& [fd, _] : watched_) {
    if (FD_ISSET(fd, &readable)) ready.push_back(fd);
  }
  for (int fd : ready) {
    auto it = watched_.find(fd);
    if (it != watched_.end()) {
      auto callback = it->second;  // the callback may unwatch itself
      callback();
    }
  }
  timers_.run_due(clock_.now());
}

}  // namespace netpower::core
