#pragma once
// A bound on one blocking database operation of the writer. libpq waits for the server without a
// limit: a server that is stopped (SIGSTOP), or whose host is gone while the kernel still holds
// the connection, keeps PQexec waiting forever, and the statement_timeout it was given cannot
// fire on a server that does not run. The writer arms this around each operation with the
// connection's socket; when the deadline passes first, a thread of its own shuts the socket down
// (shutdown(2), never close), which ends libpq's wait at once with a broken connection. The writer
// then disarms, sees that it fired, and treats the database as down.
//
// Thread-safe. The fd is only touched while armed, and disarm() returns only after the watchdog
// is done with it, so the writer may close the connection after disarm().

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace netpower::manager::store::detail {

class OperationDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  OperationDeadline();
  ~OperationDeadline();
  OperationDeadline(const OperationDeadline&) = delete;
  OperationDeadline& operator=(const OperationDeadline&) = delete;

  // The writer, before an operation on socket `fd`: it must end by `deadline` (or by the cap).
  void arm(int fd, Clock::time_point deadline);
  // The writer, after it: true when the deadline (or the cap) cut the operation.
  bool disarm();
  // Any thread: no operation may run beyond `cap` from now on (the store is stopping); one
  // running now is cut then. Also applies to operations armed later.
  void cap(Clock::time_point cap);
  // The cap, if one was set.
  std::optional<Clock::time_point> cap() const;

 private:
  void run();

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  int fd_ = -1;
  Clock::time_point deadline_{};
  std::optional<Clock::time_point> cap_;
  bool armed_ = false;
  bool fired_ = false;
  bool stop_ = false;
  std::thread thread_;
};

// Arms `deadline` for the scope; fired() after the operation tells whether it was cut.
class ArmedDeadline {
 public:
  ArmedDeadline(OperationDeadline& deadline, int fd, OperationDeadline::Clock::time_point until)
      : deadline_(deadline) {
    deadline_.arm(fd, until);
  }
  ~ArmedDeadline() {
    if (!done_) deadline_.disarm();
  }
  ArmedDeadline(const ArmedDeadline&) = delete;
  ArmedDeadline& operator=(const ArmedDeadline&) = delete;
  // Disarms (once) and says whether the deadline cut the operation.
  bool fired() {
    if (!done_) {
      fired_ = deadline_.disarm();
      done_ = true;
    }
    return fired_;
  }

 private:
  OperationDeadline& deadline_;
  bool done_ = false;
  bool fired_ = false;
};

}  // namespace netpower::manager::store::detail
