#include "manager/store/detail/batch.h"

#include <algorithm>
#include <iterator>

namespace netpower::manager::store::detail {

std::vector<Batch> cut_batches(std::vector<Event>& pending_events,
                               std::vector<Sample>& pending_samples, std::size_t size, bool all,
                               const std::string& writer_id, std::uint64_t& next_seq) {
  std::vector<Batch> out;
  size = std::max<std::size_t>(size, 1);
  const std::size_t pending = pending_events.size() + pending_samples.size();
  if (pending == 0 || (pending < size && !all)) return out;
  std::vector<Event> events;
  std::vector<Sample> samples;
  events.swap(pending_events);
  samples.swap(pending_samples);
  std::size_t ei = 0, si = 0;
  auto take = [](auto& from, std::size_t& at, std::size_t n, auto& to) {
    if (n == 0) return;
    if (at == 0 && n == from.size()) {
      to.swap(from);  // all of it (`to` was empty): `from` is left empty, `at` stays 0
      return;
    }
    to.assign(std::make_move_iterator(from.begin() + static_cast<std::ptrdiff_t>(at)),
              std::make_move_iterator(from.begin() + static_cast<std::ptrdiff_t>(at + n)));
    at += n;
  };
  while (true) {
    const std::size_t left = (events.size() - ei) + (samples.size() - si);
    if (left == 0 || (left < size && !all)) break;
    Batch b;
    b.seq = next_seq++;
    b.id = writer_id + "-" + std::to_string(b.seq);
    const std::size_t ne = std::min(size, events.size() - ei);
    const std::size_t ns = std::min(size - ne, samples.size() - si);
    take(events, ei, ne, b.events);
    take(samples, si, ns, b.samples);
    out.push_back(std::move(b));
  }
  if (ei < events.size()) {
    pending_events.assign(std::make_move_iterator(events.begin() + static_cast<std::ptrdiff_t>(ei)),
                          std::make_move_iterator(events.end()));
  }
  if (si < samples.size()) {
    pending_samples.assign(
        std::make_move_iterator(samples.begin() + static_cast<std::ptrdiff_t>(si)),
        std::make_move_iterator(samples.end()));
  }
  return out;
}

}  // namespace netpower::manager::store::detail
