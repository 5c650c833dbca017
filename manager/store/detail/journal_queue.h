#pragma once
// The action journal's writes waiting for the database, in call order, bounded. A write for a key
// (an action's id, a binding's outlet) that is still waiting is replaced by a newer one in place:
// each write is the whole row, so only the newest matters, and an outage costs one entry per
// action rather than one per step. No I/O, no locking (the journal holds its mutex around it).

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "manager/model/action.h"

namespace netpower::manager::store::detail {

using JournalWrite = std::variant<model::ActionRecord, model::Binding>;

class JournalQueue {
 public:
  JournalQueue(std::size_t max_writes, std::size_t max_bytes)
      : max_writes_(max_writes), max_bytes_(max_bytes) {}

  enum class Added {
    kQueued,    // a new entry at the end
    kReplaced,  // the waiting entry of its key now holds it
    kFull,      // no room (max_writes or max_bytes): not kept; the caller counts it as lost
  };
  // `bytes`: what the write costs (approximate_bytes()). An entry already taken by the writer is
  // never replaced: the newer write gets its own entry after it, so it is applied later.
  Added add(JournalWrite write, std::size_t bytes);

  struct Taken {
    std::uint64_t seq;
    JournalWrite write;
  };
  // Copies of the oldest `max` entries not yet taken, in order, now marked taken.
  std::vector<Taken> take(std::size_t max);
  // The entry was written (or given up): removed.
  void done(std::uint64_t seq);
  // Every taken entry is waiting again (its write failed; it is retried first). A write of the
  // same key added meanwhile replaces it there, so that an outage keeps one entry per key.
  void release();

  // The sequence number of the newest entry ever added (0: none). Entries are numbered from 1.
  std::uint64_t last_seq() const { return next_seq_ - 1; }
  // True when no entry numbered `seq` or lower is waiting.
  bool settled(std::uint64_t seq) const {
    return entries_.empty() || entries_.begin()->first > seq;
  }
  std::size_t size() const { return entries_.size(); }
  std::size_t bytes() const { return bytes_; }
  bool empty() const { return entries_.empty(); }
  // The waiting entries, oldest first (for the log at shutdown).
  std::vector<JournalWrite> snapshot() const;

 private:
  struct Entry {
    std::string key;
    JournalWrite write;
    std::size_t bytes = 0;
    bool taken = false;
  };

  const std::size_t max_writes_;
  const std::size_t max_bytes_;
  std::map<std::uint64_t, Entry> entries_;       // by sequence number: the order of writing
  std::map<std::string, std::uint64_t> latest_;  // key -> its newest entry
  std::uint64_t next_seq_ = 1;
  std::size_t bytes_ = 0;
};

// "a" + the id, or "b" + agent + NUL + port.
std::string journal_key(const JournalWrite& write);

}  // namespace netpower::manager::store::detail
