#include "manager/http/actions_json.h"

#include "manager/http/status_json.h"

namespace netpower::manager::http {

using nlohmann::json;

namespace {

json optional_time(const std::optional<model::WallTime>& time) {
  return time ? json(rfc3339(*time)) : json(nullptr);
}

}  // namespace

json outlet_json(const model::OutletRef& outlet) {
  return json{{"agent", outlet.agent}, {"port", outlet.port}};
}

json step_json(const model::ActionStep& step) {
  return json{{"name", step.name},
              {"started", rfc3339(step.started)},
              {"ended", optional_time(step.ended)},
              {"outcome", model::to_string(step.outcome)},
              {"detail", step.detail}};
}

json action_json(const model::ActionRecord& action) {
  json outlets = json::array();
  for (const auto& outlet : action.outlets) outlets.push_back(outlet_json(outlet));
  json steps = json::array();
  for (const auto& step : action.steps) steps.push_back(step_json(step));
  return json{{"id", action.id},
              {"request_id", action.request_id},
              {"kind", model::to_string(action.kind)},
              {"source", model::to_string(action.source)},
              {"principal", action.principal},
              {"reason", action.reason},
              {"target", action.target},
              {"host", action.host},
              {"outlets", std::move(outlets)},
              {"dry_run", action.dry_run},
              {"force", action.force},
              {"requested", rfc3339(action.requested)},
              {"finished", optional_time(action.finished)},
              {"result", model::to_string(action.result)},
              {"failure", action.failure},
              {"failure_text", action.failure_text},
              {"steps", std::move(steps)}};
}

json submitted_json(const actions::Submitted& submitted) {
  json list = json::array();
  for (const auto& action : submitted.actions) list.push_back(action_json(action));
  return json{{"request_id", submitted.request_id}, {"actions", std::move(list)}};
}

bool wrong_verdict(const std::string& verdict) {
  return verdict == "mismatch" || verdict == "unexpected" || verdict == "missing";
}

json discovery_json(const actions::DiscoveryReport& report) {
  json entries = json::array();
  std::size_t wrong = 0;
  for (const auto& entry : report.entries) {
    wrong += wrong_verdict(entry.verdict) ? 1 : 0;
    entries.push_back(json{{"agent", entry.outlet.agent},
                           {"port", entry.outlet.port},
                           {"believed_host", entry.believed_host},
                           {"found_host", entry.found_host},
                           {"found_host_id", entry.found_host_id},
                           {"hostname", entry.hostname},
                           {"verdict", entry.verdict},
                           {"action_id", entry.action_id}});
  }
  return json{{"request_id", report.request_id},
              {"complete", report.complete},
              {"entries", std::move(entries)},
              {"wrong", wrong}};
}

json binding_json(const model::Binding& binding) {
  return json{{"host_id", binding.host_id},          {"host_name", binding.host_name},
              {"hostname", binding.hostname},        {"boot_id", binding.boot_id},
              {"learned", rfc3339(binding.learned)}, {"confirmations", binding.confirmations},
              {"action_id", binding.action_id}};
}

json binding_view_json(const actions::BindingView& view) {
  return json{{"agent", view.outlet.agent},
              {"port", view.outlet.port},
              {"believed_host", view.believed_host},
              {"verdict", view.verdict},
              {"learned", view.learned ? binding_json(*view.learned) : json(nullptr)}};
}

json host_json(const actions::HostView& host) {
  json outlets = json::array();
  for (const auto& outlet : host.outlets) outlets.push_back(outlet_json(outlet));
  return json{{"name", host.name},       {"host_id", host.host_id},
              {"user", host.user},       {"outlets", std::move(outlets)},
              {"answers", host.answers}, {"last_seen", optional_time(host.last_seen)},
              {"boot_id", host.boot_id}, {"address", host.address},
              {"up", host.up},           {"conflict", host.conflict}};
}

}  // namespace netpower::manager::http
