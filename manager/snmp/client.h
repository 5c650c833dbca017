#pragma once
// The manager's SNMP client: GET, GETNEXT, GETBULK and SET to any agent, SNMPv2c or SNMPv3 (USM),
// asynchronous on one Boost.Asio io_context (one thread), with no blocking call on that thread. All
// requests share one UDP socket per address family and are matched to their answers by request id
// (v2c) or msgID (v3) and by the sender's address; a late, duplicate or foreign answer is counted
// and dropped. Per request: a timeout, retries (the same bytes resent), and for SNMPv3 the
// engine-ID discovery (RFC 3414 4) and time-window resynchronisation, with the agent's engine kept
// per address. docs/snmp.md has the details.

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "manager/snmp/usm.h"
#include "manager/snmp/varbind.h"

namespace netpower::manager::snmp {

enum class Version : std::uint8_t { kV2c, kV3 };

// Where a request goes and how. Shared (TargetPtr) so that a poller sending thousands of requests
// to one agent does not copy it each time.
struct Target {
  std::string address;  // numeric IPv4/IPv6, or a host name (resolved asynchronously, cached)
  std::uint16_t port = 161;
  Version version = Version::kV3;
  std::string community;                    // v2c
  UsmCredentialsPtr usm;                    // v3 (required then)
  std::chrono::milliseconds timeout{1000};  // per attempt
  int retries = 1;                          // attempts after the first
};
using TargetPtr = std::shared_ptr<const Target>;

// Why a request failed.
enum class Error : std::uint8_t {
  kNone,
  kTimeout,              // no (acceptable) answer after all retries
  kUnknownUser,          // v3 report usmStatsUnknownUserNames
  kWrongAuthKey,         // v3 report usmStatsWrongDigests
  kWrongPrivKey,         // v3 report usmStatsDecryptionErrors, or an answer that does not decrypt
  kUnsupportedSecLevel,  // v3 report usmStatsUnsupportedSecLevels
  kNotInTimeWindow,      // v3: still outside the time window after resynchronising once
  kReport,               // any other v3 Report
  kErrorStatus,          // the agent answered with an error-status: see error_status, error_index
  kMalformed,            // an answer to this request that is not valid SNMP
  kResolve,              // the host name does not resolve
  kNetwork,              // the request could not be sent or encoded (a value SET cannot carry)
  kStopped,              // the client stopped before the answer
};
// "ok", "timeout", "unknown user", "wrong auth key", "wrong priv key", "unsupported security
// level", "not in time window", "report", "error-status", "malformed response", "resolve",
// "network", "stopped".
const char* to_string(Error error);

// The error-status values of RFC 3416 (the agent's answer to a SET, mostly).
enum ErrorStatus : std::int32_t {
  kNoError = 0,
  kTooBig = 1,
  kNoSuchName = 2,
  kBadValue = 3,
  kReadOnly = 4,
  kGenErr = 5,
  kNoAccess = 6,
  kWrongType = 7,
  kWrongLength = 8,
  kWrongEncoding = 9,
  kWrongValue = 10,
  kNoCreation = 11,
  kInconsistentValue = 12,
  kResourceUnavailable = 13,
  kCommitFailed = 14,
  kUndoFailed = 15,
  kAuthorizationError = 16,
  kNotWritable = 17,
  kInconsistentName = 18,
};

struct Response {
  Error error = Error::kNone;
  std::string error_text;  // for people; never contains a key or community
  // kErrorStatus: the agent's error-status ("wrongValue" = 10, error_status_name() names it) and
  // error-index (1-based position of the varbind it concerns; 0 when none).
  std::int32_t error_status = 0;
  std::int32_t error_index = 0;
  // The answer's varbinds (also with kErrorStatus: the agent echoes the request's).
  std::vector<Varbind> varbinds;
  std::uint32_t requests = 0;  // datagrams sent: discovery and retries included
  std::uint32_t retries = 0;

  bool ok() const { return error == Error::kNone; }
};

// Called exactly once per request, on the I/O thread; must not block.
using Callback = std::function<void(Response)>;

// One request PDU: GET / GETNEXT / GETBULK name `oids`; SET carries `varbinds` with their values.
struct RequestPdu {
  std::uint8_t type = 0;  // kPduGet, kPduGetNext, kPduGetBulk, kPduSet (ber.h)
  std::int32_t non_repeaters = 0;
  std::int32_t max_repetitions = 0;
  std::vector<Oid> oids;
  std::vector<Varbind> varbinds;
};

struct ClientOptions {
  int receive_buffer_bytes = 1 << 20;  // SO_RCVBUF asked for the shared sockets
  // Requests in flight at most; one more ends at once with kNetwork ("too many requests"). Bounds
  // the memory and keeps the request-id space far from full.
  std::size_t max_pending = 1 << 18;
  // The timeout of attempt `attempt` (1 = first) of a request whose target says `timeout`: the
  // backoff hook. Default: the same timeout for every attempt.
  std::function<std::chrono::milliseconds(int attempt, std::chrono::milliseconds timeout)>
      attempt_timeout;
};

// Counters; monotonic. Any thread.
struct ClientMetrics {
  std::uint64_t requests_total = 0;  // datagrams sent
  std::uint64_t retries_total = 0;
  std::uint64_t responses_total = 0;            // datagrams received
  std::uint64_t unmatched_responses_total = 0;  // late, duplicate, foreign or unknown ids
  std::uint64_t malformed_responses_total = 0;
  std::uint64_t bad_digest_responses_total = 0;  // v3 answers dropped for a wrong digest
};

class Client {
 public:
  virtual ~Client() = default;  // drops pending callbacks uncalled; destroy after the io stopped

  // Sends one request to `target`; `done` is called once on the I/O thread (never inside this
  // call). Any thread.
  virtual void request(TargetPtr target, RequestPdu pdu, Callback done) = 0;
  // Ends every pending request with kStopped and refuses new ones (kStopped). On the I/O thread it
  // runs at once (the callbacks are called inside); from another thread it waits for it.
  virtual void stop() = 0;
  virtual ClientMetrics metrics() const = 0;

  void get(TargetPtr target, std::vector<Oid> oids, Callback done);
  void get_next(TargetPtr target, std::vector<Oid> oids, Callback done);
  void get_bulk(TargetPtr target, std::int32_t non_repeaters, std::int32_t max_repetitions,
                std::vector<Oid> oids, Callback done);
  // The varbinds' values as typed (integer_value(), octets_value(), ... in varbind.h); a value
  // that cannot be encoded ends the request with kNetwork before anything is sent.
  void set(TargetPtr target, std::vector<Varbind> varbinds, Callback done);
};
using ClientPtr = std::unique_ptr<Client>;

ClientPtr make_client(boost::asio::io_context& io, ClientOptions options = {});

// For tests and tools, never on the I/O thread: a future of the Response of the request that
// `submit` starts with the callback it is given, e.g.
//   auto r = future_of([&](Callback cb) { client.set(target, {vb}, std::move(cb)); }).get();
std::future<Response> future_of(const std::function<void(Callback)>& submit);

}  // namespace netpower::manager::snmp
