#include "manager/actions/bindings_book.h"

namespace netpower::manager::actions {

std::string binding_verdict(const std::string& believed, const model::Binding* learned) {
  if (learned == nullptr) return believed.empty() ? "" : "unknown";
  if (believed.empty()) return "unexpected";
  return learned->host_name == believed ? "agree" : "disagree";
}

void BindingsBook::load(const std::vector<model::Binding>& bindings) {
  std::lock_guard lock(mutex_);
  for (const auto& b : bindings) bindings_[b.outlet] = b;
}

BindingsBook::Learned BindingsBook::learn(const model::OutletRef& outlet, const HostNotification& n,
                                          std::uint64_t action_id) {
  Learned out;
  auto& b = out.binding;
  b.outlet = outlet;
  b.host_id = n.host_id;
  if (const auto* known = inventory_.host_by_id(n.host_id); known && known->user == n.user) {
    b.host_name = known->name;
  }
  b.hostname = n.hostname;
  b.boot_id = n.boot_id;
  b.learned = n.received_wall;
  b.action_id = action_id;
  if (const auto* believed = inventory_.host_on(outlet)) out.believed = believed->name;
  std::lock_guard lock(mutex_);
  auto it = bindings_.find(outlet);
  if (it != bindings_.end() && it->second.host_id == b.host_id) {
    b.confirmations = it->second.confirmations + 1;
  }
  bindings_[outlet] = b;
  out.disagrees = b.host_name != out.believed;
  return out;
}

std::vector<BindingView> BindingsBook::views() const {
  std::map<model::OutletRef, BindingView> all;
  for (const auto& h : inventory_.hosts) {
    for (const auto& o : h.outlets) {
      all[o].outlet = o;
      all[o].believed_host = h.name;
    }
  }
  {
    std::lock_guard lock(mutex_);
    for (const auto& [o, b] : bindings_) {
      all[o].outlet = o;
      all[o].learned = b;
    }
  }
  std::vector<BindingView> out;
  for (auto& [o, v] : all) {
    v.verdict = binding_verdict(v.believed_host, v.learned ? &*v.learned : nullptr);
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace netpower::manager::actions
