#include "manager/model/action.h"

#include <array>
#include <cstddef>

namespace netpower::manager::model {
namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> from_names(const std::array<const char*, N>& names, std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (text == names[i]) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

constexpr std::array<const char*, 4> kKinds = {"tickle", "off", "on", "reboot"};
constexpr std::array<const char*, 5> kSources = {"cli", "api", "automation", "shutdown", "rollout"};
constexpr std::array<const char*, 4> kResults = {"pending", "succeeded", "refused", "failed"};
constexpr std::array<const char*, 4> kOutcomes = {"running", "ok", "failed", "skipped"};

}  // namespace

const char* to_string(ActionKind kind) { return kKinds[static_cast<std::size_t>(kind)]; }
std::optional<ActionKind> action_kind_from_string(std::string_view text) {
  return from_names<ActionKind>(kKinds, text);
}
const char* to_string(ActionSource source) { return kSources[static_cast<std::size_t>(source)]; }
std::optional<ActionSource> action_source_from_string(std::string_view text) {
  return from_names<ActionSource>(kSources, text);
}
const char* to_string(ActionResult result) { return kResults[static_cast<std::size_t>(result)]; }
std::optional<ActionResult> action_result_from_string(std::string_view text) {
  return from_names<ActionResult>(kResults, text);
}
const char* to_string(StepOutcome outcome) { return kOutcomes[static_cast<std::size_t>(outcome)]; }
std::optional<StepOutcome> step_outcome_from_string(std::string_view text) {
  return from_names<StepOutcome>(kOutcomes, text);
}

}  // namespace netpower::manager::model
