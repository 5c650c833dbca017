#pragma once
// What the manager last heard from each inventory host (docs/actions.md "Presence"): hellos,
// heartbeats and tickle answers of netpower-host, or the configured trap of an appliance, fed by
// the trap receiver's on_trap hook. Per host: when it was last heard, its boot id and sequence, its
// address, whether it is up (heard within its heartbeat timeout), and whether two machines claim
// its id (two boot ids alive at once: "host-conflict").
//
// Only notifications from the host's own SNMPv3 user change its state; one naming a host from
// another user is counted as unverified and changes nothing (so that no other host can fake a
// hello or a conflict). Thread-safe: observe() is called on the trap receiver's decoder threads.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "manager/actions/host_notification.h"
#include "manager/actions/inventory.h"
#include "manager/traps/decoded_trap.h"

namespace netpower::manager::actions {

struct HostStatus {
  std::string name;  // the inventory's
  std::string host_id;
  std::optional<core::TimePoint> last_seen;  // on the actions' clock
  std::optional<model::WallTime> last_seen_wall;
  std::optional<core::TimePoint> hello;  // the current boot's hello, when heard
  std::string boot_id;                   // the current boot
  std::string hostname;
  std::string address;
  std::uint32_t sequence = 0;
  bool up = false;
  bool conflict = false;
  std::uint64_t unverified = 0;  // notifications naming this host from another user
};

// What one notification was.
struct Observation {
  enum class Kind : std::uint8_t {
    kNone,        // neither a host's notification nor a configured answer trap
    kHost,        // a netpower-host notification (`notification`)
    kTrapAnswer,  // the configured answer trap of the trap-answering host `host`
    kMalformed,   // a host notification that could not be read
  };
  Kind kind = Kind::kNone;
  HostNotification notification;
  std::string host;       // the inventory host it names ("" when its id is not in the inventory)
  bool verified = false;  // from that host's own user (kTrapAnswer: from its address, and user)
  bool conflict_began = false;
  bool new_boot = false;  // a boot id other than the one before
};

class HostPresence {
 public:
  HostPresence(const Inventory& inventory, const core::Clock& clock);

  // Any thread.
  Observation observe(const traps::DecodedTrap& trap);
  std::optional<HostStatus> status(const std::string& host) const;
  std::vector<HostStatus> hosts() const;  // inventory order
  std::uint64_t malformed() const;

 private:
  struct Boot {
    core::TimePoint first_seen{};
    core::TimePoint last_seen{};
  };
  struct Host {
    const HostSettings* settings = nullptr;
    core::Duration timeout{};
    HostStatus status;
    core::TimePoint took_over{};        // when the current boot id became current
    std::map<std::string, Boot> boots;  // recent boot ids; bounded
  };

  void apply(Host& host, const HostNotification& n, Observation& out);
  bool conflict(const Host& host, core::TimePoint now) const;
  HostStatus snapshot(const Host& host, core::TimePoint now) const;

  const core::Clock& clock_;
  mutable std::mutex mutex_;
  std::vector<Host> hosts_;
  std::map<std::string, std::size_t> by_id_;
  std::map<std::string, std::size_t> by_name_;
  std::uint64_t malformed_ = 0;
};

}  // namespace netpower::manager::actions
