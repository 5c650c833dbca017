#include "manager/poller/poll_walk.h"

#include <algorithm>

namespace netpower::manager::poller::detail {

static_assert(static_cast<int>(snmp::Error::kStopped) == static_cast<int>(PollError::kStopped) &&
              static_cast<int>(snmp::Error::kErrorStatus) ==
                  static_cast<int>(PollError::kErrorStatus) &&
              static_cast<int>(snmp::Error::kTimeout) == static_cast<int>(PollError::kTimeout));

PollError poll_error(snmp::Error error) { return static_cast<PollError>(error); }

Walk::Walk(const std::vector<Oid>& subtrees, std::int32_t max_repetitions, PollLimits limits)
    : subtrees_(subtrees),
      cursor_(subtrees.front()),
      max_repetitions_(std::max(1, max_repetitions)),
      limits_(limits) {}

void Walk::release() { std::vector<Varbind>().swap(varbinds_); }

Walk::Step Walk::on_response(snmp::Response& r) {
  using Kind = Step::Kind;
  if (r.error == snmp::Error::kErrorStatus && r.error_status == snmp::kTooBig &&
      max_repetitions_ > 1) {
    max_repetitions_ = std::max(1, max_repetitions_ / 2);  // ask for less
    return {};
  }
  if (!r.ok()) {
    std::string text = std::move(r.error_text);
    if (r.error == snmp::Error::kErrorStatus) text += " (walking " + to_string(cursor_) + ")";
    return {Kind::kFailed, poll_error(r.error), std::move(text)};
  }
  const Oid& root = subtrees_[subtree_];
  bool done = r.varbinds.empty();
  for (auto& vb : r.varbinds) {
    if (vb.type == ValueType::kEndOfMibView || !starts_with(vb.oid, root)) {
      done = true;
      break;
    }
    if (!(cursor_ < vb.oid)) {
      // An agent that does not advance would loop forever: stop the poll.
      return {Kind::kFailed, PollError::kMalformed,
              "OID not increasing: " + to_string(vb.oid) + " after " + to_string(cursor_)};
    }
    // Checked before the varbind is kept: a poll never holds more than its limits.
    if (varbinds_.size() >= limits_.max_varbinds) {
      return {
          Kind::kFailed, PollError::kTooManyVarbinds,
          "more than " + std::to_string(limits_.max_varbinds) + " varbinds (max_poll_varbinds)"};
    }
    const std::size_t cost = poll_bytes(vb);
    if (cost > limits_.max_bytes || bytes_ > limits_.max_bytes - cost) {
      return {Kind::kFailed, PollError::kTooManyBytes,
              "more than " + std::to_string(limits_.max_bytes) + " bytes (max_poll_bytes) after " +
                  std::to_string(varbinds_.size()) + " varbinds"};
    }
    cursor_ = vb.oid;
    bytes_ += cost;
    varbinds_.push_back(std::move(vb));
  }
  if (done) {
    if (++subtree_ == subtrees_.size()) return {Kind::kDone, PollError::kNone, {}};
    cursor_ = subtrees_[subtree_];
  }
  return {};
}

}  // namespace netpower::manager::poller::detail
