// Actions on groups, port names and ALL: each member acts under its own rules, and the result
// counts them as the patent's console did ("n port(s) turned off, m port(s) locked").

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "agent/model/chain_model.h"

namespace netpower::agent {

using core::PortId;

namespace {

bool same_text(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

const char* verb(PowerAction action) {
  switch (action) {
    case PowerAction::kOff:
      return "turned off";
    case PowerAction::kOn:
      return "turned on";
    case PowerAction::kReboot:
      return "rebooted";
    case PowerAction::kNoop:
      return "left as they are";
  }
  return "acted";
}

}  // namespace

std::vector<PortId> ChainModel::resolve_target(const std::string& target) const {
  std::vector<PortId> ports;
  if (target.empty()) return ports;
  int present = board_count_ * core::kPortsPerBoard;
  if (same_text(target, "ALL")) {
    for (int flat = 0; flat < present; ++flat) ports.push_back(PortId::from_flat(flat));
    return ports;
  }
  if (auto id = PortId::parse(target)) {
    if (has_port(*id)) ports.push_back(*id);
    return ports;
  }
  for (int flat = 0; flat < present; ++flat) {
    auto id = PortId::from_flat(flat);
    const auto& settings = settings_.port(id);
    if ((!settings.group.empty() && same_text(settings.group, target)) ||
        (!settings.name.empty() && same_text(settings.name, target))) {
      ports.push_back(id);
    }
  }
  return ports;
}

std::optional<GroupResult> ChainModel::act_group(const std::string& target, PowerAction action,
                                                 const std::function<bool(PortId)>& may_switch) {
  auto ports = resolve_target(target);
  if (ports.empty()) return std::nullopt;
  if (may_switch && same_text(target, "ALL")) {
    // The patent: a user's ALL is every port that user may switch, so the others are not
    // "not permitted" there. A group or a port named explicitly still counts them.
    std::erase_if(ports, [&](PortId id) { return !may_switch(id); });
  }
  GroupResult result;
  bool any_done = false;
  for (auto id : ports) {
    if (may_switch && !may_switch(id)) {
      ++result.not_permitted;
      continue;
    }
    auto r = apply(id, action);
    switch (r.outcome) {
      case ActionResult::Outcome::kDone:
        any_done = true;
        [[fallthrough]];
      case ActionResult::Outcome::kDeferred:
        ++result.acted;
        break;
      case ActionResult::Outcome::kLocked:
        ++result.locked;
        break;
      case ActionResult::Outcome::kFailed:
        ++result.failed;
        break;
    }
  }
  if (any_done && action != PowerAction::kNoop) refresh();
  result.text = std::to_string(result.acted) + " port(s) " + verb(action) + ", " +
                std::to_string(result.locked) + " port(s) locked";
  if (result.not_permitted > 0) {
    result.text += ", " + std::to_string(result.not_permitted) + " port(s) not permitted";
  }
  if (result.failed > 0) result.text += ", " + std::to_string(result.failed) + " port(s) failed";
  spdlog::info("{} on '{}': {}", to_string(action), target, result.text);
  return result;
}

}  // namespace netpower::agent
