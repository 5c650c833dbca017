#pragma once
// One poll's walk of its subtrees as a state machine without I/O: the poller asks cursor() and
// max_repetitions() for the next GETBULK, and hands each answer to on_response(), which appends
// what lies in the current subtree and says whether to continue, stop, or fail. Unit-testable with
// made-up responses. The walk enforces the poll's limits (PollLimits); the poller its deadline.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "manager/poller/poller.h"
#include "manager/snmp/client.h"

namespace netpower::manager::poller::detail {

// snmp::Error and PollError name the same failures in the same order.
PollError poll_error(snmp::Error error);

class Walk {
 public:
  struct Step {
    enum class Kind { kContinue, kDone, kFailed } kind = Kind::kContinue;
    PollError error = PollError::kNone;  // kFailed
    std::string text;                    // kFailed
  };

  // `subtrees` must outlive the walk and not be empty.
  Walk(const std::vector<Oid>& subtrees, std::int32_t max_repetitions, PollLimits limits);

  // The next GETBULK: one OID, at most this many repetitions.
  const Oid& cursor() const { return cursor_; }
  std::int32_t max_repetitions() const { return max_repetitions_; }

  // The answer to the GETBULK at cursor(). A tooBig error-status halves the repetitions (down to
  // 1) and asks again; an agent whose OIDs do not increase fails (kMalformed). A walk is refused
  // the varbind that would take it past limits.max_varbinds (kTooManyVarbinds) or limits.max_bytes
  // (kTooManyBytes): exactly at a limit is accepted. A failed walk keeps what it had before.
  Step on_response(snmp::Response& response);

  std::vector<Varbind>& varbinds() { return varbinds_; }
  // The sum of poll_bytes() over varbinds().
  std::uint64_t bytes() const { return bytes_; }
  // Frees the varbinds and their storage (the vector's capacity too); bytes() stays.
  void release();

 private:
  const std::vector<Oid>& subtrees_;
  std::size_t subtree_ = 0;
  Oid cursor_;
  std::int32_t max_repetitions_;
  PollLimits limits_;
  std::vector<Varbind> varbinds_;
  std::uint64_t bytes_ = 0;
};

}  // namespace netpower::manager::poller::detail
