#include "manager/actions/action_events.h"

#include <nlohmann/json.hpp>

namespace netpower::manager::actions {

model::Event action_event(const model::ActionRecord& a) {
  nlohmann::json outlets = nlohmann::json::array();
  std::string where;
  for (const auto& o : a.outlets) {
    outlets.push_back(o.text());
    where += (where.empty() ? "" : ", ") + o.text();
  }
  nlohmann::json j = {{"action_id", a.id},
                      {"request_id", a.request_id},
                      {"kind", model::to_string(a.kind)},
                      {"result", model::to_string(a.result)},
                      {"failure", a.failure},
                      {"host", a.host},
                      {"outlets", outlets},
                      {"principal", a.principal},
                      {"source", model::to_string(a.source)},
                      {"target", a.target},
                      {"dry_run", a.dry_run},
                      {"force", a.force}};
  model::Event e;
  e.agent = a.outlets.empty() ? "" : a.outlets.front().agent;
  e.time = a.finished.value_or(a.requested);
  e.kind = model::EventKind::kAction;
  e.varbinds_json = j.dump();
  std::string what = a.host.empty() ? (where.empty() ? a.target : where)
                                    : a.host + (where.empty() ? "" : " (" + where + ")");
  e.text = std::string(model::to_string(a.kind)) + (a.dry_run ? " (dry run)" : "") +
           (a.force ? " (forced)" : "") + " of " + what + " by " + a.principal + ": " +
           model::to_string(a.result);
  if (!a.failure.empty()) e.text += ", " + a.failure + ": " + a.failure_text;
  return e;
}

model::Event binding_event(const model::Binding& b, const std::string& believed) {
  nlohmann::json j = {{"binding", b.outlet.text()}, {"host_id", b.host_id},
                      {"host", b.host_name},        {"hostname", b.hostname},
                      {"believed_host", believed},  {"action_id", b.action_id}};
  model::Event e;
  e.agent = b.outlet.agent;
  e.time = b.learned;
  e.kind = model::EventKind::kAction;
  e.varbinds_json = j.dump();
  const std::string found =
      (b.host_name.empty() ? std::string("a host not in the inventory") : b.host_name) + " (id " +
      b.host_id + ")";
  e.text = "binding: " + b.outlet.text() + " is answered by " + found + ", the inventory says " +
           (believed.empty() ? std::string("no host is there") : believed);
  return e;
}

model::Event conflict_event(const std::string& host, const std::string& host_id,
                            const std::string& boot_id, const std::string& address,
                            model::WallTime time) {
  nlohmann::json j = {
      {"conflict", host}, {"host_id", host_id}, {"boot_id", boot_id}, {"address", address}};
  model::Event e;
  e.time = time;
  e.kind = model::EventKind::kAction;
  e.varbinds_json = j.dump();
  e.text = "host-conflict: two machines claim the id " + host_id + " of " + host +
           " (another boot id, " + boot_id + ", from " + address + ")";
  return e;
}

}  // namespace netpower::manager::actions
