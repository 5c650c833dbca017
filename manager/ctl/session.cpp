#include "manager/ctl/session.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "manager/ctl/history_table.h"

namespace netpower::ctl {

namespace {

std::string read_token(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Failure{kExitError,
                  "cannot read the token file " + path + " (--token-file, NETPOWER_TOKEN_FILE)"};
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::string token = content.str();
  if (!token.empty() && token.back() == '\n') token.pop_back();
  if (!token.empty() && token.back() == '\r') token.pop_back();
  if (token.empty() || token.find_first_of("\r\n") != std::string::npos) {
    throw Failure{kExitError, "the token file " + path + " must hold one non-empty line"};
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

bool valid_agent_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

void add_connection_options(CLI::App* command, Connection& connection, bool with_timeout) {
  command
      ->add_option("--manager", connection.manager,
                   "The manager's API, http://host[:port][/prefix] (port 9641 by default)")
      ->envname("NETPOWER_MANAGER")
      ->capture_default_str();
  command->add_option("--token-file", connection.token_file,
                      "A file holding the API's bearer token (one line); or NETPOWER_TOKEN_FILE");
  command->add_option("--token", connection.token,
                      "The API's bearer token itself (visible to other users in ps: prefer "
                      "NETPOWER_TOKEN or --token-file)");
  if (with_timeout) {
    command->add_option("--timeout", connection.timeout_seconds, "Seconds to wait for the manager")
        ->check(CLI::Range(0.1, 3600.0))
        ->capture_default_str();
  }
}

Session::Session(const Connection& connection)
    : timeout_(static_cast<long long>(connection.timeout_seconds * 1000)) {
  std::string url_error;
  auto url = parse_manager_url(connection.manager, url_error);
  if (!url) throw Failure{kExitError, url_error + " (--manager, NETPOWER_MANAGER)"};
  url_ = std::move(*url);
  // The command line wins over the environment; --token and --token-file together are a usage
  // error.
  if (!connection.token.empty() && !connection.token_file.empty()) {
    throw Failure{kExitError, "give --token or --token-file, not both"};
  }
  if (!connection.token.empty()) {
    token_ = connection.token;
    token_from_ = "--token";
  } else if (!connection.token_file.empty()) {
    token_ = read_token(connection.token_file);
    token_from_ = connection.token_file;
  } else if (const char* env = std::getenv("NETPOWER_TOKEN"); env != nullptr && *env != '\0') {
    token_ = std::string(env);
    token_from_ = "NETPOWER_TOKEN";
  } else if (const char* file = std::getenv("NETPOWER_TOKEN_FILE");
             file != nullptr && *file != '\0') {
    token_ = read_token(file);
    token_from_ = file;
  }
}

HttpReply Session::checked(const HttpOutcome& outcome, const char* method,
                           const std::string& target) const {
  const std::string where = url_.to_string();
  switch (outcome.failed_at) {
    case FailedAt::kNone:
      break;
    case FailedAt::kResolve:
      throw Failure{kExitError, "cannot resolve the manager's host '" + url_.host +
                                    "': " + describe_error(outcome.error) +
                                    " (--manager, NETPOWER_MANAGER)"};
    case FailedAt::kConnect:
      throw Failure{kExitError, "cannot reach the manager at " + where + ": " +
                                    describe_error(outcome.error) +
                                    " — is netpower-manager running? (--manager, "
                                    "NETPOWER_MANAGER)"};
    case FailedAt::kExchange:
      throw Failure{kExitError, "the manager at " + where +
                                    " did not answer properly: " + describe_error(outcome.error)};
  }
  const auto& reply = outcome.reply;
  const std::string request = std::string(method) + " " + target;
  if (reply.status == 401) {
    if (token_) {
      throw Failure{kExitError,
                    "the manager at " + where + " refused the token from " + token_from_ +
                        " (401: " + reason_of(reply.body) + ")",
                    401};
    }
    throw Failure{kExitError,
                  "the manager wants a token: --token-file FILE (or NETPOWER_TOKEN_FILE), or "
                  "--token TOKEN (or NETPOWER_TOKEN); its administrator gives each principal one "
                  "(http.principals)",
                  401};
  }
  if (reply.status == 403) {
    throw Failure{kExitError,
                  "the manager at " + where +
                      " does not allow this (403: " + reason_of(reply.body) +
                      "); use the token of a principal whose role allows it",
                  403};
  }
  if (reply.status == 503) {
    throw Failure{kExitError,
                  "the manager at " + where + " cannot answer " + request +
                      " now (503: " + reason_of(reply.body) + ")",
                  503};
  }
  if (reply.status == 400 && std::string(method) == "POST") {
    throw Failure{kExitError, "the manager refused the request: " + reason_of(reply.body), 400};
  }
  const bool ok = std::string(method) == "POST" ? reply.status / 100 == 2 : reply.status == 200;
  if (!ok) {
    throw Failure{kExitError,
                  "the manager at " + where + " answered " + std::to_string(reply.status) + " to " +
                      request + ": " + reason_of(reply.body),
                  reply.status};
  }
  return reply;
}

std::string Session::get_text(const std::string& target) const {
  return checked(http_get(url_, target, token_, timeout_), "GET", target).body;
}

nlohmann::json Session::get(const std::string& target) const {
  return parse_json(get_text(target), "GET " + target);
}

nlohmann::json Session::post(const std::string& target, const nlohmann::json& body) const {
  const auto reply =
      checked(http_post(url_, target, body.dump(), token_, timeout_), "POST", target);
  return parse_json(reply.body, "POST " + target);
}

nlohmann::json parse_json(const std::string& body, const std::string& what) {
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    throw Failure{kExitError,
                  "the manager's answer to " + what + " is not valid JSON: " + e.what()};
  }
}

int print_document(bool json, const std::string& body, const std::string& target,
                   std::string (*render)(const nlohmann::json&)) {
  const auto document = parse_json(body, "GET " + target);
  if (json) {
    std::cout << body;
    if (!body.empty() && body.back() != '\n') std::cout << '\n';
    return kExitOk;
  }
  try {
    std::cout << render(document);
  } catch (const std::exception& e) {
    throw Failure{kExitError, "unexpected answer to GET " + target + " (" + e.what() +
                                  "); is the manager the same version as netpowerctl?"};
  }
  return kExitOk;
}

void check_agent(const std::string& name) {
  if (!valid_agent_name(name)) {
    throw Failure{kExitError,
                  "'" + name + "' is not an agent name ([A-Za-z0-9_.-], 1 to 64 characters)"};
  }
}

std::string time_parameter(const char* name, const std::string& value) {
  if (value.empty()) return "";
  const auto converted = time_argument(value, unix_now());
  if (!converted) {
    throw Failure{kExitError, "--" + std::string(name) + " '" + value +
                                  "' is neither an RFC 3339 time (2024-05-01T12:00:00Z), Unix "
                                  "seconds nor an age (90s, 15m, 2h, 1d)"};
  }
  return "&" + std::string(name) + "=" + url_encode(*converted);
}

}  // namespace netpower::ctl
