#include "manager/poller/sentry2_samples.h"

#include <cctype>
#include <charconv>
#include <string>

namespace netpower::manager::poller {

namespace {

// sentry2BoardEntry and sentry2PortEntry (DESIGN.md, Sentry2-MIB).
const Oid kBoardEntry = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 3, 1};
const Oid kPortEntry = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 4, 1};
constexpr std::uint32_t kBoardTemperature = 4;
constexpr std::uint32_t kBoardInputLoad = 5;
constexpr std::uint32_t kPortControlStatus = 4;
constexpr std::uint32_t kPortDeviceLoad = 6;

// Fixed-size string indexes: one arc per character, no length arc.
std::optional<std::string> index_text(const Oid& oid, std::size_t from, std::size_t length) {
  if (oid.size() != from + length) return std::nullopt;
  std::string out;
  for (std::size_t i = from; i < oid.size(); ++i) {
    if (oid[i] < 0x21 || oid[i] > 0x7e) return std::nullopt;
    out.push_back(static_cast<char>(oid[i]));
  }
  return out;
}

}  // namespace

std::optional<double> parse_sentry2_number(std::string_view text) {
  if (text == "Not On") return 0.0;
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  std::string_view unit;
  if (text.ends_with("Deg C")) {
    unit = "Deg C";
  } else if (text.ends_with("A")) {
    unit = "A";
  } else {
    return std::nullopt;
  }
  text.remove_suffix(unit.size());
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::vector<model::Sample> sentry2_samples(const PollResult& result) {
  std::vector<model::Sample> out;
  auto add = [&](model::ObjectKind kind, std::string key, const char* metric, double value) {
    out.push_back({result.agent, kind, std::move(key), metric, result.started, value});
  };
  for (const auto& vb : result.varbinds) {
    if (vb.type != ValueType::kOctetString) continue;
    const std::size_t column = kBoardEntry.size();
    if (vb.oid.size() > column && starts_with(vb.oid, kBoardEntry)) {
      const auto board = index_text(vb.oid, column + 1, 1);
      if (!board) continue;
      const auto value = parse_sentry2_number(vb.octets);
      if (!value) continue;
      if (vb.oid[column] == kBoardTemperature && vb.octets.ends_with("Deg C")) {
        add(model::ObjectKind::kBoard, *board, kMetricBoardTemperature, *value);
      } else if (vb.oid[column] == kBoardInputLoad && vb.octets.ends_with("A")) {
        add(model::ObjectKind::kBoard, *board, kMetricBoardInputCurrent, *value);
      }
    } else if (vb.oid.size() > column && starts_with(vb.oid, kPortEntry)) {
      const auto port = index_text(vb.oid, column + 1, 2);
      if (!port) continue;
      if (vb.oid[column] == kPortDeviceLoad) {
        if (auto value = parse_sentry2_number(vb.octets)) {
          add(model::ObjectKind::kPort, *port, kMetricOutletCurrent, *value);
        }
      } else if (vb.oid[column] == kPortControlStatus) {
        if (vb.octets == "On" || vb.octets == "Off") {
          add(model::ObjectKind::kPort, *port, kMetricOutletOn, vb.octets == "On" ? 1.0 : 0.0);
        }
      }
    }
  }
  add(model::ObjectKind::kAgent, "", kMetricUp, result.ok() ? 1.0 : 0.0);
  if (result.ok()) {
    add(model::ObjectKind::kAgent, "", kMetricPollDuration,
        std::chrono::duration<double>(result.duration).count());
  }
  return out;
}

}  // namespace netpower::manager::poller
