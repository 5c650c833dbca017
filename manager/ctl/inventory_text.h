#pragma once
// netpowerctl discover, bindings and hosts as text: the documents of GET /api/v1/discoveries/{id},
// /api/v1/bindings and /api/v1/hosts (docs/api.md) rendered for people. Pure functions; a
// document that does not follow the schema throws std::runtime_error.

#include <nlohmann/json.hpp>

#include <string>

namespace netpower::ctl {

// One line per outlet (believed host, found host, its id and hostname, verdict), then a count of
// the verdicts and whether the inventory is right.
std::string render_discovery(const nlohmann::json& report);
// One line per outlet: the inventory's host beside the host a tickle found, and the verdict.
std::string render_bindings(const nlohmann::json& document);
// One line per inventory host: id, outlets, whether it can answer, up/down, last heard.
std::string render_hosts(const nlohmann::json& document);

}  // namespace netpower::ctl
