#include "manager/config/http_settings.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "manager/config/secret_reader.h"

namespace netpower::manager::config {

namespace {

bool valid_principal_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The token of `map` (token / token_file / token_env), at least kMinApiTokenBytes long.
std::optional<SecretAt> read_api_token(const core::YamlReader& r, const YAML::Node& map) {
  auto token = read_secret(r, map, "token");
  if (token && token->secret.reveal().size() < kMinApiTokenBytes) {
    r.fail(token->at,
           "the API token must be at least " + std::to_string(kMinApiTokenBytes) + " characters");
  }
  return token;
}

// The connection bounds (keys directly under `http:`); each checked against the others.
void read_http_limits(const core::YamlReader& r, const YAML::Node& node, HttpLimits& l) {
  const auto count = [&](const char* key, std::size_t& value, long min, long max) {
    value = static_cast<std::size_t>(r.integer(node, key, static_cast<long>(value), min, max));
  };
  count("max_connections", l.max_connections, 1, 100'000);
  // Not given: the defaults, shrunk to fit a smaller max_connections.
  l.max_connections_per_client = std::min(l.max_connections_per_client, l.max_connections);
  l.reserved_connections = std::min(l.reserved_connections, (l.max_connections - 1) / 4);
  count("max_connections_per_client", l.max_connections_per_client, 1, 100'000);
  count("reserved_connections", l.reserved_connections, 0, 100'000);
  count("max_pipelined_requests", l.max_pipelined_requests, 1, 10'000);
  count("max_requests_per_connection", l.max_requests_per_connection, 1, 100'000'000);
  if (l.max_connections_per_client > l.max_connections) {
    r.fail(node["max_connections_per_client"],
           "'max_connections_per_client' must not exceed 'max_connections' (" +
               std::to_string(l.max_connections) + ")");
  }
  if (l.reserved_connections >= l.max_connections) {
    r.fail(node["reserved_connections"], "'reserved_connections' (" +
                                             std::to_string(l.reserved_connections) +
                                             ") must be fewer than 'max_connections' (" +
                                             std::to_string(l.max_connections) + ")");
  }
  const auto timeout = [&](const char* key, core::Duration& value) {
    if (!node[key]) return;
    value = r.duration(node, key, value);
    if (value < std::chrono::milliseconds(10) || value > std::chrono::hours(1)) {
      r.fail(node[key], std::string("'") + key + "' must be between 10ms and 1h");
    }
  };
  timeout("idle_timeout", l.idle_timeout);
  timeout("header_timeout", l.header_timeout);
  timeout("read_timeout", l.read_timeout);
  timeout("write_timeout", l.write_timeout);
}

}  // namespace

void read_http_settings(const core::YamlReader& r, const YAML::Node& node, HttpSettings& h) {
  r.expect_map(node, "http",
               {"enabled", "address", "port", "token", "token_file", "token_env", "principals",
                "metrics_require_auth", "max_connections", "max_connections_per_client",
                "reserved_connections", "idle_timeout", "header_timeout", "read_timeout",
                "write_timeout", "max_pipelined_requests", "max_requests_per_connection"});
  if (!node) return;
  read_http_limits(r, node, h.limits);
  h.enabled = r.boolean(node, "enabled", h.enabled);
  h.address = r.string(node, "address", h.address, 255);
  if (h.address.empty()) r.fail(node["address"], "'address' must not be empty");
  h.port = static_cast<std::uint16_t>(r.integer(node, "port", h.port, 1, 65535));
  h.metrics_require_auth = r.boolean(node, "metrics_require_auth", h.metrics_require_auth);

  // Each token once, whoever holds it (the message never shows a token).
  const auto check_token_unique = [&](const SecretAt& token, const std::string& holder) {
    for (const auto& p : h.principals) {
      if (p.token.reveal() == token.secret.reveal()) {
        r.fail(token.at, "principal '" + holder + "' has the same token as principal '" + p.name +
                             "' (line " + std::to_string(p.line) + "); tokens must differ");
      }
    }
  };

  int legacy_line = 0;
  if (auto token = read_api_token(r, node)) {
    h.token = token->secret;
    legacy_line = token->at.Mark().line + 1;
    spdlog::warn(
        "{}:{}: http.token is deprecated: it acts as an admin principal named 'token'; list "
        "principals with roles under http.principals instead",
        r.file(), legacy_line);
  }

  const auto list = node["principals"];
  if (list && !list.IsNull()) {
    if (!list.IsSequence()) r.fail(list, "'principals' must be a list");
    std::map<std::string, int> names;
    if (!h.token.empty()) names.emplace("token", legacy_line);
    for (const auto& entry : list) {
      r.expect_map(entry, "http.principals[]",
                   {"name", "role", "token", "token_file", "token_env"});
      if (!entry.IsMap()) r.fail(entry, "a principal is a mapping {name, role, token_file}");
      PrincipalSettings p;
      p.line = entry.Mark().line + 1;
      if (!entry["name"]) r.fail(entry, "a principal needs a 'name'");
      p.name = r.string(entry, "name", "");
      if (!valid_principal_name(p.name)) {
        r.fail(entry["name"], "a principal's name is 1..64 characters of letters, digits and _.@-");
      }
      if (auto [it, fresh] = names.emplace(p.name, p.line); !fresh) {
        r.fail(entry["name"],
               "principal '" + p.name + "' is listed twice (first at line " +
                   std::to_string(it->second) + ")" +
                   (p.name == "token" ? "; 'token' is the deprecated http.token" : ""));
      }
      if (!entry["role"]) r.fail(entry, "principal '" + p.name + "' needs a 'role'");
      const auto role_text = r.string(entry, "role", "");
      const auto role = model::role_from_string(role_text);
      if (!role) {
        r.fail(entry["role"], "role '" + role_text + "' of principal '" + p.name +
                                  "' is none of viewer, operator, admin");
      }
      p.role = *role;
      auto token = read_api_token(r, entry);
      if (!token) {
        r.fail(entry, "principal '" + p.name + "' needs a token (token_file, token_env or token)");
      }
      check_token_unique(*token, p.name);
      if (!h.token.empty() && h.token.reveal() == token->secret.reveal()) {
        r.fail(token->at, "principal '" + p.name +
                              "' has the same token as the deprecated http.token; tokens "
                              "must differ");
      }
      p.token = token->secret;
      h.principals.push_back(std::move(p));
    }
  }
  if (h.metrics_require_auth && h.principals.empty() && h.token.empty()) {
    r.fail(node["metrics_require_auth"],
           "'metrics_require_auth' needs principals (http.principals) to authenticate with");
  }
}

}  // namespace netpower::manager::config
