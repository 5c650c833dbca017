#pragma once
// One poll's walk of its subtrees as a state machine without I/O: the poller asks cursor() and
// max_repetitions() for the next GETBULK, and hands each answer to on_response(), which appends
// what lies in the current subtree and says whether to continue, stop, or fail. Unit-testable with
// made-up responses.

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
  Walk(const std::vector<Oid>& subtrees, std::int32_t max_repetitions, std::size_t max_varbinds);

  // The next GETBULK: one OID, at most this many repetitions.
  const Oid& cursor() const { return cursor_; }
  std::int32_t max_repetitions() const { return max_repetitions_; }

  // The answer to the GETBULK at cursor(). A tooBig error-status halves the repetitions (down to
  // 1) and asks again; an agent whose OIDs do not increase, or a walk past `max_varbinds`, fails.
  Step on_response(snmp::Response& response);

  std::vector<Varbind>& varbinds() { return varbinds_; }

 private:
  const std::vector<Oid>& subtrees_;
  std::size_t subtree_ = 0;
  Oid cursor_;
  std::int32_t max_repetitions_;
  std::size_t max_varbinds_;
  std::vector<Varbind> varbinds_;
};

}  // namespace netpower::manager::poller::detail
