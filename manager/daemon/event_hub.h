#pragma once
// The event hub (model::EventBus): producers publish() and return at once; one delivery thread
// hands each batch to every subscriber, in publication order, subscribers in the order they
// subscribed. Bounded: beyond `max_queued` waiting events a publish() waits for the delivery
// thread (back-pressure, never a silent drop), so a stuck subscriber shows as a growing
// `netpower_hub_queued_events` and then as slow producers, not as lost events.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "manager/model/event_bus.h"
#include "manager/model/health.h"

namespace netpower::manager::daemon {

struct EventHubOptions {
  std::size_t max_queued = 1'000'000;  // events waiting for delivery before publish() waits
};

class EventHub final : public model::EventBus, public model::HealthSource {
 public:
  explicit EventHub(EventHubOptions options = {});
  // stop().
  ~EventHub() override;
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  using model::EventSink::publish;
  void publish(std::vector<model::Event> events) override;
  int subscribe(std::string name, Handler handler) override;
  void unsubscribe(int id) override;

  // Delivers what was published before the call, then ends the delivery thread; later publish()
  // calls are counted as dropped. Idempotent; not from a subscriber.
  void stop();
  // Waits until everything published before the call was delivered (tests, shutdown order).
  void drain();

  void write_health(model::HealthWriter& out) const override;

 private:
  struct Subscriber {
    int id;
    std::string name;
    Handler handler;
    std::uint64_t failures = 0;
  };
  void deliver_loop();

  EventHubOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;  // the delivery thread: work or stop
  std::condition_variable room_;  // publishers: room in the queue; drain(): progress
  std::deque<std::vector<model::Event>> queue_;
  std::size_t queued_events_ = 0;
  std::uint64_t published_ = 0;  // events accepted
  std::uint64_t delivered_ = 0;  // events handed to every subscriber
  std::uint64_t dropped_ = 0;    // published after stop()
  std::uint64_t waits_ = 0;      // publish() calls that waited for room
  std::vector<Subscriber> subscribers_;
  int next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace netpower::manager::daemon
