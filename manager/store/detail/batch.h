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

// Cuts pending rows into batches of `size` rows: full ones always, the last partial one when
// `all`. Each batch takes events first, then samples; ids are "<writer_id>-<seq>" from
// `next_seq` on. What is not cut stays pending. One pass over the rows, however many batches
// (erasing each batch from the front was quadratic when a burst queued many).
std::vector<Batch> cut_batches(std::vector<Event>& pending_events,
                               std::vector<Sample>& pending_samples, std::size_t size, bool all,
                               const std::string& writer_id, std::uint64_t& next_seq);

}  // namespace netpower::manager::store::detail
