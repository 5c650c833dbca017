#include "manager/ctl/action_text.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "manager/ctl/arguments.h"
#include "manager/ctl/exit_status.h"
#include "manager/ctl/json_fields.h"
#include "manager/ctl/status_table.h"
#include "manager/ctl/table.h"

namespace netpower::ctl {

using nlohmann::json;
using namespace fields;

namespace {

std::string outlet_text(const json& outlet) {
  return text(outlet, "agent") + "." + text(outlet, "port");
}

// `text` then spaces to `width`, at least one.
std::string pad(const std::string& text, std::size_t width) {
  return text + std::string(text.size() < width ? width - text.size() : 1, ' ');
}

std::optional<double> seconds_between(const std::string& from, const std::string& to) {
  const auto a = parse_rfc3339(from);
  const auto b = parse_rfc3339(to);
  if (!a || !b) return std::nullopt;
  return std::max(0.0, *b - *a);
}

std::string seconds_text(std::optional<double> seconds) {
  if (!seconds) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f s", *seconds);
  return buffer;
}

// "tickle A1" of an action on rack12-pdu.A1 -> {"tickle", "rack12-pdu.A1"}; otherwise the name
// and the action's label.
std::pair<std::string, std::string> step_name_and_label(const json& action, const json& step) {
  const std::string name = text(step, "name");
  const auto space = name.rfind(' ');
  if (space != std::string::npos) {
    const std::string port = name.substr(space + 1);
    for (const auto& outlet : array(action, "outlets")) {
      if (text(outlet, "port") == port) return {name.substr(0, space), outlet_text(outlet)};
    }
  }
  return {name, action_label(action)};
}

// "web1 (rack12-pdu.A1)", "db1 (rack12-pdu.A2+rack12-pdu.B2)"; the label without a host.
std::string what(const json& action) {
  const std::string host = one_line(text(action, "host"));
  if (host.empty()) return action_label(action);
  std::string outlets;
  for (const auto& outlet : array(action, "outlets")) {
    outlets += (outlets.empty() ? "" : "+") + outlet_text(outlet);
  }
  return outlets.empty() ? host : host + " (" + outlets + ")";
}

std::string took(const json& action) {
  return seconds_text(seconds_between(text(action, "requested"), text_or_null(action, "finished")));
}

std::string failure_of(const json& action) {
  const std::string failure = text(action, "failure");
  const std::string why = one_line(text(action, "failure_text"));
  return failure.empty() ? why : why.empty() ? failure : failure + ": " + why;
}

}  // namespace

std::string action_label(const json& action) {
  const auto& outlets = array(action, "outlets");
  if (outlets.size() == 1) return outlet_text(outlets[0]);
  const std::string host = text(action, "host");
  if (!host.empty()) return host;
  if (outlets.empty()) return one_line(text(action, "target"));
  std::string out;
  for (const auto& outlet : outlets) out += (out.empty() ? "" : "+") + outlet_text(outlet);
  return out;
}

std::string step_line(const json& action, const json& step, std::size_t label_width) {
  const auto [name, label] = step_name_and_label(action, step);
  const std::string ended = text_or_null(step, "ended");
  std::string line =
      pad(label, label_width + 2) + pad(name, 11) + pad(text(step, "outcome"), 8) +
      seconds_text(ended.empty() ? std::nullopt : seconds_between(text(step, "started"), ended));
  const std::string detail = one_line(text(step, "detail"));
  if (!detail.empty()) line += "  " + detail;
  return line + "\n";
}

Progress::Progress(const json& actions) {
  for (const auto& action : actions) {
    width_ = std::max(width_, action_label(action).size());
    for (const auto& outlet : array(action, "outlets")) {
      width_ = std::max(width_, outlet_text(outlet).size());
    }
  }
}

std::string Progress::update(const json& action) {
  const auto& steps = array(action, "steps");
  std::size_t& printed = printed_[whole(action, "id")];
  const bool done = finished(action);
  std::string out;
  while (printed < steps.size() && (done || !text_or_null(steps[printed], "ended").empty())) {
    out += step_line(action, steps[printed], width_);
    ++printed;
  }
  return out;
}

bool finished(const json& action) { return text(action, "result") != "pending"; }

std::string action_summary(const json& action) {
  std::string out = "action " + std::to_string(whole(action, "id")) + " " + text(action, "kind") +
                    " " + what(action) + ": ";
  const std::string result = text(action, "result");
  const bool dry = flag(action, "dry_run");
  if (result == "succeeded") {
    out += "succeeded in " + took(action);
    if (dry) out += " (dry run: verified, nothing was switched)";
  } else if (result == "refused") {
    out += "refused (" + failure_of(action) + "); nothing was switched";
  } else if (result == "failed") {
    out += "FAILED (" + failure_of(action) + ")";
  } else {
    out += "still pending";
  }
  if (flag(action, "force")) out += " [forced]";
  return out + "\n";
}

int actions_exit_status(const json& actions) {
  int worst = kExitOk;
  for (const auto& action : actions) {
    const std::string result = text(action, "result");
    if (result == "failed") worst = kExitFailed;
    if (result == "refused" && worst == kExitOk) worst = kExitRefused;
  }
  return worst;
}

std::string render_action(const json& action) {
  std::string out = "action " + std::to_string(whole(action, "id")) + ": " + text(action, "kind") +
                    " " + what(action) + ", " + text(action, "result") + "\n";
  const auto field = [&out](const char* name, const std::string& value) {
    out += pad(std::string(name) + ":", 11) + value + "\n";
  };
  field("request", std::to_string(whole(action, "request_id")));
  field("target", one_line(text(action, "target")));
  field("requested", text(action, "requested") + " by " + one_line(text(action, "principal")) +
                         " (" + text(action, "source") + ")");
  const std::string ended = text_or_null(action, "finished");
  field("finished", ended.empty() ? "-" : ended + " (" + took(action) + ")");
  field("reason", or_dash(one_line(text(action, "reason"))));
  if (flag(action, "dry_run")) field("dry run", "yes: tickled and checked, nothing switched");
  if (flag(action, "force")) field("forced", "yes: switched without a host's answer");
  if (!text(action, "failure").empty()) field("failure", failure_of(action));
  const auto& steps = array(action, "steps");
  if (steps.empty()) return out;
  Table table({"STEP", "OUTLET", "OUTCOME", "STARTED", "TOOK", "DETAIL"});
  for (const auto& step : steps) {
    const auto [name, label] = step_name_and_label(action, step);
    const std::string end = text_or_null(step, "ended");
    table.add({name, label, text(step, "outcome"), text(step, "started"),
               end.empty() ? "-" : seconds_text(seconds_between(text(step, "started"), end)),
               one_line(text(step, "detail"))});
  }
  return out + "\n" + table.render();
}

std::string render_audit(const json& document) {
  Table table({"ID", "REQUESTED", "ACTION", "ON", "RESULT", "FAILURE", "BY", "SOURCE", "REASON"});
  for (const auto& action : array(document, "actions")) {
    std::string kind = text(action, "kind");
    if (flag(action, "dry_run")) kind += " (dry)";
    if (flag(action, "force")) kind += " (forced)";
    table.add({std::to_string(whole(action, "id")), text(action, "requested"), kind, what(action),
               text(action, "result"), or_dash(text(action, "failure")),
               one_line(text(action, "principal")), text(action, "source"),
               or_dash(one_line(text(action, "reason")))});
  }
  std::string out = table.render();
  const auto& next = member(document, "next_before");
  if (!next.is_null())
    out += "more: --before " + std::to_string(whole(document, "next_before")) + "\n";
  return out;
}

std::optional<double> duration_argument(std::string_view text) {
  if (plain_seconds(text)) return std::stod(std::string(text));
  return unit_seconds(text, false);
}

}  // namespace netpower::ctl
