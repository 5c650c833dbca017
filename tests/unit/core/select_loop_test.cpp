#include "core/select_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <thread>
#include <vector>

namespace netpower::core {
namespace {

using namespace std::chrono_literals;

TEST(SelectLoop, TimersRunInOrderOnTheirClock) {
  ScaledClock clock(1000.0);  // 1 s of loop time per real millisecond
  SelectLoop loop(clock);
  std::vector<int> order;
  loop.call_after(15s, [&]() { order.push_back(15); });
  loop.call_after(5s, [&]() { order.push_back(5); });
  auto cancelled = loop.call_after(10s, [&]() { order.push_back(10); });
  loop.cancel(cancelled);
  loop.call_after(20s, [&]() { loop.stop(); });
  auto start = clock.now();
  loop.run();
  EXPECT_EQ(order, (std::vector<int>{5, 15}));
  EXPECT_GE(clock.now() - start, 20s);
}

TEST(SelectLoop, WatchedDescriptorsAndExternalSources) {
  SteadyClock clock;
  SelectLoop loop(clock);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  struct Source : ExternalSource {
    int prepared = 0, dispatched = 0;
    void prepare(fd_set&, int&, Duration& timeout) override {
      ++prepared;
      timeout = std::min(timeout, Duration(5ms));
    }
    void dispatch(const fd_set&) override { ++dispatched; }
  } source;
  loop.add_source(&source);
  std::string got;
  loop.watch_readable(fds[0], [&]() {
    char buf[16];
    auto n = ::read(fds[0], buf, sizeof buf);
    got.append(buf, static_cast<std::size_t>(n));
    loop.unwatch(fds[0]);
  });
  ASSERT_EQ(::write(fds[1], "hi", 2), 2);
  loop.run_once(1s);
  EXPECT_EQ(got, "hi");
  // The source may shorten the wait: nothing is ready, yet run_once returns after ~5 ms.
  auto before = std::chrono::steady_clock::now();
  loop.run_once(10s);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  EXPECT_EQ(source.prepared, 2);
  EXPECT_EQ(source.dispatched, 2);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(SelectLoop, WritableWatchFiresUntilUnwatched) {
  SteadyClock clock;
  SelectLoop loop(clock);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  int writable = 0, readable = 0;
  loop.watch_writable(fds[1], [&]() {
    ++writable;
    char c = 'x';
    ASSERT_EQ(::write(fds[1], &c, 1), 1);
    loop.unwatch_writable(fds[1]);
  });
  loop.watch_readable(fds[0], [&]() {
    char c;
    ASSERT_EQ(::read(fds[0], &c, 1), 1);
    ++readable;
  });
  for (int i = 0; i < 5; ++i) loop.run_once(5ms);
  EXPECT_EQ(writable, 1);  // unwatched after the first call although the pipe stays writable
  EXPECT_EQ(readable, 1);  // the byte written from the writable callback arrived
  loop.watch_writable(fds[1], [&]() { ++writable; });
  loop.unwatch(fds[1]);  // unwatch() drops the writable watch too
  loop.run_once(5ms);
  EXPECT_EQ(writable, 1);
  loop.unwatch(fds[0]);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(SelectLoop, StopBeforeRunAndFromAnotherThread) {
  SteadyClock clock;
  SelectLoop loop(clock);
  loop.stop();
  loop.run();  // returns at once: a stop() before run() is not lost
  EXPECT_TRUE(loop.stopped());

  SelectLoop other(clock);
  std::thread stopper([&]() {
    std::this_thread::sleep_for(20ms);
    other.stop();
  });
  other.run();
  stopper.join();
  EXPECT_TRUE(other.stopped());
}

TEST(SelectLoop, SigtermStopsTheLoop) {
  SteadyClock clock;
  SelectLoop loop(clock);
  loop.stop_on_signals();
  loop.call_after(10ms, []() { std::raise(SIGTERM); });
  bool timed_out = false;
  loop.call_after(5s, [&]() {
    timed_out = true;
    loop.stop();
  });
  loop.run();
  EXPECT_FALSE(timed_out) << "SIGTERM did not stop the loop";
  std::signal(SIGTERM, SIG_DFL);
}

}  // namespace
}  // namespace netpower::core
