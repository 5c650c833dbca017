// netpowerctl discover, bindings, hosts: who is on which outlet. discover tickles every port of
// agents (POST /api/v1/discoveries), waits for the verdicts (GET /api/v1/discoveries/{id}) and
// exits 4 when the inventory is wrong somewhere; bindings and hosts print what the manager knows.

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "manager/ctl/action_text.h"
#include "manager/ctl/commands.h"
#include "manager/ctl/inventory_text.h"
#include "manager/ctl/json_fields.h"
#include "manager/ctl/session.h"

namespace netpower::ctl {

namespace {

using nlohmann::json;

struct InventoryOptions {
  Connection connection;
  bool json = false;
  // discover
  std::string agent;
  std::string selector;
  std::string reason;
  std::string timeout = "15m";
  double poll_seconds = 0.5;
};

int run_discover(const InventoryOptions& o) {
  json body = json::object();
  if (!o.agent.empty() && !o.selector.empty()) {
    throw Failure{kExitError, "give an agent or --selector (or neither: every agent), not both"};
  }
  if (!o.agent.empty()) {
    check_agent(o.agent);
    body["agent"] = o.agent;
  }
  if (!o.selector.empty()) body["selector"] = o.selector;
  if (o.reason.size() > 1024) throw Failure{kExitError, "--reason is longer than 1024 bytes"};
  if (!o.reason.empty()) body["reason"] = o.reason;
  const auto wait = duration_argument(o.timeout);
  if (!wait || *wait <= 0 || *wait > 7 * 86400.0) {
    throw Failure{kExitError,
                  "--timeout '" + o.timeout + "' is no duration from 1ms to 7 days (90s, 15m)"};
  }
  const Session session(o.connection);
  const json submitted = session.post("/api/v1/discoveries", body);
  std::uint64_t request_id = 0;
  try {
    request_id = fields::whole(submitted, "request_id");
  } catch (const std::runtime_error& e) {
    throw Failure{kExitError,
                  std::string("unexpected answer to POST /api/v1/discoveries (") + e.what() + ")"};
  }
  const std::string target = "/api/v1/discoveries/" + std::to_string(request_id);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<long long>(*wait * 1000));
  const auto poll = std::chrono::milliseconds(static_cast<long long>(o.poll_seconds * 1000));
  std::string body_text;
  json report;
  bool complete = false;
  while (true) {
    body_text = session.get_text(target);
    report = parse_json(body_text, "GET " + target);
    complete = report.is_object() && report.value("complete", false);
    if (complete || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(
        std::min(poll, std::chrono::duration_cast<std::chrono::milliseconds>(
                           deadline - std::chrono::steady_clock::now())));
  }
  print_document(o.json, body_text, target, render_discovery);
  if (!complete) {
    throw Failure{kExitError, "discovery " + std::to_string(request_id) + " not complete after " +
                                  o.timeout +
                                  " (--timeout); the manager goes on: netpowerctl "
                                  "audit --request " +
                                  std::to_string(request_id)};
  }
  return report.value("wrong", 0) == 0 ? kExitOk : kExitWrong;
}

int run_list(const InventoryOptions& o, const std::string& target,
             std::string (*render)(const json&)) {
  const Session session(o.connection);
  return print_document(o.json, session.get_text(target), target, render);
}

}  // namespace

void add_inventory_commands(CLI::App& app, Commands& out) {
  auto o = std::make_shared<InventoryOptions>();

  auto* discover = app.add_subcommand(
      "discover", "Tickle every port of agents and compare who answers with the inventory");
  add_connection_options(discover, o->connection, /*with_timeout=*/false);
  discover->add_option("agent", o->agent, "One agent (default: every configured agent)");
  discover->add_option("--selector", o->selector, "Agents by label, k=v,k=v");
  discover->add_option("--reason", o->reason, "Why, for the audit trail");
  discover->add_flag("--json", o->json, "Print the API's report unchanged");
  discover->add_option("--timeout", o->timeout, "How long to wait for every verdict (90s, 15m, 1h)")
      ->capture_default_str();
  discover
      ->add_option("--poll-interval", o->poll_seconds, "Seconds between two looks at the report")
      ->check(CLI::Range(0.01, 60.0))
      ->capture_default_str();
  discover->footer(
      "Verdicts: match (the inventory's host answered), mismatch (another host answered), "
      "unexpected (a host where the inventory has none), missing (the inventory's host did not "
      "answer), empty (nobody expected, nobody answered).\n"
      "Exit status: 0 every outlet matches or is empty, 4 the inventory is wrong somewhere, 1 "
      "errors or not complete at --timeout.\n"
      "Examples:\n"
      "  netpowerctl discover rack12-pdu\n"
      "  netpowerctl discover --selector site=ams --reason 'new racks'\n"
      "  netpowerctl discover --json | jq '.entries[] | select(.verdict != \"match\")'");
  out.push_back({discover, [o] { return run_discover(*o); }});

  auto* bindings = app.add_subcommand(
      "bindings", "Show each outlet's host: the inventory's belief beside what tickles found");
  add_connection_options(bindings, o->connection);
  bindings->add_flag("--json", o->json, "Print the API's JSON unchanged");
  bindings->footer(
      "Verdicts: agree, disagree (another host answered there), unknown (no answer yet), "
      "unexpected (a host where the inventory names none).\n"
      "Examples:\n"
      "  netpowerctl bindings\n"
      "  netpowerctl bindings --json | jq '.bindings[] | select(.verdict == \"disagree\")'");
  out.push_back({bindings, [o] { return run_list(*o, "/api/v1/bindings", render_bindings); }});

  auto* hosts = app.add_subcommand(
      "hosts", "Show the inventory's hosts and what the manager last heard from each");
  add_connection_options(hosts, o->connection);
  hosts->add_flag("--json", o->json, "Print the API's JSON unchanged");
  hosts->footer(
      "Examples:\n"
      "  netpowerctl hosts\n"
      "  netpowerctl hosts --json | jq -r '.hosts[] | select(.up | not) | .name'");
  out.push_back({hosts, [o] { return run_list(*o, "/api/v1/hosts", render_hosts); }});
}

}  // namespace netpower::ctl
