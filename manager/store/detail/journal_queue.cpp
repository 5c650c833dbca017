#include "manager/store/detail/journal_queue.h"

namespace netpower::manager::store::detail {

std::string journal_key(const JournalWrite& write) {
  if (const auto* r = std::get_if<model::ActionRecord>(&write)) {
    return "a" + std::to_string(r->id);
  }
  const auto& b = std::get<model::Binding>(write);
  std::string key = "b" + b.outlet.agent;
  key.push_back('\0');
  key += b.outlet.port;
  return key;
}

JournalQueue::Added JournalQueue::add(JournalWrite write, std::size_t bytes) {
  auto key = journal_key(write);
  if (auto it = latest_.find(key); it != latest_.end()) {
    auto& entry = entries_.at(it->second);
    if (!entry.taken) {
      if (bytes > entry.bytes && bytes_ - entry.bytes + bytes > max_bytes_) return Added::kFull;
      bytes_ = bytes_ - entry.bytes + bytes;
      entry.write = std::move(write);
      entry.bytes = bytes;
      return Added::kReplaced;
    }
  }
  if (entries_.size() >= max_writes_ || bytes_ + bytes > max_bytes_) return Added::kFull;
  const auto seq = next_seq_++;
  latest_[key] = seq;
  bytes_ += bytes;
  entries_.emplace(seq, Entry{std::move(key), std::move(write), bytes, false});
  return Added::kQueued;
}

std::vector<JournalQueue::Taken> JournalQueue::take(std::size_t max) {
  std::vector<Taken> out;
  for (auto& [seq, entry] : entries_) {
    if (out.size() >= max) break;
    if (entry.taken) continue;
    entry.taken = true;
    out.push_back({seq, entry.write});
  }
  return out;
}

void JournalQueue::done(std::uint64_t seq) {
  auto it = entries_.find(seq);
  if (it == entries_.end()) return;
  if (auto latest = latest_.find(it->second.key);
      latest != latest_.end() && latest->second == seq) {
    latest_.erase(latest);
  }
  bytes_ -= it->second.bytes;
  entries_.erase(it);
}

void JournalQueue::release() {
  for (auto& [seq, entry] : entries_) {
    if (!entry.taken) continue;
    entry.taken = false;
    // A newer write of the key came while this one was taken: it moves here, in this place (the
    // one entry of its key again; a flush waiting for this entry waits for the newer write).
    auto latest = latest_.find(entry.key);
    if (latest == latest_.end() || latest->second == seq) continue;
    auto newer = entries_.find(latest->second);
    if (newer == entries_.end() || newer->second.taken) continue;
    bytes_ = bytes_ - entry.bytes;
    entry.write = std::move(newer->second.write);
    entry.bytes = newer->second.bytes;
    entries_.erase(newer);
    latest->second = seq;
  }
}

std::vector<JournalWrite> JournalQueue::snapshot() const {
  std::vector<JournalWrite> out;
  out.reserve(entries_.size());
  for (const auto& [seq, entry] : entries_) out.push_back(entry.write);
  return out;
}

}  // namespace netpower::manager::store::detail
