#pragma once
// A gate for work in flight (Seastar's gate): each piece of work that must finish before the
// daemon stops (a state-changing request, a power action) holds a Gate::Hold while it runs; close()
// refuses new work and waits until every hold is released, so the store is flushed only after the
// last event of that work was published.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>

namespace netpower::manager::daemon {

class Gate {
 public:
  class Hold {
   public:
    Hold(Hold&& other) noexcept : gate_(other.gate_) { other.gate_ = nullptr; }
    Hold& operator=(Hold&&) = delete;
    Hold(const Hold&) = delete;
    ~Hold() {
      if (gate_ != nullptr) gate_->leave();
    }

   private:
    friend class Gate;
    explicit Hold(Gate* gate) : gate_(gate) {}
    Gate* gate_;
  };

  // A hold on the gate, or nullopt once close() was called (the caller refuses the work: "the
  // manager is stopping"). Any thread.
  std::optional<Hold> enter() {
    std::lock_guard lock(mutex_);
    if (closed_) return std::nullopt;
    ++inside_;
    return Hold(this);
  }

  // Refuses new holds and waits up to `timeout` for the ones taken to be released. True when none
  // is left. Idempotent; never from inside a hold.
  bool close(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    closed_ = true;
    return left_.wait_for(lock, timeout, [&] { return inside_ == 0; });
  }

  std::uint64_t inside() const {
    std::lock_guard lock(mutex_);
    return inside_;
  }
  bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  void leave() {
    std::lock_guard lock(mutex_);
    if (--inside_ == 0) left_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable left_;
  std::uint64_t inside_ = 0;
  bool closed_ = false;
};

}  // namespace netpower::manager::daemon
