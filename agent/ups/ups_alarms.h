#pragma once
// RFC 1628's upsAlarmTable: the alarm conditions present now, each with its upsAlarmId and the
// time (sysUpTime) it was detected. Ids start at 1, increase with every new row, and wrap to the
// first free id >= 1 past the maximum; a condition present at the agent's first look gets time 0.

#include <cstdint>
#include <map>
#include <set>
#include <vector>

namespace netpower::agent::ups {

// The RFC's well-known alarms: the last arc of upsWellKnownAlarms (1.3.6.1.2.1.33.1.6.3.N).
enum class Alarm : int {
  kBatteryBad = 1,
  kOnBattery = 2,
  kLowBattery = 3,
  kDepletedBattery = 4,
  kTempBad = 5,
  kInputBad = 6,
  kOutputBad = 7,
  kOutputOverload = 8,
  kOnBypass = 9,
  kBypassBad = 10,
  kOutputOffAsRequested = 11,
  kUpsOffAsRequested = 12,
  kChargerFailed = 13,
  kUpsOutputOff = 14,
  kUpsSystemOff = 15,
  kFanFailure = 16,
  kFuseFailure = 17,
  kGeneralFault = 18,
  kDiagnosticTestFailed = 19,
  kCommunicationsLost = 20,
  kAwaitingPower = 21,
  kShutdownPending = 22,
  kShutdownImminent = 23,
  kTestInProgress = 24,
};

const char* to_string(Alarm alarm);
// upsTrapAlarmEntryAdded is not sent for these (RFC 1628: they have traps of their own).
bool announced_on_add(Alarm alarm);
// upsTrapAlarmEntryRemoved is not sent for upsAlarmTestInProgress.
bool announced_on_remove(Alarm alarm);

struct AlarmRow {
  long id;
  Alarm alarm;
  std::uint32_t time;  // sysUpTime ticks when detected; 0 for a condition present at start
};

class AlarmTable {
 public:
  static constexpr long kMaxId = 2147483647;
  explicit AlarmTable(long max_id = kMaxId) : max_id_(max_id) {}

  struct Change {
    std::vector<AlarmRow> added;
    std::vector<AlarmRow> removed;
  };
  // Makes the table hold exactly `present`; new rows are stamped `now_ticks` (0 on the first
  // update, when the conditions presumably existed before the agent started).
  Change update(const std::set<Alarm>& present, std::uint32_t now_ticks);

  // Sets every row's time to 0: the conditions were detected before the present sysUpTime began
  // (the master agent restarted), as the RFC has it for conditions present at start.
  void forget_times();

  // Rows in upsAlarmId order.
  std::vector<AlarmRow> rows() const;
  std::size_t size() const { return by_alarm_.size(); }
  bool has(Alarm alarm) const { return by_alarm_.count(alarm) != 0; }
  // Bumped whenever rows are added or removed (the MIB tree rebuilds on change).
  std::uint64_t generation() const { return generation_; }

 private:
  long next_free_id();

  long max_id_;
  long last_id_ = 0;
  bool first_update_ = true;
  std::map<Alarm, AlarmRow> by_alarm_;
  std::set<long> ids_in_use_;
  std::uint64_t generation_ = 0;
};

}  // namespace netpower::agent::ups
