#pragma once
// netpower-manager's poller: GETBULK walks of configured subtrees on many agents at once, SNMPv2c
// and SNMPv3 (USM), on one Boost.Asio io_context, with no blocking call on its thread. The requests
// go through the SNMP library's client (manager/snmp/client.h: one UDP socket per address family,
// request-id matching, retries, v3 discovery); the poller owns the schedules, the walks, per-agent
// up/down state, backoff and metrics. Agents that stop answering are marked down, polled with
// exponential backoff, and marked up again when they answer. One slow or dead agent never delays
// another, and no agent holds a poll longer than its deadline or more varbinds and bytes than its
// limits (PolledAgent). docs/poller.md has the details.

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "manager/model/event.h"
#include "manager/model/time.h"
#include "manager/snmp/client.h"
#include "manager/snmp/varbind.h"

namespace netpower::manager::poller {

// The SNMP library's vocabulary, under the names the poller's users have always used.
using snmp::is_exception;
using snmp::Oid;
using snmp::parse_oid;
using snmp::starts_with;
using snmp::to_string;
using snmp::ValueType;
using snmp::Varbind;

enum class AgentState : std::uint8_t { kUnknown, kUp, kDown };
const char* to_string(AgentState state);  // "unknown", "up", "down"

// Why a poll failed: snmp::Error (manager/snmp/client.h), value for value.
enum class PollError : std::uint8_t {
  kNone,
  kTimeout,              // no (acceptable) response after all retries
  kUnknownUser,          // v3 report usmStatsUnknownUserNames
  kWrongAuthKey,         // v3 report usmStatsWrongDigests (or a response whose digest is wrong)
  kWrongPrivKey,         // v3 report usmStatsDecryptionErrors, or a response that does not decrypt
  kUnsupportedSecLevel,  // v3 report usmStatsUnsupportedSecLevels
  kNotInTimeWindow,      // v3: still outside the time window after re-synchronising
  kReport,               // any other v3 Report
  kErrorStatus,          // the agent answered with an error-status (tooBig at 1 repetition, ...)
  kMalformed,            // a response that is not valid BER/SNMP
  kResolve,              // the agent's host name does not resolve
  kNetwork,              // the request could not be sent
  kStopped,              // the poller stopped during the poll
  // The poll's own bounds (PolledAgent), not the client's: the poll ends there and hands on none
  // of its varbinds.
  kDeadline,         // still running at its deadline
  kTooManyVarbinds,  // more than max_varbinds
  kTooManyBytes,     // its varbinds would hold more than max_bytes
};
inline constexpr std::size_t kPollErrorCount =
    static_cast<std::size_t>(PollError::kTooManyBytes) + 1;
// "timeout", "unknown user", "wrong auth key", "wrong priv key", "unsupported security level",
// "not in time window", "report", "error-status", "malformed response", "resolve", "network",
// "stopped", "deadline exceeded", "too many varbinds", "too many bytes".
const char* to_string(PollError error);
// The same as a Prometheus label value (the `reason` of docs/metrics.md): "timeout",
// "unknown_user", ..., "malformed_response", ..., "deadline", "max_varbinds", "max_bytes".
const char* reason_label(PollError error);

// One poll of one agent: every subtree walked, in the configured order.
struct PollResult {
  std::string agent;              // the configured name
  std::uint64_t poll_number = 0;  // per agent, from 1
  model::WallTime started;
  std::chrono::microseconds duration{0};  // first request sent to last response (or failure)
  PollError error = PollError::kNone;
  std::string error_text;  // for people: "wrong auth key (usmStatsWrongDigests report from ...)"
  // On failure: what the poll collected before it failed.
  std::vector<Varbind> varbinds;
  std::uint32_t requests = 0;  // PDUs sent, retries included
  std::uint32_t retries = 0;
  // What the poll's varbinds held (poll_bytes()), also when it ended at a bound and handed none on.
  std::uint64_t bytes = 0;

  bool ok() const { return error == PollError::kNone; }
};

struct StateChange {
  std::string agent;
  AgentState from = AgentState::kUnknown;
  AgentState to = AgentState::kUnknown;
  model::WallTime time;
  PollError reason = PollError::kNone;  // for `to == kDown`
  std::string text;                     // "down: timeout (2 requests, no response)"
};
// The store's row for a transition: kind up or down, `text` as above.
model::Event to_event(const StateChange& change);

// Where results go. Both methods are called on the poller's I/O thread and must not block (hand
// the data to a queue or another thread).
class PollSink {
 public:
  virtual ~PollSink() = default;
  // Every finished poll, successful or not.
  virtual void on_poll(PollResult result) = 0;
  // An agent changed state (unknown -> up/down, up -> down, down -> up); called before the
  // on_poll() of the poll that caused it.
  virtual void on_state(const StateChange& change) = 0;
};

struct PollerOptions {
  // The subtrees walked in every poll, in order. Default: mib::kDefaultPollSubtrees (the
  // Sentry2-MIB chain group, the UPS-MIB objects, the NETPOWER-MIB objects).
  std::vector<Oid> subtrees = default_subtrees();
  // max-repetitions of each GETBULK; halved while the agent answers tooBig.
  std::int32_t max_repetitions = 25;
  // A down agent is polled after poll_interval × 2^(failed polls) up to this.
  core::Duration max_backoff = std::chrono::minutes(5);
  // Spread the first polls of the agents over their poll interval (by a hash of the name), so a
  // fleet does not start in lockstep. Tests set false: the first poll starts at once.
  bool spread_start = true;
  // SO_RCVBUF requested for the shared sockets.
  int receive_buffer_bytes = 8 << 20;

  static std::vector<Oid> default_subtrees();
};

// Counters for the exporter; monotonic except agents/up/down. Any thread.
struct PollerMetrics {
  std::uint64_t agents = 0;
  std::uint64_t agents_up = 0;
  std::uint64_t agents_down = 0;
  std::uint64_t polls_total = 0;
  std::uint64_t poll_failures_total = 0;
  std::uint64_t requests_total = 0;
  std::uint64_t retries_total = 0;
  std::uint64_t varbinds_total = 0;
  std::uint64_t responses_total = 0;
  std::uint64_t unmatched_responses_total = 0;  // late, duplicate or unknown request ids
  std::uint64_t malformed_responses_total = 0;
  std::uint64_t bad_digest_responses_total = 0;  // v3 responses dropped for a wrong digest
  // requests .. bad_digest come from the poller's snmp::Client.
  std::uint64_t overruns_total = 0;  // polls started late because the previous one ran long
  // Polls that ended at one of their own bounds (PolledAgent): deadline, varbinds, bytes.
  std::uint64_t deadline_failures_total = 0;
  std::uint64_t limit_failures_total = 0;  // max_varbinds or max_bytes
  // A gauge: what the varbinds of the polls in progress hold now (poll_bytes()), all agents.
  std::uint64_t held_bytes = 0;
};

// What one varbind costs a poll against its max_bytes: the memory it holds (the Varbind itself,
// its OID's arcs, its value's bytes). A poll's varbinds hold the sum, plus at most as much again
// in the vector's spare capacity.
std::size_t poll_bytes(const Varbind& vb);

// The bounds of one poll, per agent. The defaults hold the largest chain, 26 boards, with the
// UPS-MIB and the NETPOWER-MIB (2,140 varbinds, 0.29 MB, measured by the poller's integration
// test) more than 8 times over.
struct PollLimits {
  std::size_t max_varbinds = 20'000;
  std::size_t max_bytes = std::size_t{4} << 20;
};

// The deadline of a poll when its agent names none: 80 % of its interval, so that a poll always
// ends (as a failure: kDeadline) before the next one is due; raised to `request_time` (one
// request's timeout x its attempts) plus 5 % of the interval when that is longer, so that an agent
// that does not answer still fails with kTimeout; never past 95 % of the interval.
core::Duration default_poll_deadline(core::Duration poll_interval, core::Duration request_time);

// One agent as the poller sees it: a name, where its requests go (address, version, community or
// USM credentials, timeout, retries: snmp::Target) and how often. The daemon builds these from the
// configuration (daemon/polled_agent.h); the poller knows nothing of the configuration file.
struct PolledAgent {
  std::string name;  // unique among the poller's agents; PollResult::agent
  snmp::TargetPtr target;
  core::Duration poll_interval = std::chrono::seconds(30);
  // A poll still running this long after it started ends with kDeadline, whatever its requests
  // are doing. Zero: default_poll_deadline(poll_interval, the target's timeout x attempts).
  // add_agent() refuses one that is not shorter than poll_interval.
  core::Duration poll_deadline{0};
  PollLimits limits;
};

class Poller {
 public:
  virtual ~Poller() = default;  // cancels everything; destroy after the io_context stopped

  // Adds an agent. Call before start(), or on the I/O thread. Throws std::invalid_argument for a
  // duplicate name, a missing target, a deadline not shorter than the interval or a zero limit.
  virtual void add_agent(PolledAgent agent) = 0;
  // Schedules the first polls. Call once, before or while the io_context runs.
  virtual void start() = 0;
  // Cancels every timer and request; polls in flight end with kStopped (reported to the sink).
  // Call on the I/O thread, or from another thread while the io_context runs (it waits).
  virtual void stop() = 0;
  virtual PollerMetrics metrics() const = 0;
  // The state of an agent (kUnknown before its first poll ends, or for an unknown name). Any
  // thread.
  virtual AgentState state(const std::string& agent) const = 0;
};
using PollerPtr = std::unique_ptr<Poller>;

// `sink` must outlive the poller. The poller uses only `io` (run it on one thread; for more cores,
// one poller per io_context and thread, agents split between them).
PollerPtr make_poller(boost::asio::io_context& io, PollerOptions options, PollSink& sink);

}  // namespace netpower::manager::poller
