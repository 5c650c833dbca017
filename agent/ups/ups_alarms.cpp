#include "agent/ups/ups_alarms.h"

#include <algorithm>

namespace netpower::agent::ups {

const char* to_string(Alarm alarm) {
  switch (alarm) {
    case Alarm::kBatteryBad:
      return "upsAlarmBatteryBad";
    case Alarm::kOnBattery:
      return "upsAlarmOnBattery";
    case Alarm::kLowBattery:
      return "upsAlarmLowBattery";
    case Alarm::kDepletedBattery:
      return "upsAlarmDepletedBattery";
    case Alarm::kTempBad:
      return "upsAlarmTempBad";
    case Alarm::kInputBad:
      return "upsAlarmInputBad";
    case Alarm::kOutputBad:
      return "upsAlarmOutputBad";
    case Alarm::kOutputOverload:
      return "upsAlarmOutputOverload";
    case Alarm::kOnBypass:
      return "upsAlarmOnBypass";
    case Alarm::kBypassBad:
      return "upsAlarmBypassBad";
    case Alarm::kOutputOffAsRequested:
      return "upsAlarmOutputOffAsRequested";
    case Alarm::kUpsOffAsRequested:
      return "upsAlarmUpsOffAsRequested";
    case Alarm::kChargerFailed:
      return "upsAlarmChargerFailed";
    case Alarm::kUpsOutputOff:
      return "upsAlarmUpsOutputOff";
    case Alarm::kUpsSystemOff:
      return "upsAlarmUpsSystemOff";
    case Alarm::kFanFailure:
      return "upsAlarmFanFailure";
    case Alarm::kFuseFailure:
      return "upsAlarmFuseFailure";
    case Alarm::kGeneralFault:
      return "upsAlarmGeneralFault";
    case Alarm::kDiagnosticTestFailed:
      return "upsAlarmDiagnosticTestFailed";
    case Alarm::kCommunicationsLost:
      return "upsAlarmCommunicationsLost";
    case Alarm::kAwaitingPower:
      return "upsAlarmAwaitingPower";
    case Alarm::kShutdownPending:
      return "upsAlarmShutdownPending";
    case Alarm::kShutdownImminent:
      return "upsAlarmShutdownImminent";
    case Alarm::kTestInProgress:
      return "upsAlarmTestInProgress";
  }
  return "upsAlarmUnknown";
}

bool announced_on_add(Alarm alarm) {
  return alarm != Alarm::kOnBattery && alarm != Alarm::kTestInProgress;
}

bool announced_on_remove(Alarm alarm) { return alarm != Alarm::kTestInProgress; }

long AlarmTable::next_free_id() {
  long id = last_id_;
  // At most size()+1 probes: the table never holds more than 24 rows.
  for (;;) {
    id = id >= max_id_ ? 1 : id + 1;
    if (ids_in_use_.count(id) == 0) return id;
  }
}

AlarmTable::Change AlarmTable::update(const std::set<Alarm>& present, std::uint32_t now_ticks) {
  Change change;
  for (auto it = by_alarm_.begin(); it != by_alarm_.end();) {
    if (present.count(it->first) == 0) {
      change.removed.push_back(it->second);
      ids_in_use_.erase(it->second.id);
      it = by_alarm_.erase(it);
    } else {
      ++it;
    }
  }
  for (Alarm alarm : present) {
    if (by_alarm_.count(alarm) != 0) continue;
    AlarmRow row{next_free_id(), alarm, first_update_ ? 0u : now_ticks};
    last_id_ = row.id;
    ids_in_use_.insert(row.id);
    by_alarm_.emplace(alarm, row);
    change.added.push_back(row);
  }
  first_update_ = false;
  if (!change.added.empty() || !change.removed.empty()) ++generation_;
  return change;
}

void AlarmTable::forget_times() {
  bool changed = false;
  for (auto& [_, row] : by_alarm_) {
    changed = changed || row.time != 0;
    row.time = 0;
  }
  if (changed) ++generation_;
}

std::vector<AlarmRow> AlarmTable::rows() const {
  std::vector<AlarmRow> out;
  for (const auto& [_, row] : by_alarm_) out.push_back(row);
  std::sort(out.begin(), out.end(),
            [](const AlarmRow& a, const AlarmRow& b) { return a.id < b.id; });
  return out;
}

}  // namespace netpower::agent::ups
