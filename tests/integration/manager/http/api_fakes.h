#pragma once
// A StoreReader and an EventSink written for the API's tests: the reader records the queries it
// is asked and answers fixed rows (or throws what the test says); the sink keeps what is
// published. The real SQLite/PostgreSQL reader is tested with the store.

#include <mutex>
#include <optional>
#include <vector>

#include "manager/model/event_bus.h"
#include "manager/store/history.h"

namespace netpower::manager::http::testing {

class FakeStoreReader final : public store::StoreReader {
 public:
  store::EventPage events(const store::EventQuery& query) override {
    std::lock_guard lock(mutex_);
    event_queries.push_back(query);
    if (error) throw *error;
    return event_page;
  }
  store::History history(const store::HistoryQuery& query) override {
    std::lock_guard lock(mutex_);
    history_queries.push_back(query);
    if (error) throw *error;
    store::History out = history_answer;
    out.series = query.series;
    return out;
  }

  // Set before requests; read after them.
  store::EventPage event_page;
  store::History history_answer;
  std::optional<store::QueryError> error;
  std::vector<store::EventQuery> event_queries;
  std::vector<store::HistoryQuery> history_queries;

 private:
  std::mutex mutex_;
};

class FakeEventSink final : public model::EventSink {
 public:
  using model::EventSink::publish;
  void publish(std::vector<model::Event> events) override {
    std::lock_guard lock(mutex_);
    for (auto& e : events) published_.push_back(std::move(e));
  }
  std::vector<model::Event> published() {
    std::lock_guard lock(mutex_);
    return published_;
  }

 private:
  std::mutex mutex_;
  std::vector<model::Event> published_;
};

}  // namespace netpower::manager::http::testing
