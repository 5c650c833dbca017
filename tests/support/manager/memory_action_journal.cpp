#include "tests/support/manager/memory_action_journal.h"

#include <algorithm>

namespace netpower::manager::testing {

void MemoryActionJournal::record(const model::ActionRecord& action) {
  std::lock_guard lock(mutex_);
  actions_[action.id] = action;
  ++writes_;
}

void MemoryActionJournal::bind(const model::Binding& binding) {
  std::lock_guard lock(mutex_);
  bindings_[binding.outlet] = binding;
}

std::uint64_t MemoryActionJournal::last_action_id() {
  std::lock_guard lock(mutex_);
  return actions_.empty() ? 0 : actions_.rbegin()->first;
}

std::vector<model::ActionRecord> MemoryActionJournal::actions(const model::ActionQuery& q) {
  std::lock_guard lock(mutex_);
  std::vector<model::ActionRecord> out;
  for (auto it = actions_.rbegin(); it != actions_.rend() && out.size() < q.limit; ++it) {
    const auto& a = it->second;
    if (q.before_id != 0 && a.id >= q.before_id) continue;
    if (q.request_id && a.request_id != *q.request_id) continue;
    if (!q.host.empty() && a.host != q.host) continue;
    if (q.result && a.result != *q.result) continue;
    if (q.since && a.requested < *q.since) continue;
    if (q.until && a.requested >= *q.until) continue;
    if (!q.agent.empty() &&
        std::none_of(a.outlets.begin(), a.outlets.end(), [&](const model::OutletRef& o) {
          return o.agent == q.agent && (q.port.empty() || o.port == q.port);
        })) {
      continue;
    }
    out.push_back(a);
  }
  return out;
}

std::optional<model::ActionRecord> MemoryActionJournal::action(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = actions_.find(id);
  if (it == actions_.end()) return std::nullopt;
  return it->second;
}

std::vector<model::Binding> MemoryActionJournal::bindings() {
  std::lock_guard lock(mutex_);
  std::vector<model::Binding> out;
  for (const auto& [o, b] : bindings_) out.push_back(b);
  return out;
}

bool MemoryActionJournal::flush(std::chrono::milliseconds) { return true; }

std::size_t MemoryActionJournal::writes() const {
  std::lock_guard lock(mutex_);
  return writes_;
}

}  // namespace netpower::manager::testing
