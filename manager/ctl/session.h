#pragma once
// What every netpowerctl command shares: the exit statuses, the failure it reports, the options
// that say where the manager is and who asks, and a session that sends requests and turns every
// answer but the expected one into a Failure with a message that says what to do.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "manager/ctl/exit_status.h"
#include "manager/ctl/http_client.h"

namespace netpower::ctl {

// What a command reports on stderr, and its exit status. `status`: the HTTP status that caused
// it, 0 when none.
struct Failure {
  int code = kExitError;
  std::string message;
  unsigned status = 0;
};

struct Connection {
  std::string manager = "http://127.0.0.1:9641";
  std::string token;            // --token
  std::string token_file;       // --token-file
  double timeout_seconds = 10;  // one exchange
};

// --manager, --token-file, --token; --timeout (one exchange) unless the command has its own.
void add_connection_options(CLI::App* command, Connection& connection, bool with_timeout = true);

class Session {
 public:
  // Reads the URL and the credentials (command line, then environment); throws Failure.
  explicit Session(const Connection& connection);

  // The body of a 200 to GET `target`; a Failure for anything else.
  std::string get_text(const std::string& target) const;
  // The same, parsed (a Failure for what is not JSON).
  nlohmann::json get(const std::string& target) const;
  // POST `body`; the parsed answer of a 2xx. A 400 is a Failure "the manager refused the request:
  // <its message>".
  nlohmann::json post(const std::string& target, const nlohmann::json& body) const;

  std::string where() const { return url_.to_string(); }

 private:
  HttpReply checked(const HttpOutcome& outcome, const char* method,
                    const std::string& target) const;

  ManagerUrl url_;
  std::optional<std::string> token_;
  std::string token_from_;
  std::chrono::milliseconds timeout_;
};

// The API's document parsed, or a Failure naming the request.
nlohmann::json parse_json(const std::string& body, const std::string& what);

// `render(document)` on stdout, or the body unchanged with `json`; a document the renderer does
// not understand is a Failure ("is the manager the same version?").
int print_document(bool json, const std::string& body, const std::string& target,
                   std::string (*render)(const nlohmann::json&));

// Usage errors (exit 1) for names and times given on the command line.
void check_agent(const std::string& name);
// "&since=<value as the API takes it>", "" for an empty value.
std::string time_parameter(const char* name, const std::string& value);

}  // namespace netpower::ctl
