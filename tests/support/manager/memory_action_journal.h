#pragma once
// An ActionJournal in memory, for the actions room's tests (the store implements the real one).
// Thread-safe; reads answer as the store would (newest first, filtered, paged).

#include <map>
#include <mutex>

#include "manager/model/action_journal.h"

namespace netpower::manager::testing {

class MemoryActionJournal final : public model::ActionJournal {
 public:
  void record(const model::ActionRecord& action) override;
  void bind(const model::Binding& binding) override;
  std::uint64_t last_action_id() override;
  std::vector<model::ActionRecord> actions(const model::ActionQuery& query) override;
  std::optional<model::ActionRecord> action(std::uint64_t id) override;
  std::vector<model::Binding> bindings() override;
  bool flush(std::chrono::milliseconds timeout) override;

  std::size_t writes() const;  // record() calls so far

 private:
  mutable std::mutex mutex_;
  std::map<std::uint64_t, model::ActionRecord> actions_;
  std::map<model::OutletRef, model::Binding> bindings_;
  std::size_t writes_ = 0;
};

}  // namespace netpower::manager::testing
