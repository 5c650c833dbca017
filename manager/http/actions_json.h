#pragma once
// The JSON of the power actions' routes (docs/api.md "Power actions"): action records with their
// steps, discovery reports, bindings beside the inventory, and hosts. Shared by the server and by
// whatever needs the same schema (netpowerctl's tests). Pure functions: no locks, no I/O.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "manager/actions/action_service.h"
#include "manager/model/action.h"

namespace netpower::manager::http {

// {"agent": "rack12-pdu", "port": "A1"}
nlohmann::json outlet_json(const model::OutletRef& outlet);
// {"name", "started", "ended" | null, "outcome", "detail"}
nlohmann::json step_json(const model::ActionStep& step);
// {"id", "request_id", "kind", "source", "principal", "reason", "target", "host", "outlets",
//  "dry_run", "force", "requested", "finished" | null, "result", "failure", "failure_text",
//  "steps"}
nlohmann::json action_json(const model::ActionRecord& action);
// POST /api/v1/actions and /api/v1/discoveries: {"request_id", "actions": [...]}.
nlohmann::json submitted_json(const actions::Submitted& submitted);

// Verdicts of a discovery entry that say the inventory is wrong there: mismatch, unexpected,
// missing.
bool wrong_verdict(const std::string& verdict);
// GET /api/v1/discoveries/{id}: {"request_id", "complete", "entries": [...], "wrong": k}.
nlohmann::json discovery_json(const actions::DiscoveryReport& report);

// {"host_id", "host_name", "hostname", "boot_id", "learned", "confirmations", "action_id"}
nlohmann::json binding_json(const model::Binding& binding);
// {"agent", "port", "believed_host", "verdict", "learned": binding_json | null}
nlohmann::json binding_view_json(const actions::BindingView& view);
// {"name", "host_id", "user", "outlets", "answers", "last_seen" | null, "boot_id", "address",
//  "up", "conflict"}
nlohmann::json host_json(const actions::HostView& host);

}  // namespace netpower::manager::http
