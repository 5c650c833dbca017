#pragma once
// The actions room assembled (docs/actions.md): the inventory, the hosts' presence, the runner of
// action machines on its own SNMP client, the learned bindings and the audit trail, behind the
// ActionService the API and netpowerctl use. The daemon builds it before the trap receiver (whose
// on_trap hook feeds on_trap()) and stops it after the HTTP server.

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "manager/actions/action_runner.h"
#include "manager/actions/action_service.h"
#include "manager/actions/bindings_book.h"
#include "manager/actions/host_presence.h"
#include "manager/actions/inventory.h"
#include "manager/actions/target_resolver.h"
#include "manager/model/event_bus.h"
#include "manager/traps/trap_settings.h"

namespace netpower::manager::actions {

struct ActionManagerOptions {
  // Not owned; must outlive the manager.
  const config::ManagerConfig* config = nullptr;  // agents, hosts:, actions:
  const traps::TrapSettings* traps = nullptr;     // the users hosts answer as; null: no receiver
  model::ActionJournal* journal = nullptr;        // the audit trail (required)
  model::EventSink* events = nullptr;             // where action events go; may be null
  const state::FleetState* fleet = nullptr;       // port names and groups; may be null
  const core::Clock* clock = nullptr;             // null: the steady clock
  // A hold on the daemon's gate for each action in flight, released when it ends; null (or an
  // empty hold) refuses the action ("stopping").
  std::function<std::shared_ptr<void>()> hold;
  NonceSource nonces;  // null: 64 bits from std::random_device per nonce
};

class ActionManager final : public ActionService {
 public:
  // Reads the inventory (core::ConfigError), the journal's last id and bindings (blocking), and
  // builds the agents' SNMP targets (std::invalid_argument). Starts nothing.
  explicit ActionManager(ActionManagerOptions options);
  ~ActionManager() override;  // stop()

  void start();
  // Refuses new requests, ends what is in flight (refused "stopping" before a switch, failed
  // after) and records it. Idempotent; any thread.
  void stop();

  // The trap receiver's on_trap hook (decoder threads; does not block).
  void on_trap(const traps::DecodedTrap& trap);

  Submitted submit(const ActionSpec& spec, const model::Principal& who) override;
  Submitted discover(const DiscoverySpec& spec, const model::Principal& who) override;
  std::optional<model::ActionRecord> action(std::uint64_t id) override;
  std::vector<model::ActionRecord> actions(const model::ActionQuery& query) override;
  std::optional<DiscoveryReport> discovery(std::uint64_t request_id) override;
  std::vector<BindingView> bindings() override;
  std::vector<HostView> hosts() override;

  const Inventory& inventory() const { return inventory_; }
  const HostPresence& presence() const { return *presence_; }
  std::uint64_t unmatched_answers() const { return runner_->unmatched_answers(); }

 private:
  struct Discovery {
    struct Entry {
      model::OutletRef outlet;
      std::string believed;
      std::uint64_t action_id = 0;
      std::optional<HostNotification> found;
    };
    std::vector<Entry> entries;
  };

  std::uint64_t next_id();
  model::ActionRecord new_record(const ActionSpec& spec, const model::Principal& who,
                                 std::uint64_t request_id, const std::string& target);
  // Ends `record` refused at once (audited, published).
  void refuse(model::ActionRecord& record, const std::string& failure, const std::string& text);
  // A request refused as a whole: its first record, refused and audited.
  Submitted refuse_request(model::ActionRecord first, const std::string& failure,
                           const std::string& text);
  // Starts `record` on its outlets unless one is busy (then refuses it).
  void launch(model::ActionRecord& record, const HostSettings* host, const std::string& detail);
  void changed(const model::ActionRecord& record);
  void finished(const model::ActionRecord& record);
  void answered(const model::ActionRecord& record, std::size_t outlet, const Observation& o);
  void publish(model::Event event);

  ActionManagerOptions options_;
  std::unique_ptr<core::Clock> own_clock_;
  const core::Clock* clock_;
  Inventory inventory_;
  std::unique_ptr<HostPresence> presence_;
  TargetResolver resolver_;
  BindingsBook bindings_;
  std::unique_ptr<ActionRunner> runner_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;

  std::mutex mutex_;
  std::uint64_t last_id_ = 0;
  std::set<model::OutletRef> busy_;
  std::set<std::uint64_t> holding_;                    // the actions whose outlets are in busy_
  std::map<std::uint64_t, model::ActionRecord> live_;  // in flight and lately finished
  std::deque<std::uint64_t> finished_order_;           // the lately finished, oldest first
  std::map<std::uint64_t, Discovery> discoveries_;     // the latest ones
};

}  // namespace netpower::manager::actions
