#pragma once
// An EventLoop on select(2). Other libraries that own descriptors of their own (net-snmp) join it
// as an ExternalSource: they are asked for their descriptors and timeout before every wait, so a
// descriptor they close and reopen (a reconnect) is picked up without any re-registration.

#include <sys/select.h>

#include <map>
#include <vector>

#include "core/event_loop.h"

namespace netpower::core {

class ExternalSource {
 public:
  virtual ~ExternalSource() = default;
  // Adds descriptors to `readable` (raising `max_fd`) and may lower `timeout` (real time).
  virtual void prepare(fd_set& readable, int& max_fd, Duration& timeout) = 0;
  // Called after every wait with the descriptors that became readable (empty after a timeout).
  virtual void dispatch(const fd_set& readable) = 0;
};

class SelectLoop final : public EventLoop {
 public:
  explicit SelectLoop(const Clock& clock);
  ~SelectLoop() override;
  SelectLoop(const SelectLoop&) = delete;
  SelectLoop& operator=(const SelectLoop&) = delete;

  const Clock& clock() const override { return clock_; }
  TimerId call_at(TimePoint when, std::function<void()> fn) override;
  void cancel(TimerId id) override;
  void watch_readable(int fd, std::function<void()> on_readable) override;
  void watch_writable(int fd, std::function<void()> on_writable) override;
  void unwatch_writable(int fd) override;
  void unwatch(int fd) override;

  void add_source(ExternalSource* source) { sources_.push_back(source); }

  // Runs until stop(). SIGINT and SIGTERM stop it too once stop_on_signals() was called.
  void run();
  // Waits at most `max_wait` (real time) for one round of events and runs them.
  void run_once(Duration max_wait);
  // Thread- and signal-safe.
  void stop();
  bool stopped() const { return stopped_; }
  void stop_on_signals();

 private:
  const Clock& clock_;
  TimerQueue timers_;
  std::map<int, std::function<void()>> watched_;
  std::map<int, std::function<void()>> writable_;
  std::vector<ExternalSource*> sources_;
  int wake_pipe_[2] = {-1, -1};
  volatile bool stopped_ = false;
};

}  // namespace netpower::core
