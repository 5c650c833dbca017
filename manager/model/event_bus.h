#pragma once
// The event hub's interface: every event (trap, up/down, threshold, and later actions, automation,
// shutdown, rollout) is published once; each subscriber receives every event after it subscribed,
// in publication order. Producers see only publish(); consumers only subscribe(). The
// implementation (daemon/event_hub.h) delivers on its own thread, so a producer never waits for a
// subscriber.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "manager/model/event.h"

namespace netpower::manager::model {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Hands events to the hub and returns at once. Any thread. Events published by one thread reach
  // every subscriber in the order of the calls.
  virtual void publish(std::vector<Event> events) = 0;
  void publish(Event event) {
    std::vector<Event> one;
    one.push_back(std::move(event));
    publish(std::move(one));
  }
};

class EventBus : public EventSink {
 public:
  // Called on the hub's delivery thread with each batch of events, in order; must not block for
  // long (hand heavy work to a queue). A subscriber's exception is logged and does not stop others.
  using Handler = std::function<void(const std::vector<Event>&)>;
  // Subscribe before events are published to be sure to see them. `name` appears in logs and the
  // hub's health. Returns an id for unsubscribe().
  virtual int subscribe(std::string name, Handler handler) = 0;
  virtual void unsubscribe(int id) = 0;
};

}  // namespace netpower::manager::model
