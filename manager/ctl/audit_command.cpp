// netpowerctl audit: the audit trail of power actions (GET /api/v1/actions), or one action with
// its steps (GET /api/v1/actions/{id}).

#include <iostream>
#include <memory>

#include "manager/ctl/action_text.h"
#include "manager/ctl/commands.h"
#include "manager/ctl/history_table.h"
#include "manager/ctl/session.h"

namespace netpower::ctl {

namespace {

struct AuditOptions {
  Connection connection;
  bool json = false;
  std::uint64_t id = 0;
  std::uint64_t request = 0;
  std::string host;
  std::string agent;
  std::string port;
  std::string result;
  std::string since;
  std::string until;
  std::uint64_t before = 0;
  unsigned limit = 0;
};

int run_audit(const AuditOptions& o) {
  if (o.id != 0) {
    const std::string target = "/api/v1/actions/" + std::to_string(o.id);
    const Session session(o.connection);
    std::string body;
    try {
      body = session.get_text(target);
    } catch (const Failure& failure) {
      if (failure.status == 404) {
        throw Failure{kExitError, "the manager knows no action " + std::to_string(o.id)};
      }
      throw;
    }
    return print_document(o.json, body, target, render_action);
  }
  std::string query;
  if (o.request != 0) query += "&request=" + std::to_string(o.request);
  if (!o.host.empty()) query += "&host=" + url_encode(o.host);
  if (!o.agent.empty()) {
    check_agent(o.agent);
    query += "&agent=" + url_encode(o.agent);
  }
  if (!o.port.empty()) {
    if (o.agent.empty()) throw Failure{kExitError, "--port needs --agent"};
    query += "&port=" + url_encode(o.port);
  }
  if (!o.result.empty()) {
    if (o.result != "pending" && o.result != "succeeded" && o.result != "refused" &&
        o.result != "failed") {
      throw Failure{kExitError,
                    "--result '" + o.result + "' is none of pending, succeeded, refused, failed"};
    }
    query += "&result=" + o.result;
  }
  query += time_parameter("since", o.since);
  query += time_parameter("until", o.until);
  if (o.before != 0) query += "&before=" + std::to_string(o.before);
  if (o.limit != 0) query += "&limit=" + std::to_string(o.limit);
  const std::string target = "/api/v1/actions" + (query.empty() ? "" : "?" + query.substr(1));
  const Session session(o.connection);
  return print_document(o.json, session.get_text(target), target, render_audit);
}

}  // namespace

void add_audit_command(CLI::App& app, Commands& out) {
  auto o = std::make_shared<AuditOptions>();
  auto* audit = app.add_subcommand(
      "audit", "Show the audit trail of power actions, newest first, or one action's steps");
  add_connection_options(audit, o->connection);
  audit->add_option("id", o->id, "One action, with every step")->check(CLI::PositiveNumber);
  audit->add_option("--request", o->request, "The actions of one request")
      ->check(CLI::PositiveNumber);
  audit->add_option("--host", o->host, "Actions meaning this host");
  audit->add_option("--agent", o->agent, "Actions on this agent's outlets");
  audit->add_option("--port", o->port, "With --agent: on this port (A1)");
  audit->add_option("--result", o->result, "pending, succeeded, refused or failed");
  audit->add_option("--since", o->since,
                    "Requested from this time: RFC 3339, Unix seconds or an age (15m, 2h, 1d)");
  audit->add_option("--until", o->until, "Requested before this time (as --since)");
  audit->add_option("--before", o->before, "The next page, as the last line printed it")
      ->check(CLI::PositiveNumber);
  audit->add_option("--limit", o->limit, "At most this many (1..1000; the manager: 100)")
      ->check(CLI::Range(1u, 1000u));
  audit->add_flag("--json", o->json, "Print the API's JSON unchanged");
  audit->footer(
      "Examples:\n"
      "  netpowerctl audit --since 1d\n"
      "  netpowerctl audit --host web1 --result refused\n"
      "  netpowerctl audit --agent rack12-pdu --port A1 --limit 20\n"
      "  netpowerctl audit 17\n"
      "  netpowerctl audit --request 5 --json");
  out.push_back({audit, [o] { return run_audit(*o); }});
}

}  // namespace netpower::ctl
