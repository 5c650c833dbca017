// netpowerctl: the operator's command line, speaking to netpower-manager's HTTP API
// (docs/netpowerctl.md). Exit status: 0 ok, 1 the manager failed or could not be reached, 2 usage.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "manager/ctl/history_table.h"
#include "manager/ctl/http_client.h"
#include "manager/ctl/status_table.h"

namespace {

using netpower::ctl::FailedAt;

constexpr int kExitOk = 0;
constexpr int kExitManager = 1;
constexpr int kExitUsage = 2;

struct Options {
  std::string manager = "http://127.0.0.1:9641";
  std::string token;       // --token
  std::string token_file;  // --token-file
  double timeout_seconds = 10;
  bool json = false;
  std::string agent;
  // events
  std::string kind;
  std::string since;
  std::string until;
  std::string cursor;
  unsigned limit = 0;
  // history
  std::string port;
  std::string metric;
  std::string step;
};

// A failure to report: the message and the exit status.
struct Failure {
  int code;
  std::string message;
};

std::string read_token(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Failure{kExitUsage,
                  "cannot read the token file " + path + " (--token-file, NETPOWER_TOKEN_FILE)"};
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::string token = content.str();
  if (!token.empty() && token.back() == '\n') token.pop_back();
  if (!token.empty() && token.back() == '\r') token.pop_back();
  if (token.empty() || token.find_first_of("\r\n") != std::string::npos) {
    throw Failure{kExitUsage, "the token file " + path + " must hold one non-empty line"};
  }
  return token;
}

// The message of the API's error document, or the start of the body.
std::string reason_of(const std::string& body) {
  const auto document = nlohmann::json::parse(body, nullptr, false);
  if (!document.is_discarded() && document.is_object()) {
    const auto error = document.find("error");
    if (error != document.end() && error->is_object() && error->contains("message") &&
        (*error)["message"].is_string()) {
      return (*error)["message"].get<std::string>();
    }
  }
  std::string start = body.substr(0, 200);
  while (!start.empty() && (start.back() == '\n' || start.back() == '\r')) start.pop_back();
  return start;
}

std::string describe_error(const std::error_code& error) {
  if (error == std::errc::connection_refused) return "connection refused";
  if (error == std::errc::timed_out) return "no answer in time (--timeout)";
  return error.message();
}

// The bearer token and where it came from (for messages; never the value). The command line
// wins over the environment; --token and --token-file together are a usage error.
struct Credentials {
  std::optional<std::string> token;
  std::string from;
};

Credentials credentials(const Options& options) {
  if (!options.token.empty() && !options.token_file.empty()) {
    throw Failure{kExitUsage, "give --token or --token-file, not both"};
  }
  if (!options.token.empty()) return {options.token, "--token"};
  if (!options.token_file.empty()) return {read_token(options.token_file), options.token_file};
  if (const char* env = std::getenv("NETPOWER_TOKEN"); env != nullptr && *env != '\0') {
    return {std::string(env), "NETPOWER_TOKEN"};
  }
  if (const char* env = std::getenv("NETPOWER_TOKEN_FILE"); env != nullptr && *env != '\0') {
    return {read_token(env), env};
  }
  return {};
}

// GET `target` and return the body of a 200; anything else is a Failure with a clear message.
std::string fetch(const Options& options, const std::string& target) {
  std::string url_error;
  const auto url = netpower::ctl::parse_manager_url(options.manager, url_error);
  if (!url) {
    throw Failure{kExitUsage, url_error + " (--manager, NETPOWER_MANAGER)"};
  }
  const Credentials auth = credentials(options);
  const auto timeout =
      std::chrono::milliseconds(static_cast<long long>(options.timeout_seconds * 1000));
  const auto outcome = netpower::ctl::http_get(*url, target, auth.token, timeout);
  const std::string where = url->to_string();
  switch (outcome.failed_at) {
    case FailedAt::kNone:
      break;
    case FailedAt::kResolve:
      throw Failure{kExitManager, "cannot resolve the manager's host '" + url->host +
                                      "': " + describe_error(outcome.error) +
                                      " (--manager, NETPOWER_MANAGER)"};
    case FailedAt::kConnect:
      throw Failure{kExitManager, "cannot reach the manager at " + where + ": " +
                                      describe_error(outcome.error) +
                                      " — is netpower-manager running? (--manager, "
                                      "NETPOWER_MANAGER)"};
    case FailedAt::kExchange:
      throw Failure{kExitManager, "the manager at " + where +
                                      " did not answer properly: " + describe_error(outcome.error)};
  }
  const auto& reply = outcome.reply;
  if (reply.status == 401) {
    if (auth.token) {
      throw Failure{kExitManager, "the manager at " + where + " refused the token from " +
                                      auth.from + " (401: " + reason_of(reply.body) + ")"};
    }
    throw Failure{kExitManager,
                  "the manager wants a token: --token-file FILE (or NETPOWER_TOKEN_FILE), or "
                  "--token TOKEN (or NETPOWER_TOKEN); its administrator gives each principal one "
                  "(http.principals)"};
  }
  if (reply.status == 403) {
    throw Failure{kExitManager, "the manager at " + where +
                                    " does not allow this (403: " + reason_of(reply.body) +
                                    "); use the token of a principal whose role allows it"};
  }
  if (reply.status == 503) {
    throw Failure{kExitManager, "the manager at " + where + " cannot answer GET " + target +
                                    " now (503: " + reason_of(reply.body) + ")"};
  }
  if (reply.status != 200) {
    throw Failure{kExitManager, "the manager at " + where + " answered " +
                                    std::to_string(reply.status) + " to GET " + target + ": " +
                                    reason_of(reply.body)};
  }
  return reply.body;
}

nlohmann::json parse_json(const std::string& body, const std::string& target) {
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    throw Failure{kExitManager,
                  "the manager's answer to GET " + target + " is not valid JSON: " + e.what()};
  }
}

int print(const Options& options, const std::string& body, const std::string& target,
          std::string (*render)(const nlohmann::json&));

int run_status(const Options& options) {
  const std::string target =
      options.agent.empty() ? "/api/v1/status" : "/api/v1/agents/" + options.agent;
  std::string body;
  try {
    body = fetch(options, target);
  } catch (const Failure& failure) {
    if (!options.agent.empty() && failure.message.find(" answered 404 ") != std::string::npos) {
      throw Failure{kExitManager, "the manager knows no agent named '" + options.agent + "'"};
    }
    throw;
  }
  return print(options, body, target,
               options.agent.empty() ? netpower::ctl::render_status : netpower::ctl::render_agent);
}

bool valid_agent_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void check_agent(const std::string& name) {
  if (!valid_agent_name(name)) {
    throw Failure{kExitUsage,
                  "'" + name + "' is not an agent name ([A-Za-z0-9_.-], 1 to 64 characters)"};
  }
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// "&since=..." for a --since/--until given; a usage error for what is no time.
std::string time_parameter(const char* name, const std::string& value) {
  if (value.empty()) return "";
  const auto converted = netpower::ctl::time_argument(value, unix_now());
  if (!converted) {
    throw Failure{kExitUsage, "--" + std::string(name) + " '" + value +
                                  "' is neither an RFC 3339 time (2024-05-01T12:00:00Z), Unix "
                                  "seconds nor an age (90s, 15m, 2h, 1d)"};
  }
  return "&" + std::string(name) + "=" + netpower::ctl::url_encode(*converted);
}

// The body as JSON (--json) or rendered; an answer that is not the API's is a Failure.
int print(const Options& options, const std::string& body, const std::string& target,
          std::string (*render)(const nlohmann::json&)) {
  const auto document = parse_json(body, target);
  if (options.json) {
    std::cout << body;
    if (!body.empty() && body.back() != '\n') std::cout << '\n';
    return kExitOk;
  }
  try {
    std::cout << render(document);
  } catch (const std::exception& e) {
    throw Failure{kExitManager, "unexpected answer to GET " + target + " (" + e.what() +
                                    "); is the manager the same version as netpowerctl?"};
  }
  return kExitOk;
}

int run_events(const Options& options) {
  static constexpr const char* kKinds[] = {"trap", "up", "down", "threshold", "action", "note"};
  std::string query;
  if (!options.agent.empty()) {
    check_agent(options.agent);
    query += "&agent=" + netpower::ctl::url_encode(options.agent);
  }
  if (!options.kind.empty()) {
    bool known = false;
    for (const char* k : kKinds) known = known || options.kind == k;
    if (!known) {
      throw Failure{kExitUsage, "--kind '" + options.kind +
                                    "' is none of trap, up, down, threshold, action, note"};
    }
    query += "&kind=" + options.kind;
  }
  query += time_parameter("since", options.since);
  query += time_parameter("until", options.until);
  if (options.limit != 0) query += "&limit=" + std::to_string(options.limit);
  if (!options.cursor.empty()) query += "&cursor=" + netpower::ctl::url_encode(options.cursor);
  const std::string target = "/api/v1/events" + (query.empty() ? "" : "?" + query.substr(1));
  return print(options, fetch(options, target), target, netpower::ctl::render_events);
}

int run_history(const Options& options) {
  check_agent(options.agent);
  if (options.port.empty()) {
    throw Failure{kExitUsage, "give the port: its id (A1) or its name"};
  }
  std::string query;
  if (!options.metric.empty()) query += "&metric=" + netpower::ctl::url_encode(options.metric);
  query += time_parameter("since", options.since);
  query += time_parameter("until", options.until);
  if (!options.step.empty()) query += "&step=" + netpower::ctl::url_encode(options.step);
  const std::string target = "/api/v1/agents/" + options.agent + "/ports/" +
                             netpower::ctl::url_encode(options.port) + "/history" +
                             (query.empty() ? "" : "?" + query.substr(1));
  std::string body;
  try {
    body = fetch(options, target);
  } catch (const Failure& failure) {
    if (failure.message.find(" answered 404 ") != std::string::npos) {
      const auto colon = failure.message.find(": ", failure.message.find(" answered 404 "));
      throw Failure{kExitManager, "the manager says: " + failure.message.substr(colon + 2)};
    }
    throw;
  }
  return print(options, body, target, netpower::ctl::render_history);
}

// What every command takes: where the manager is, the token, the timeout, --json.
void add_common(CLI::App* command, Options& options) {
  command
      ->add_option("--manager", options.manager,
                   "The manager's API, http://host[:port][/prefix] (port 9641 by default)")
      ->envname("NETPOWER_MANAGER")
      ->capture_default_str();
  command->add_option("--token-file", options.token_file,
                      "A file holding the API's bearer token (one line); or NETPOWER_TOKEN_FILE");
  command->add_option("--token", options.token,
                      "The API's bearer token itself (visible to other users in ps: prefer "
                      "NETPOWER_TOKEN or --token-file)");
  command->add_option("--timeout", options.timeout_seconds, "Seconds to wait for the manager")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  command->add_flag("--json", options.json, "Print the API's JSON unchanged (docs/api.md)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "netpowerctl: the operator's command line of netpower, speaking to netpower-manager's HTTP "
      "API.\nExit status: 0 ok, 1 the manager failed or could not be reached, 2 usage error."};
  app.require_subcommand(1);
  Options options;

  auto* status = app.add_subcommand(
      "status", "Show the fleet: one line per agent, or one agent's boards, ports and UPS");
  add_common(status, options);
  status->add_option("--agent", options.agent, "Show this agent in detail");
  status->footer(
      "Examples:\n"
      "  netpowerctl status\n"
      "  netpowerctl status --agent rack12-pdu\n"
      "  netpowerctl status --json | jq '.agents[] | select(.reachability != \"up\") | .name'\n"
      "  NETPOWER_MANAGER=http://mgr.example.net:9641 NETPOWER_TOKEN_FILE=~/.netpower-token "
      "netpowerctl status");

  auto* events = app.add_subcommand("events", "Show events, newest first (traps, up/down, notes)");
  add_common(events, options);
  events->add_option("--agent", options.agent, "Only this agent's events");
  events->add_option("--kind", options.kind, "trap, up, down, threshold, action or note");
  events->add_option("--since", options.since,
                     "From this time: RFC 3339, Unix seconds or an age (15m, 2h, 1d)");
  events->add_option("--until", options.until, "Before this time (as --since)");
  events->add_option("--limit", options.limit, "At most this many (1..10000; the manager: 100)")
      ->check(CLI::Range(1u, 10000u));
  events->add_option("--cursor", options.cursor, "The next page, as the last line printed it");
  events->footer(
      "Examples:\n"
      "  netpowerctl events --since 2h\n"
      "  netpowerctl events --agent rack12-pdu --kind trap --limit 20");

  auto* history = app.add_subcommand("history", "Show one port's values over time");
  add_common(history, options);
  history->add_option("agent", options.agent, "The agent")->required();
  history->add_option("port", options.port, "The port: its id (A1) or its name (web1)")->required();
  history->add_option("--metric", options.metric, "The series (the manager: outlet.current)");
  history->add_option("--since", options.since,
                      "From this time: RFC 3339, Unix seconds or an age (the manager: 1h ago)");
  history->add_option("--until", options.until, "Before this time (as --since; default now)");
  history->add_option("--step", options.step,
                      "One point per step (300, 5m, 1h): mean, min, max; default every value");
  history->footer(
      "Examples:\n"
      "  netpowerctl history rack12-pdu A1 --since 1d --step 1h\n"
      "  netpowerctl history rack12-pdu web1 --metric outlet.power --json");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  try {
    if (status->parsed()) {
      if (!options.agent.empty()) check_agent(options.agent);
      return run_status(options);
    }
    if (events->parsed()) return run_events(options);
    if (history->parsed()) return run_history(options);
  } catch (const Failure& failure) {
    std::cerr << "netpowerctl: " << failure.message << "\n";
    return failure.code;
  }
  return kExitUsage;
}
