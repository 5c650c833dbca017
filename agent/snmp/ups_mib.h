#pragma once
// RFC 1628's UPS-MIB (mib-2.33) served from the UPS model: upsIdent, upsBattery, upsInput,
// upsOutput, upsBypass (when the UPS reports one), upsAlarm, upsTest, upsControl and upsConfig,
// in the RFC's units and types, and the varbinds of its four notifications.

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "agent/snmp/mib_tree.h"
#include "agent/ups/ups_model.h"

namespace netpower::agent::snmp {

inline const Oid kUpsMibRoot = {1, 3, 6, 1, 2, 1, 33};
inline const Oid kUpsObjects = kUpsMibRoot + Oid{1};
inline const Oid kUpsTraps = kUpsMibRoot + Oid{2};
inline const Oid kUpsWellKnownAlarms = kUpsObjects + Oid{6, 3};
inline const Oid kUpsWellKnownTests = kUpsObjects + Oid{7, 7};
inline const Oid kUpsTrapOnBattery = kUpsTraps + Oid{1};
inline const Oid kUpsTrapTestCompleted = kUpsTraps + Oid{2};
inline const Oid kUpsTrapAlarmEntryAdded = kUpsTraps + Oid{3};
inline const Oid kUpsTrapAlarmEntryRemoved = kUpsTraps + Oid{4};

using Varbinds = std::vector<std::pair<Oid, Value>>;

class UpsMib {
 public:
  UpsMib(ups::UpsModel& model, std::string agent_version)
      : model_(model), agent_version_(std::move(agent_version)) {}

  // The instances to serve now; rebuilt when alarm rows come or go. Loop thread.
  const MibTree& tree();

  // The notifications' varbinds (without sysUpTime and snmpTrapOID).
  Varbinds on_battery_varbinds() const;
  Varbinds test_completed_varbinds() const;
  Varbinds alarm_varbinds(const ups::AlarmRow& row) const;

 private:
  void rebuild();
  void add_scalar(const Oid& oid, std::function<std::optional<Value>()> get);
  void add_writable(const Oid& oid, std::function<std::optional<Value>()> get,
                    std::function<int(const SetRequest&)> check,
                    std::function<int(const SetRequest&)> commit,
                    std::function<int(const SetRequest&)> check_together = {});
  void add_ident();
  void add_battery();
  void add_input();
  void add_output();
  void add_bypass();
  void add_alarms();
  void add_test();
  void add_control();
  void add_config();
  bool has_bypass() const;

  // A measured value scaled to the RFC's unit, or nothing while the UPS cannot be read.
  std::optional<Value> measured(const char* name, double scale) const;
  std::optional<Value> rating(const char* name, double scale) const;
  std::optional<Value> output_frequency() const;

  ups::UpsModel& model_;
  std::string agent_version_;
  MibTree tree_;
  std::uint64_t built_for_ = std::numeric_limits<std::uint64_t>::max();
  long spin_lock_request_ = -1;  // the request that carried a valid upsTestSpinLock
  // The SET being committed has upsTestId without upsTestSpinLock (NUT's snmp-ups). A flag, not a
  // request id: through AgentX the commit comes in another PDU than the test phase.
  bool test_id_alone_ = false;
};

}  // namespace netpower::agent::snmp
