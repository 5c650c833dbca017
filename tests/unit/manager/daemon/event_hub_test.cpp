// The event hub: every subscriber sees every event in publication order, a failing subscriber does
// not stop the others, a full queue makes publishers wait rather than lose events, and stop()
// delivers what was published before it.

#include "manager/daemon/event_hub.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace netpower::manager::daemon {
namespace {

using namespace std::chrono_literals;

model::Event numbered(int n) {
  model::Event e;
  e.agent = "pdu";
  e.kind = model::EventKind::kUp;
  e.text = std::to_string(n);
  return e;
}

class Recorder {
 public:
  void add(const std::vector<model::Event>& events) {
    std::lock_guard lock(mutex_);
    for (const auto& e : events) seen_.push_back(std::stoi(e.text));
  }
  std::vector<int> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<int> seen_;
};

class Counter final : public model::HealthWriter {
 public:
  void counter(std::string_view name, std::string_view, double value,
               const model::HealthLabels& labels) override {
    values[std::string(name) + (labels.empty() ? "" : "{" + labels.begin()->second + "}")] = value;
  }
  void gauge(std::string_view name, std::string_view, double value,
             const model::HealthLabels&) override {
    values[std::string(name)] = value;
  }
  std::map<std::string, double> values;
};

TEST(EventHubTest, EverySubscriberSeesEveryEventInOrder) {
  EventHub hub;
  Recorder a, b, c;
  hub.subscribe("a", [&](const auto& events) { a.add(events); });
  hub.subscribe("b", [&](const auto& events) { b.add(events); });
  hub.subscribe("c", [&](const auto& events) { c.add(events); });
  std::vector<int> expected;
  for (int i = 0; i < 500; ++i) {
    if (i % 3 == 0) {
      hub.publish({numbered(i)});
    } else {
      hub.publish(numbered(i));
    }
    expected.push_back(i);
  }
  hub.drain();
  EXPECT_EQ(a.seen(), expected);
  EXPECT_EQ(b.seen(), expected);
  EXPECT_EQ(c.seen(), expected);
}

TEST(EventHubTest, OnePublisherThreadKeepsItsOrderAmongOthers) {
  EventHub hub;
  std::mutex mutex;
  std::map<std::string, std::vector<int>> by_agent;
  hub.subscribe("order", [&](const std::vector<model::Event>& events) {
    std::lock_guard lock(mutex);
    for (const auto& e : events) by_agent[e.agent].push_back(std::stoi(e.text));
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&hub, t] {
      for (int i = 0; i < 1000; ++i) {
        auto e = numbered(i);
        e.agent = "p" + std::to_string(t);
        hub.publish(std::move(e));
      }
    });
  }
  for (auto& t : threads) t.join();
  hub.drain();
  ASSERT_EQ(by_agent.size(), 4u);
  for (const auto& [agent, seen] : by_agent) {
    ASSERT_EQ(seen.size(), 1000u) << agent;
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(seen[i], i) << agent;
  }
}

TEST(EventHubTest, AFailingSubscriberDoesNotStopTheOthers) {
  EventHub hub;
  Recorder after;
  hub.subscribe("broken", [](const auto&) { throw std::runtime_error("disk on fire"); });
  hub.subscribe("after", [&](const auto& events) { after.add(events); });
  hub.publish(numbered(1));
  hub.publish(numbered(2));
  hub.drain();
  EXPECT_EQ(after.seen(), (std::vector<int>{1, 2}));
  Counter health;
  hub.write_health(health);
  EXPECT_EQ(health.values["netpower_hub_subscriber_failures_total{broken}"], 2);
  EXPECT_EQ(health.values["netpower_hub_subscriber_failures_total{after}"], 0);
  EXPECT_EQ(health.values["netpower_hub_events_delivered_total"], 2);
}

TEST(EventHubTest, AFullQueueMakesThePublisherWaitAndLosesNothing) {
  EventHub hub(EventHubOptions{.max_queued = 2});
  std::atomic<bool> release{false};
  Recorder seen;
  hub.subscribe("slow", [&](const auto& events) {
    while (!release.load()) std::this_thread::sleep_for(1ms);
    seen.add(events);
  });
  std::atomic<int> published{0};
  std::thread producer([&] {
    for (int i = 0; i < 6; ++i) {
      hub.publish(numbered(i));
      published.fetch_add(1);
    }
  });
  // The first batch is being delivered (blocked), two more fill the queue: the fourth waits.
  std::this_thread::sleep_for(100ms);
  EXPECT_LT(published.load(), 6);
  release.store(true);
  producer.join();
  hub.drain();
  EXPECT_EQ(seen.seen(), (std::vector<int>{0, 1, 2, 3, 4, 5}));
  Counter health;
  hub.write_health(health);
  EXPECT_GE(health.values["netpower_hub_publish_waits_total"], 1);
  EXPECT_EQ(health.values["netpower_hub_events_dropped_total"], 0);
}

TEST(EventHubTest, StopDeliversWhatWasPublishedAndCountsLaterEventsAsDropped) {
  Recorder seen;
  EventHub hub;
  hub.subscribe("s", [&](const auto& events) {
    std::this_thread::sleep_for(1ms);
    seen.add(events);
  });
  for (int i = 0; i < 50; ++i) hub.publish(numbered(i));
  hub.stop();
  EXPECT_EQ(seen.seen().size(), 50u);
  hub.publish(numbered(99));
  Counter health;
  hub.write_health(health);
  EXPECT_EQ(health.values["netpower_hub_events_dropped_total"], 1);
  EXPECT_EQ(seen.seen().size(), 50u);
}

TEST(EventHubTest, UnsubscribedHandlersReceiveNothingMore) {
  EventHub hub;
  Recorder a, b;
  const int id = hub.subscribe("a", [&](const auto& events) { a.add(events); });
  hub.subscribe("b", [&](const auto& events) { b.add(events); });
  hub.publish(numbered(1));
  hub.drain();
  hub.unsubscribe(id);
  hub.publish(numbered(2));
  hub.drain();
  EXPECT_EQ(a.seen(), (std::vector<int>{1}));
  EXPECT_EQ(b.seen(), (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace netpower::manager::daemon
