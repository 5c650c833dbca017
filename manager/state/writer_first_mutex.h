#pragma once
// A shared mutex whose waiting writer goes before new readers. std::shared_mutex on glibc prefers
// readers: a few threads reading the fleet in a loop (scrapes, API requests) could keep a poll's
// or a trap's update waiting without bound. glibc's rwlock can prefer writers instead
// (PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP); "non-recursive" means a thread must never take
// the shared lock twice, which FleetState's contract already says (visit()'s fn must not call
// back). Works with std::unique_lock and std::shared_lock.

#include <pthread.h>

#include <system_error>

namespace netpower::manager::state {

class WriterFirstMutex {
 public:
  WriterFirstMutex() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    const int rc = pthread_rwlock_init(&lock_, &attr);
    pthread_rwlockattr_destroy(&attr);
    if (rc != 0) throw std::system_error(rc, std::generic_category(), "pthread_rwlock_init");
  }
  ~WriterFirstMutex() { pthread_rwlock_destroy(&lock_); }
  WriterFirstMutex(const WriterFirstMutex&) = delete;
  WriterFirstMutex& operator=(const WriterFirstMutex&) = delete;

  void lock() { pthread_rwlock_wrlock(&lock_); }
  bool try_lock() { return pthread_rwlock_trywrlock(&lock_) == 0; }
  void unlock() { pthread_rwlock_unlock(&lock_); }
  void lock_shared() { pthread_rwlock_rdlock(&lock_); }
  bool try_lock_shared() { return pthread_rwlock_tryrdlock(&lock_) == 0; }
  void unlock_shared() { pthread_rwlock_unlock(&lock_); }

 private:
  pthread_rwlock_t lock_;
};

}  // namespace netpower::manager::state
