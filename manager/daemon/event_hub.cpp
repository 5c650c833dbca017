#include "manager/daemon/event_hub.h"

#include <spdlog/spdlog.h>

#include <exception>

namespace netpower::manager::daemon {

EventHub::EventHub(EventHubOptions options) : options_(options) {
  thread_ = std::thread([this] { deliver_loop(); });
}

EventHub::~EventHub() { stop(); }

void EventHub::publish(std::vector<model::Event> events) {
  if (events.empty()) return;
  std::unique_lock lock(mutex_);
  if (stopping_) {
    dropped_ += events.size();
    return;
  }
  if (queued_events_ >= options_.max_queued) {
    ++waits_;
    room_.wait(lock, [&] { return stopping_ || queued_events_ < options_.max_queued; });
    if (stopping_) {
      dropped_ += events.size();
      return;
    }
  }
  queued_events_ += events.size();
  published_ += events.size();
  queue_.push_back(std::move(events));
  wake_.notify_one();
}

int EventHub::subscribe(std::string name, Handler handler) {
  std::lock_guard lock(mutex_);
  const int id = next_id_++;
  subscribers_.push_back({id, std::move(name), std::move(handler)});
  return id;
}

void EventHub::unsubscribe(int id) {
  std::lock_guard lock(mutex_);
  std::erase_if(subscribers_, [id](const Subscriber& s) { return s.id == id; });
}

void EventHub::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_all();
    room_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void EventHub::drain() {
  std::unique_lock lock(mutex_);
  const auto target = published_;
  room_.wait(lock, [&] { return delivered_ >= target || !thread_.joinable(); });
}

void EventHub::deliver_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and nothing left
    auto batch = std::move(queue_.front());
    queue_.pop_front();
    // Subscribers are called outside the lock (publishers go on); a copy of the list keeps
    // subscribe()/unsubscribe() from racing with delivery.
    auto subscribers = subscribers_;
    lock.unlock();
    std::vector<int> failed;
    for (auto& s : subscribers) {
      try {
        s.handler(batch);
      } catch (const std::exception& e) {
        failed.push_back(s.id);
        spdlog::error("event hub: subscriber '{}' failed on {} event(s): {}", s.name, batch.size(),
                      e.what());
      }
    }
    lock.lock();
    for (int id : failed) {
      for (auto& s : subscribers_) {
        if (s.id == id) ++s.failures;
      }
    }
    queued_events_ -= batch.size();
    delivered_ += batch.size();
    room_.notify_all();
  }
}

void EventHub::write_health(model::HealthWriter& out) const {
  std::lock_guard lock(mutex_);
  out.counter("netpower_hub_events_published_total", "Events published on the event hub.",
              static_cast<double>(published_));
  out.counter("netpower_hub_events_delivered_total",
              "Events delivered to every subscriber of the event hub.",
              static_cast<double>(delivered_));
  out.counter("netpower_hub_events_dropped_total",
              "Events published after the hub stopped (not delivered).",
              static_cast<double>(dropped_));
  out.counter("netpower_hub_publish_waits_total",
              "Publish calls that waited because the hub's queue was full.",
              static_cast<double>(waits_));
  out.gauge("netpower_hub_queued_events", "Events waiting for delivery.",
            static_cast<double>(queued_events_));
  for (const auto& s : subscribers_) {
    out.counter("netpower_hub_subscriber_failures_total",
                "Batches a subscriber failed on (its exception was logged).",
                static_cast<double>(s.failures), {{"subscriber", s.name}});
  }
}

}  // namespace netpower::manager::daemon
