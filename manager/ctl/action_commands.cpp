// netpowerctl on, off, reboot, tickle: a verified power action through POST /api/v1/actions, then
// its progress polled from GET /api/v1/actions/{id} until every action has finished or --timeout
// passes. Exit status: 0 all succeeded, 2 refused (worst), 3 failed (worst of all), 1 otherwise.

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "manager/ctl/action_text.h"
#include "manager/ctl/commands.h"
#include "manager/ctl/json_fields.h"
#include "manager/ctl/session.h"

namespace netpower::ctl {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxReasonBytes = 1024;
constexpr double kMaxWaitSeconds = 7 * 86400.0;

struct ActionOptions {
  std::string kind;
  Connection connection;
  std::vector<std::string> target;  // HOST, or AGENT PORT
  std::string agent;
  std::string group;
  std::string selector;
  std::string reason;
  bool dry_run = false;
  bool force = false;
  bool json = false;
  bool no_wait = false;
  std::string timeout = "15m";
  double poll_seconds = 0.5;
};

json request_body(const ActionOptions& o) {
  json body{{"action", o.kind}};
  const bool by_option = !o.group.empty() || !o.selector.empty() || !o.agent.empty();
  if (o.target.size() > 2) {
    throw Failure{kExitError,
                  "too many arguments: give a host (web1) or an agent and a port "
                  "(rack12-pdu A1)"};
  }
  if (!o.target.empty() && by_option) {
    throw Failure{kExitError, "give the target once: a host, AGENT PORT, --group or --selector"};
  }
  if (o.target.size() == 1) {
    body["host"] = o.target[0];
  } else if (o.target.size() == 2) {
    check_agent(o.target[0]);
    body["agent"] = o.target[0];
    body["port"] = o.target[1];
  } else if (!by_option) {
    throw Failure{kExitError, "what to " + o.kind +
                                  "? give a host (web1), an agent and a port (rack12-pdu A1), "
                                  "--group G [--agent A] or --selector k=v,..."};
  } else {
    if (!o.selector.empty() && !o.agent.empty()) {
      throw Failure{kExitError,
                    "--selector picks the agents: give --selector or --agent, not both"};
    }
    if (!o.agent.empty()) {
      check_agent(o.agent);
      body["agent"] = o.agent;
    }
    if (!o.group.empty()) body["group"] = o.group;
    if (!o.selector.empty()) body["selector"] = o.selector;
  }
  if (o.reason.size() > kMaxReasonBytes) {
    throw Failure{kExitError, "--reason is longer than 1024 bytes"};
  }
  if (!o.reason.empty()) body["reason"] = o.reason;
  if (o.dry_run) body["dry_run"] = true;
  if (o.force) body["force"] = true;
  return body;
}

double wait_seconds(const std::string& text) {
  const auto seconds = duration_argument(text);
  if (!seconds || *seconds <= 0 || *seconds > kMaxWaitSeconds) {
    throw Failure{kExitError, "--timeout '" + text +
                                  "' is no duration from 1ms to 7 days (900, 90s, 15m, 1h30m)"};
  }
  return *seconds;
}

// `render` of an answer, or a Failure saying it is not the manager's schema.
template <typename F>
auto understood(const std::string& what, F render) {
  try {
    return render();
  } catch (const std::runtime_error& e) {
    throw Failure{kExitError, "unexpected answer to " + what + " (" + e.what() +
                                  "); is the manager the same version as netpowerctl?"};
  }
}

int run_action(const ActionOptions& o) {
  const json body = request_body(o);
  const double wait = wait_seconds(o.timeout);
  const Session session(o.connection);
  json submitted = session.post("/api/v1/actions", body);
  const std::string what = "POST /api/v1/actions";
  json actions = understood(what, [&] { return fields::array(submitted, "actions"); });
  const auto request_id = understood(what, [&] { return fields::whole(submitted, "request_id"); });
  if (actions.empty()) {
    throw Failure{kExitRefused,
                  "the manager started no action for request " + std::to_string(request_id)};
  }

  if (o.no_wait) {
    if (o.json) {
      std::cout << submitted.dump() << "\n";
    } else {
      for (const auto& action : actions) {
        std::string line = understood(what, [&] { return action_summary(action); });
        if (!finished(action)) {
          line.pop_back();
          line += " (follow it: netpowerctl audit " + std::to_string(fields::whole(action, "id")) +
                  ")\n";
        }
        std::cout << line;
      }
    }
    return understood(what, [&] { return actions_exit_status(actions); });
  }

  Progress progress(actions);
  const auto print = [&](const json& action) {
    if (!o.json) std::cout << progress.update(action) << std::flush;
  };
  for (const auto& action : actions) understood(what, [&] { print(action); });

  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<long long>(wait * 1000));
  const auto poll = std::chrono::milliseconds(static_cast<long long>(o.poll_seconds * 1000));
  bool all_done = false;
  while (true) {
    all_done = true;
    for (auto& action : actions) {
      if (finished(action)) continue;
      const std::string target = "/api/v1/actions/" + std::to_string(fields::whole(action, "id"));
      try {
        action = session.get(target);
      } catch (const Failure& failure) {
        throw Failure{failure.code, failure.message +
                                        " (the actions go on in the manager: "
                                        "netpowerctl audit --request " +
                                        std::to_string(request_id) + ")"};
      }
      understood("GET " + target, [&] { print(action); });
      all_done = all_done && finished(action);
    }
    if (all_done || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(
        std::min(poll, std::chrono::duration_cast<std::chrono::milliseconds>(
                           deadline - std::chrono::steady_clock::now())));
  }

  if (o.json) {
    std::cout << json{{"request_id", request_id}, {"actions", actions}}.dump() << "\n";
  } else {
    std::cout << "\n";
    for (const auto& action : actions) std::cout << action_summary(action);
  }
  if (!all_done) {
    throw Failure{kExitError, "still pending after " + o.timeout +
                                  " (--timeout); the manager goes on: netpowerctl audit "
                                  "--request " +
                                  std::to_string(request_id)};
  }
  return actions_exit_status(actions);
}

void add_action(CLI::App& app, Commands& out, const std::string& kind, const std::string& help,
                const std::string& examples) {
  auto o = std::make_shared<ActionOptions>();
  o->kind = kind;
  auto* command = app.add_subcommand(kind, help);
  add_connection_options(command, o->connection, /*with_timeout=*/false);
  command
      ->add_option("target", o->target,
                   "A host (web1), or an agent and its port: A1, .A1 (absolute) or the port's "
                   "name")
      ->type_name("HOST | AGENT PORT");
  command->add_option("--group", o->group, "Every port of this group (on --agent, or fleet-wide)");
  command->add_option("--agent", o->agent,
                      "With --group: only this agent's ports; alone: every port of it");
  command->add_option("--selector", o->selector,
                      "Agents by label, k=v,k=v: every port (of --group) on them");
  command->add_option("--reason", o->reason, "Why, for the audit trail (at most 1024 bytes)");
  command->add_flag("--dry-run", o->dry_run, "Tickle and compare only: switch nothing");
  command->add_flag("--force", o->force,
                    "Admins: switch an outlet whose host cannot answer (audited as forced)");
  command->add_flag("--json", o->json, "Print the final records as JSON (no progress lines)");
  command->add_flag("--no-wait", o->no_wait, "Return once the manager has accepted the request");
  command
      ->add_option("--timeout", o->timeout,
                   "How long to wait for the result (900, 90s, 15m, 1h); the action goes on after")
      ->capture_default_str();
  command
      ->add_option("--poll-interval", o->poll_seconds, "Seconds between two looks at the progress")
      ->check(CLI::Range(0.01, 60.0))
      ->capture_default_str();
  command->footer(
      examples +
      "\n\nExit status: 0 every action succeeded, 2 one was refused (nothing switched), "
      "3 one failed (switched, not verified; wins over 2), 1 usage, connection or "
      "token errors, or still pending at --timeout.");
  out.push_back({command, [o] { return run_action(*o); }});
}

}  // namespace

void add_action_commands(CLI::App& app, Commands& out) {
  add_action(app, out, "reboot",
             "Reboot verified: tickle, check who answers, switch off and on, check the host "
             "comes back",
             "Examples:\n"
             "  netpowerctl reboot web1 --reason 'hung since 03:10'\n"
             "  netpowerctl reboot rack12-pdu A1\n"
             "  netpowerctl reboot rack12-pdu .A1 --dry-run\n"
             "  netpowerctl reboot --group web --agent rack12-pdu --reason 'kernel update'\n"
             "  netpowerctl reboot --selector site=ams,rack=12 --group web --json | jq .actions");
  add_action(app, out, "off",
             "Switch off verified: tickle, check who answers, switch, check the load is gone",
             "Examples:\n"
             "  netpowerctl off web1 --reason 'decommissioned'\n"
             "  netpowerctl off rack12-pdu A3 --force --reason 'no netpower-host on it'\n"
             "  netpowerctl off rack12-pdu spare --no-wait");
  add_action(app, out, "on", "Switch on and check the load and the host's hello",
             "Examples:\n"
             "  netpowerctl on web1\n"
             "  netpowerctl on --group web --agent rack12-pdu");
  add_action(app, out, "tickle", "Verify only: tickle and check who answers, switch nothing",
             "Examples:\n"
             "  netpowerctl tickle web1\n"
             "  netpowerctl tickle rack12-pdu A1 --json\n"
             "  netpowerctl tickle --selector site=ams --timeout 2m");
}

}  // namespace netpower::ctl
