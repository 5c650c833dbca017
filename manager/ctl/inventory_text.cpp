#include "manager/ctl/inventory_text.h"

#include <map>

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

// "12s ago" against the document's time, "-" without one.
std::string ago(const std::string& when, const std::optional<double>& now) {
  const auto t = parse_rfc3339(when);
  if (!t || !now) return "-";
  return format_age(std::max(0.0, *now - *t)) + " ago";
}

bool wrong_verdict(const std::string& verdict) {
  return verdict == "mismatch" || verdict == "unexpected" || verdict == "missing";
}

// An id as people compare them: the first 12 characters.
std::string short_id(std::string id) {
  if (id.size() > 12) id = id.substr(0, 12) + "...";
  return or_dash(one_line(std::move(id)));
}

}  // namespace

std::string render_discovery(const json& report) {
  Table table({"OUTLET", "BELIEVED", "FOUND", "HOST ID", "HOSTNAME", "VERDICT"});
  std::map<std::string, int> counts;
  const auto& entries = array(report, "entries");
  for (const auto& entry : entries) {
    const std::string verdict = text(entry, "verdict");
    ++counts[verdict];
    std::string found = text(entry, "found_host");
    if (found.empty() && !text(entry, "found_host_id").empty()) found = "(not in the inventory)";
    table.add({outlet_text(entry), or_dash(one_line(text(entry, "believed_host"))),
               or_dash(one_line(found)), short_id(text(entry, "found_host_id")),
               or_dash(one_line(text(entry, "hostname"))),
               wrong_verdict(verdict) ? verdict + " !" : verdict});
  }
  std::string out = entries.empty() ? std::string() : table.render() + "\n";
  out += std::to_string(entries.size()) + " outlet(s)";
  std::string sep = ": ";
  for (const char* verdict : {"match", "mismatch", "unexpected", "missing", "empty", "pending"}) {
    if (counts[verdict] == 0) continue;
    out += sep + std::to_string(counts[verdict]) + " " + verdict;
    sep = ", ";
  }
  const auto wrong = whole(report, "wrong");
  if (!flag(report, "complete")) {
    out += "; not complete";
  } else if (wrong == 0) {
    out += "; the inventory is right";
  } else {
    out += "; the inventory is wrong at " + std::to_string(wrong) + " outlet(s)";
  }
  return out + "\n";
}

std::string render_bindings(const json& document) {
  const auto now = parse_rfc3339(text(document, "generated_at"));
  Table table(
      {"OUTLET", "BELIEVED", "FOUND", "HOST ID", "HOSTNAME", "LEARNED", "CONFIRMED", "VERDICT"});
  for (const auto& view : array(document, "bindings")) {
    const auto& learned = member(view, "learned");
    std::string found = "-", id = "-", hostname = "-", when = "-", confirmed = "-";
    if (!learned.is_null()) {
      found = or_dash(one_line(text(learned, "host_name")));
      id = short_id(text(learned, "host_id"));
      hostname = or_dash(one_line(text(learned, "hostname")));
      when = ago(text(learned, "learned"), now);
      confirmed = std::to_string(whole(learned, "confirmations")) + "x";
    }
    const std::string verdict = text(view, "verdict");
    table.add({outlet_text(view), or_dash(one_line(text(view, "believed_host"))), found, id,
               hostname, when, confirmed,
               verdict == "disagree" || verdict == "unexpected" ? verdict + " !" : verdict});
  }
  return table.render();
}

std::string render_hosts(const json& document) {
  const auto now = parse_rfc3339(text(document, "generated_at"));
  Table table(
      {"HOST", "HOST ID", "OUTLETS", "ANSWERS", "STATE", "LAST SEEN", "BOOT ID", "ADDRESS"});
  for (const auto& host : array(document, "hosts")) {
    std::string outlets;
    for (const auto& outlet : array(host, "outlets")) {
      outlets += (outlets.empty() ? "" : ",") + outlet_text(outlet);
    }
    const bool answers = flag(host, "answers");
    std::string state = flag(host, "up") ? "up" : "down";
    if (!answers) state = "-";
    if (flag(host, "conflict")) state += " CONFLICT";
    table.add({one_line(text(host, "name")), short_id(text(host, "host_id")), or_dash(outlets),
               answers ? "yes" : "no", state, ago(text_or_null(host, "last_seen"), now),
               short_id(text(host, "boot_id")), or_dash(one_line(text(host, "address")))});
  }
  return table.render();
}

}  // namespace netpower::ctl
