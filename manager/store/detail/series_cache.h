#pragma once
// The writer's map from a sample's series (agent, kind, key, metric) to its id in the `series`
// table. Ids learnt inside a transaction are staged and become known only once it commits (a
// rollback also undoes the series rows). Bounded: past `max_entries` the map starts over and the
// ids are asked for again. Writer thread only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "manager/store/store.h"

namespace netpower::manager::store::detail {

class SeriesCache {
 public:
  explicit SeriesCache(std::size_t max_entries = 2'000'000) : max_entries_(max_entries) {}

  // The lookup key of a series: its four parts joined by NUL (which sanitized text never holds).
  static void key_of(const Sample& s, std::string& out) {
    out.clear();
    out.append(s.agent).push_back('\0');
    out.append(to_string(s.kind)).push_back('\0');
    out.append(s.key).push_back('\0');
    out.append(s.metric);
  }

  std::optional<std::int32_t> find(std::string_view key) const {
    if (auto it = staged_.find(key); it != staged_.end()) return it->second;
    if (auto it = known_.find(key); it != known_.end()) return it->second;
    return std::nullopt;
  }
  void stage(std::string key, std::int32_t id) { staged_.insert_or_assign(std::move(key), id); }
  void commit() {
    if (known_.size() + staged_.size() > max_entries_) known_.clear();
    known_.merge(staged_);
    staged_.clear();
  }
  void rollback() { staged_.clear(); }
  void clear() {
    known_.clear();
    staged_.clear();
  }
  std::size_t size() const { return known_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, std::int32_t, Hash, std::equal_to<>>;
  std::size_t max_entries_;
  Map known_;
  Map staged_;
};

}  // namespace netpower::manager::store::detail
