#pragma once
// The outlet -> host bindings learned from tickle answers, beside the inventory's belief
// (docs/actions.md "Bindings"). Loaded from the journal at start, updated by every answer whose
// nonce names an outlet. Thread-safe.

#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "manager/actions/action_service.h"
#include "manager/actions/host_notification.h"
#include "manager/actions/inventory.h"

namespace netpower::manager::actions {

class BindingsBook {
 public:
  explicit BindingsBook(const Inventory& inventory) : inventory_(inventory) {}

  void load(const std::vector<model::Binding>& bindings);

  struct Learned {
    model::Binding binding;
    std::string believed;  // the inventory's host on the outlet ("" when none)
    bool disagrees = false;
  };
  // What the answer `n` on `outlet` teaches. The answering host is the inventory's only when the
  // answer came from that host's own user.
  Learned learn(const model::OutletRef& outlet, const HostNotification& n, std::uint64_t action_id);

  // Every outlet of the inventory and every learned binding, by agent and port.
  std::vector<BindingView> views() const;

 private:
  const Inventory& inventory_;
  mutable std::mutex mutex_;
  std::map<model::OutletRef, model::Binding> bindings_;
};

// "agree", "disagree", "unknown", "unexpected" (action_service.h BindingView).
std::string binding_verdict(const std::string& believed, const model::Binding* learned);

}  // namespace netpower::manager::actions
