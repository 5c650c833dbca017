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

#include "manager/ctl/http_client.h"
#include "manager/ctl/status_table.h"

namespace {

using netpower::ctl::FailedAt;

constexpr int kExitOk = 0;
constexpr int kExitManager = 1;
constexpr int kExitUsage = 2;

struct Options {
  std::string manager = "http://127.0.0.1:9641";
  std::string token_file;
  double timeout_seconds = 10;
  bool json = false;
  std::string agent;
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

// GET `target` and return the body of a 200; anything else is a Failure with a clear message.
std::string fetch(const Options& options, const std::string& target) {
  std::string url_error;
  const auto url = netpower::ctl::parse_manager_url(options.manager, url_error);
  if (!url) {
    throw Failure{kExitUsage, url_error + " (--manager, NETPOWER_MANAGER)"};
  }
  std::optional<std::string> token;
  if (!options.token_file.empty()) {
    token = read_token(options.token_file);
  }
  const auto timeout =
      std::chrono::milliseconds(static_cast<long long>(options.timeout_seconds * 1000));
  const auto outcome = netpower::ctl::http_get(*url, target, token, timeout);
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
    if (token) {
      throw Failure{kExitManager, "the manager at " + where + " refused the token from " +
                                      options.token_file + " (401: " + reason_of(reply.body) + ")"};
    }
    throw Failure{kExitManager,
                  "the manager wants a token: --token-file FILE (or "
                  "NETPOWER_TOKEN_FILE), the file of its http.token_file"};
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
  const auto document = parse_json(body, target);
  if (options.json) {
    std::cout << body;
    if (!body.empty() && body.back() != '\n') std::cout << '\n';
    return kExitOk;
  }
  try {
    std::cout << (options.agent.empty() ? netpower::ctl::render_status(document)
                                        : netpower::ctl::render_agent(document));
  } catch (const std::exception& e) {
    throw Failure{kExitManager, "unexpected answer to GET " + target + " (" + e.what() +
                                    "); is the manager the same version as netpowerctl?"};
  }
  return kExitOk;
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "netpowerctl: the operator's command line of netpower, speaking to netpower-manager's HTTP "
      "API.\nExit status: 0 ok, 1 the manager failed or could not be reached, 2 usage error."};
  app.require_subcommand(1);
  Options options;

  auto* status = app.add_subcommand(
      "status", "Show the fleet: one line per agent, or one agent's boards, ports and UPS");
  status
      ->add_option("--manager", options.manager,
                   "The manager's API, http://host[:port][/prefix] (port 9641 by default)")
      ->envname("NETPOWER_MANAGER")
      ->capture_default_str();
  status
      ->add_option("--token-file", options.token_file,
                   "A file holding the API's bearer token (the manager's http.token_file)")
      ->envname("NETPOWER_TOKEN_FILE");
  status->add_option("--timeout", options.timeout_seconds, "Seconds to wait for the manager")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  status->add_flag("--json", options.json, "Print the API's JSON unchanged (docs/api.md)");
  status->add_option("--agent", options.agent, "Show this agent in detail");
  status->footer(
      "Examples:\n"
      "  netpowerctl status\n"
      "  netpowerctl status --agent rack12-pdu\n"
      "  netpowerctl status --json | jq '.agents[] | select(.reachability != \"up\") | .name'\n"
      "  NETPOWER_MANAGER=http://mgr.example.net:9641 NETPOWER_TOKEN_FILE=~/.netpower-token "
      "netpowerctl status");

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
      if (!options.agent.empty() && !valid_agent_name(options.agent)) {
        throw Failure{kExitUsage, "'" + options.agent +
                                      "' is not an agent name ([A-Za-z0-9_.-], 1 to 64 "
                                      "characters)"};
      }
      return run_status(options);
    }
  } catch (const Failure& failure) {
    std::cerr << "netpowerctl: " << failure.message << "\n";
    return failure.code;
  }
  return kExitUsage;
}
