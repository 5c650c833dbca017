#include "manager/mib/samples.h"

namespace netpower::manager::mib {

std::vector<model::Sample> poll_samples(const PollFacts& poll, const AgentReadings* readings) {
  std::vector<model::Sample> out;
  auto add = [&](model::ObjectKind kind, const std::string& key, const char* metric, double value) {
    out.push_back({poll.agent, kind, key, metric, poll.started, value});
  };
  if (readings != nullptr) {
    out.reserve(readings->chain.boards.size() * 2 + readings->chain.ports.size() * 2 + 2 +
                (readings->ups ? readings->ups->values.size() : 0));
    for (const auto& board : readings->chain.boards) {
      if (board.temperature_c) {
        add(model::ObjectKind::kBoard, board.id, kMetricBoardTemperature, *board.temperature_c);
      }
      if (board.input_load_amps) {
        add(model::ObjectKind::kBoard, board.id, kMetricBoardInputCurrent, *board.input_load_amps);
      }
    }
    for (const auto& port : readings->chain.ports) {
      if (port.control == "On" || port.control == "Off") {
        add(model::ObjectKind::kPort, port.id, kMetricOutletOn, port.control == "On" ? 1.0 : 0.0);
      }
      if (port.load_amps) {
        add(model::ObjectKind::kPort, port.id, kMetricOutletCurrent, *port.load_amps);
      }
    }
    if (readings->ups) {
      for (const auto& [metric, value] : readings->ups->values) {
        out.push_back({poll.agent, model::ObjectKind::kUps, "", metric, poll.started, value});
      }
    }
  }
  add(model::ObjectKind::kAgent, "", kMetricUp, poll.ok ? 1.0 : 0.0);
  if (poll.ok) {
    add(model::ObjectKind::kAgent, "", kMetricPollDuration,
        std::chrono::duration<double>(poll.duration).count());
  }
  return out;
}

}  // namespace netpower::manager::mib
