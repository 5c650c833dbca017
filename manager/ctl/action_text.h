#pragma once
// netpowerctl's power actions as text: the progress lines printed as each step completes, the
// summary of each action, one action with its steps (audit ID) and the audit trail's table, from
// the records of docs/api.md. Pure functions; a record that does not follow the schema throws
// std::runtime_error.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace netpower::ctl {

// What an action acts on, for people: "rack12-pdu.A1" (one outlet), "web1" (a host on two),
// "rack12-pdu.A1+rack12-pdu.B1", or the target as requested when no outlet was resolved.
std::string action_label(const nlohmann::json& action);

// One progress line: "rack12-pdu.A1  tickle     ok      0.12 s  nonce 3fa2...". A step that names
// its outlet ("tickle A1") is labelled with it. `label_width`: the labels' column.
std::string step_line(const nlohmann::json& action, const nlohmann::json& step,
                      std::size_t label_width);

// Prints each step once, when it has ended (in order; every remaining step once the action has
// finished).
class Progress {
 public:
  // `actions`: the records as submitted (their labels set the column's width).
  explicit Progress(const nlohmann::json& actions);
  // The lines of `action`'s steps that ended since the last call for it.
  std::string update(const nlohmann::json& action);

 private:
  std::size_t width_ = 0;
  std::map<std::uint64_t, std::size_t> printed_;
};

// "action 17 reboot web1 (rack12-pdu.A1): succeeded in 10.17 s", "...: refused (wrong-host):
// answered by web2; nothing was switched", "...: FAILED (verify-load): ...", "...: still pending".
std::string action_summary(const nlohmann::json& action);

// The worst result among `actions`: failed (3) over refused (2) over succeeded or pending (0).
int actions_exit_status(const nlohmann::json& actions);
bool finished(const nlohmann::json& action);

// audit ID: the action's fields, then one line per step.
std::string render_action(const nlohmann::json& action);
// audit: one line per action (GET /api/v1/actions), and the next page's option when there is one.
std::string render_audit(const nlohmann::json& document);

// What --timeout takes: seconds ("900", "2.5") or a duration ("15m", "90s", "1h30m", "500ms").
std::optional<double> duration_argument(std::string_view text);

}  // namespace netpower::ctl
