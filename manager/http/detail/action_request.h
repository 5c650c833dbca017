#pragma once
// The bodies of POST /api/v1/actions and POST /api/v1/discoveries (docs/api.md) checked and
// turned into what the action service takes. Pure functions: a parsed JSON body in, a spec or the
// text of a 400 out.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <variant>

#include "manager/actions/action_service.h"

namespace netpower::manager::http::detail {

inline constexpr std::size_t kMaxActionBody = 8 * 1024;
inline constexpr std::size_t kMaxReasonBytes = 1024;
inline constexpr std::size_t kMaxNameBytes = 255;  // host, agent, port, group
inline constexpr std::size_t kMaxSelectorBytes = 1024;

// {"action", "host" | "agent" [+ "port"] | "group" [+ "agent"] | "selector" [+ "group"],
//  "reason", "dry_run", "force", "source"}. `from_netpowerctl`: the request carried
// X-Netpower-Client: netpowerctl (source "cli" unless the body says otherwise).
std::variant<actions::ActionSpec, std::string> parse_action_request(const nlohmann::json& body,
                                                                    bool from_netpowerctl);

// {"agent" | "selector" | neither (every agent), "reason", "source"}.
std::variant<actions::DiscoverySpec, std::string> parse_discovery_request(
    const nlohmann::json& body, bool from_netpowerctl);

// "an object", "a string", ...: for messages.
const char* json_type_name(const nlohmann::json& value);

}  // namespace netpower::manager::http::detail
