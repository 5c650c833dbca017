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
  // Fills the cache from rows of (id, agent, kind, key, metric) as text, up to its bound (at
  // connection: a restarted writer does not ask again for every series it writes).
  template <typename Get>
  void preload(std::size_t rows, Get get) {
    std::string key;
    for (std::size_t r = 0; r < rows && known_.size() < max_entries_; ++r) {
      key.clear();
      for (int c = 1; c <= 4; ++c) {
        if (c > 1) key.push_back('\0');
        key.append(get(r, c));
      }
      known_.insert_or_assign(key, static_cast<std::int32_t>(std::stol(std::string(get(r, 0)))));
    }
  }
  std::size_t max_entries() const { return max_entries_; }

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
