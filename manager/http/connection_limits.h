#pragma once
// Who may open another connection to the HTTP server (docs/api.md, Limits): a bound on all
// connections, one per client (source address), and a reserve of the last slots for clients that
// hold none, so that one client (or a few) cannot take every slot and lock the others out of the
// API and /metrics. Refusals are counted per reason and logged, rate-limited. Thread-safe.

#include <boost/asio/ip/address.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace netpower::manager::http {

struct ConnectionLimitSettings {
  std::size_t max_connections = 256;  // all clients together
  std::size_t max_per_client = 32;    // one source address
  // Of max_connections, the last ones are only for a source address that holds no connection.
  std::size_t reserved = 16;

  // The settings made to fit: at least one connection, per client at most all of them, the
  // reserve below all of them.
  static ConnectionLimitSettings fitted(std::size_t max_connections, std::size_t max_per_client,
                                        std::size_t reserved);
};

// A client as the per-client limit counts it: its address without the port, a v4-mapped v6
// address as v4 ("127.0.0.1").
std::string client_key(const boost::asio::ip::address& address);

enum class Refusal : std::uint8_t {
  kNone,
  kMaxConnections,  // every slot is taken
  kPerClient,       // this address holds max_per_client
  kReserved,        // only reserved slots are free, and this address already holds some
  kStopping,        // the server is stopping
};
inline constexpr std::size_t kRefusalReasons = 4;  // the values after kNone
// The `reason` label: "max_connections", "per_client", "reserved", "stopping".
const char* to_string(Refusal refusal);

class ConnectionLimits {
 public:
  using Clock = std::chrono::steady_clock;

  // Throws std::invalid_argument when the settings cannot admit anyone (max_connections 0,
  // max_per_client 0, reserved >= max_connections).
  explicit ConnectionLimits(ConnectionLimitSettings settings);

  // Takes a slot for `client` (an address, "127.0.0.1") or says why not. A refusal is counted
  // and logged at warning, at most once per kLogInterval (with how many were not logged).
  Refusal admit(const std::string& client, Clock::time_point now = Clock::now());
  // Gives back the slot that admit() took.
  void release(const std::string& client);
  // Refuses everyone from now on (reason "stopping").
  void stop();

  std::size_t open() const;
  std::uint64_t refused(Refusal reason) const;
  std::uint64_t refused_total() const;

  static constexpr std::chrono::seconds kLogInterval{10};

 private:
  ConnectionLimitSettings settings_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> per_client_;
  std::size_t open_ = 0;
  bool stopped_ = false;
  std::array<std::uint64_t, kRefusalReasons> refused_{};
  Clock::time_point last_log_{};
  bool logged_ = false;
  std::uint64_t unlogged_ = 0;
};

}  // namespace netpower::manager::http
