#pragma once
// A batch: the unit that is written in one transaction, spooled as one file, and recorded once in
// the store_batches ledger (which makes replays exactly-once).

#include <cstdint>
#include <string>
#include <vector>

#include "manager/store/store.h"

namespace netpower::manager::store::detail {

struct Batch {
  // "<writer id>-<seq>": unique across processes and restarts; the ledger's primary key.
  std::string id;
  std::uint64_t seq = 0;  // the writing order; spool file names sort by it
  std::vector<Sample> samples;
  std::vector<Event> events;

  std::size_t rows() const { return samples.size() + events.size(); }
};

}  // namespace netpower::manager::store::detail
