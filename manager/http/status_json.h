#pragma once
// The JSON of the manager's HTTP API (docs/api.md): one function per document, shared by the server
// and by whatever needs the same schema (netpowerctl's tests). Pure functions of the state they are
// given: no locks, no I/O.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "manager/state/fleet_state.h"
#include "manager/store/store.h"

namespace netpower::manager::http {

// "2024-05-01T12:00:00.123Z": RFC 3339, UTC, milliseconds.
std::string rfc3339(model::WallTime time);

// How a port counts in the summaries: on / off by its control status, alarm when its module status
// is anything but "Normal" (a port can be on and in alarm).
struct PortCounts {
  std::uint64_t total = 0;
  std::uint64_t on = 0;
  std::uint64_t off = 0;
  std::uint64_t alarm = 0;
};
PortCounts count_ports(const std::vector<state::PortState>& ports);

nlohmann::json port_json(const state::PortState& port);
nlohmann::json board_json(const state::BoardState& board);
nlohmann::json ups_json(const state::UpsState& ups);
// Everything the manager knows of one agent (GET /api/v1/agents/{name}, and each element of the
// status' "agents").
nlohmann::json agent_json(const state::AgentState& agent);
// GET /api/v1/agents/{name}: {"generated_at": ..., "agent": agent_json(agent)}.
nlohmann::json agent_document(const state::AgentState& agent, model::WallTime now);
// GET /api/v1/status: the fleet summary and every agent, in the configuration's order.
nlohmann::json status_json(const std::vector<state::AgentState>& agents,
                           std::uint64_t unknown_source_traps, model::WallTime now);
nlohmann::json event_json(const model::Event& event);
// GET /api/v1/events: newest first, as given.
nlohmann::json events_json(const std::vector<model::Event>& events, model::WallTime now);
// The body of every error response: {"error": {"status": 404, "message": "..."}}.
nlohmann::json error_json(unsigned status, std::string_view message);

// Serialises for the wire: compact, invalid UTF-8 (agents serve raw bytes) replaced by U+FFFD
// instead of throwing, and a final line end.
std::string dump(const nlohmann::json& document);

}  // namespace netpower::manager::http
