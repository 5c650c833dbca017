#include "manager/store/detail/operation_deadline.h"

#include <sys/socket.h>

#include <algorithm>

namespace netpower::manager::store::detail {

OperationDeadline::OperationDeadline() : thread_([this] { run(); }) {}

OperationDeadline::~OperationDeadline() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void OperationDeadline::arm(int fd, Clock::time_point deadline) {
  {
    std::lock_guard lock(mutex_);
    fd_ = fd;
    deadline_ = deadline;
    armed_ = true;
    fired_ = false;
  }
  cv_.notify_all();
}

bool OperationDeadline::disarm() {
  std::lock_guard lock(mutex_);
  armed_ = false;
  fd_ = -1;
  return fired_;
}

void OperationDeadline::cap(Clock::time_point cap) {
  {
    std::lock_guard lock(mutex_);
    cap_ = cap_ ? std::min(*cap_, cap) : cap;
  }
  cv_.notify_all();
}

std::optional<OperationDeadline::Clock::time_point> OperationDeadline::cap() const {
  std::lock_guard lock(mutex_);
  return cap_;
}

void OperationDeadline::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    if (!armed_ || fired_) {
      cv_.wait(lock);
      continue;
    }
    const auto until = cap_ ? std::min(deadline_, *cap_) : deadline_;
    if (Clock::now() < until) {
      cv_.wait_until(lock, until);
      continue;  // re-read: disarmed, re-armed or capped meanwhile
    }
    // Under the lock: the writer cannot disarm (and close the fd) while this runs.
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
    fired_ = true;
  }
}

}  // namespace netpower::manager::store::detail
