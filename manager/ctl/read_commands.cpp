// netpowerctl status, events, history: the fleet, what happened, one port over time.

#include <iostream>
#include <memory>

#include "manager/ctl/commands.h"
#include "manager/ctl/history_table.h"
#include "manager/ctl/session.h"
#include "manager/ctl/status_table.h"

namespace netpower::ctl {

namespace {

struct ReadOptions {
  Connection connection;
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

int run_status(const ReadOptions& options) {
  if (!options.agent.empty()) check_agent(options.agent);
  const Session session(options.connection);
  const std::string target =
      options.agent.empty() ? "/api/v1/status" : "/api/v1/agents/" + options.agent;
  std::string body;
  try {
    body = session.get_text(target);
  } catch (const Failure& failure) {
    if (!options.agent.empty() && failure.status == 404) {
      throw Failure{kExitError, "the manager knows no agent named '" + options.agent + "'"};
    }
    throw;
  }
  return print_document(options.json, body, target,
                        options.agent.empty() ? render_status : render_agent);
}

int run_events(const ReadOptions& options) {
  static constexpr const char* kKinds[] = {"trap", "up", "down", "threshold", "action", "note"};
  std::string query;
  if (!options.agent.empty()) {
    check_agent(options.agent);
    query += "&agent=" + url_encode(options.agent);
  }
  if (!options.kind.empty()) {
    bool known = false;
    for (const char* k : kKinds) known = known || options.kind == k;
    if (!known) {
      throw Failure{kExitError, "--kind '" + options.kind +
                                    "' is none of trap, up, down, threshold, action, note"};
    }
    query += "&kind=" + options.kind;
  }
  query += time_parameter("since", options.since);
  query += time_parameter("until", options.until);
  if (options.limit != 0) query += "&limit=" + std::to_string(options.limit);
  if (!options.cursor.empty()) query += "&cursor=" + url_encode(options.cursor);
  const std::string target = "/api/v1/events" + (query.empty() ? "" : "?" + query.substr(1));
  const Session session(options.connection);
  return print_document(options.json, session.get_text(target), target, render_events);
}

int run_history(const ReadOptions& options) {
  check_agent(options.agent);
  if (options.port.empty()) {
    throw Failure{kExitError, "give the port: its id (A1) or its name"};
  }
  std::string query;
  if (!options.metric.empty()) query += "&metric=" + url_encode(options.metric);
  query += time_parameter("since", options.since);
  query += time_parameter("until", options.until);
  if (!options.step.empty()) query += "&step=" + url_encode(options.step);
  const std::string target = "/api/v1/agents/" + options.agent + "/ports/" +
                             url_encode(options.port) + "/history" +
                             (query.empty() ? "" : "?" + query.substr(1));
  const Session session(options.connection);
  std::string body;
  try {
    body = session.get_text(target);
  } catch (const Failure& failure) {
    if (failure.status == 404) {
      const auto colon = failure.message.find(": ", failure.message.find(" answered 404 "));
      throw Failure{kExitError, "the manager says: " + failure.message.substr(colon + 2)};
    }
    throw;
  }
  return print_document(options.json, body, target, render_history);
}

void add_common(CLI::App* command, ReadOptions& options) {
  add_connection_options(command, options.connection);
  command->add_flag("--json", options.json, "Print the API's JSON unchanged (docs/api.md)");
}

}  // namespace

void add_read_commands(CLI::App& app, Commands& out) {
  auto options = std::make_shared<ReadOptions>();

  auto* status = app.add_subcommand(
      "status", "Show the fleet: one line per agent, or one agent's boards, ports and UPS");
  add_common(status, *options);
  status->add_option("--agent", options->agent, "Show this agent in detail");
  status->footer(
      "Examples:\n"
      "  netpowerctl status\n"
      "  netpowerctl status --agent rack12-pdu\n"
      "  netpowerctl status --json | jq '.agents[] | select(.reachability != \"up\") | .name'\n"
      "  NETPOWER_MANAGER=http://mgr.example.net:9641 NETPOWER_TOKEN_FILE=~/.netpower-token "
      "netpowerctl status");
  out.push_back({status, [options] { return run_status(*options); }});

  auto* events = app.add_subcommand("events", "Show events, newest first (traps, up/down, notes)");
  add_common(events, *options);
  events->add_option("--agent", options->agent, "Only this agent's events");
  events->add_option("--kind", options->kind, "trap, up, down, threshold, action or note");
  events->add_option("--since", options->since,
                     "From this time: RFC 3339, Unix seconds or an age (15m, 2h, 1d)");
  events->add_option("--until", options->until, "Before this time (as --since)");
  events->add_option("--limit", options->limit, "At most this many (1..10000; the manager: 100)")
      ->check(CLI::Range(1u, 10000u));
  events->add_option("--cursor", options->cursor, "The next page, as the last line printed it");
  events->footer(
      "Examples:\n"
      "  netpowerctl events --since 2h\n"
      "  netpowerctl events --agent rack12-pdu --kind trap --limit 20");
  out.push_back({events, [options] { return run_events(*options); }});

  auto* history = app.add_subcommand("history", "Show one port's values over time");
  add_common(history, *options);
  history->add_option("agent", options->agent, "The agent")->required();
  history->add_option("port", options->port, "The port: its id (A1) or its name (web1)")
      ->required();
  history->add_option("--metric", options->metric, "The series (the manager: outlet.current)");
  history->add_option("--since", options->since,
                      "From this time: RFC 3339, Unix seconds or an age (the manager: 1h ago)");
  history->add_option("--until", options->until, "Before this time (as --since; default now)");
  history->add_option("--step", options->step,
                      "One point per step (300, 5m, 1h): mean, min, max; default every value");
  history->footer(
      "Examples:\n"
      "  netpowerctl history rack12-pdu A1 --since 1d --step 1h\n"
      "  netpowerctl history rack12-pdu web1 --metric outlet.power --json");
  out.push_back({history, [options] { return run_history(*options); }});
}

}  // namespace netpower::ctl
