#pragma once
// Every OID the manager knows, in one place: the Sentry2-MIB (the patent's TABLE X, enterprise
// 1718), the UPS-MIB (RFC 1628) and our NETPOWER-MIB (mibs/NETPOWER-MIB.txt; its enterprise arc is
// RFC 5612's documentation number until one is assigned: change kNetpowerEnterprise here and in
// agent/snmp/netpower_oids.h). Names follow the MIB modules.

#include <cstdint>
#include <string_view>

#include "manager/mib/varbind.h"

namespace netpower::manager::mib {

// --- Sentry2-MIB: sentry2RemotePowerManager = 1.3.6.1.4.1.1718.2
inline const Oid kSentry2 = {1, 3, 6, 1, 4, 1, 1718, 2};
inline const Oid kSentry2Chain = {1, 3, 6, 1, 4, 1, 1718, 2, 1};
inline const Oid kSentry2ChainLocation0 = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 1, 0};
inline const Oid kSentry2ChainLastBoard0 = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 2, 0};
inline const Oid kSentry2BoardEntry = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 3, 1};
inline const Oid kSentry2PortEntry = {1, 3, 6, 1, 4, 1, 1718, 2, 1, 4, 1};
enum Sentry2BoardColumn : std::uint32_t {
  kBoardPageName = 2,
  kBoardCodeVersion = 3,
  kBoardTemperature = 4,
  kBoardInputLoad = 5,
};
enum Sentry2PortColumn : std::uint32_t {
  kPortPowerAction = 2,  // INTEGER powerOff(1) powerOn(2) reboot(3) noop(4), read-write
  kPortDeviceName = 3,
  kPortControlStatus = 4,
  kPortModuleStatus = 5,
  kPortDeviceLoad = 6,
};
inline const Oid kSentry2Error = {1, 3, 6, 1, 4, 1, 1718, 2, 2};
// Notifications: sentry2Events.<n>.
inline const Oid kSentry2Events = {1, 3, 6, 1, 4, 1, 1718, 2, 100, 0};
enum Sentry2Event : std::uint32_t {
  kChainStart = 1,
  kBoardTemperatureHighError = 2,
  kBoardTemperatureLowError = 3,
  kBoardTemperatureNormal = 4,
  kPortControlStatusChange = 5,
  kPortModuleStatusError = 6,
  kPortModuleStatusNormal = 7,
  kPortDeviceLoadHighError = 8,
  kPortDeviceLoadLowError = 9,
  kPortDeviceLoadNormal = 10,
  kBoardInputLoadHighError = 11,
  kBoardInputLoadLowError = 12,
  kBoardInputLoadNormal = 13,
};

// --- UPS-MIB (RFC 1628): upsMIB = 1.3.6.1.2.1.33
inline const Oid kUpsObjects = {1, 3, 6, 1, 2, 1, 33, 1};
inline const Oid kUpsTraps = {1, 3, 6, 1, 2, 1, 33, 2};
enum UpsTrap : std::uint32_t {
  kUpsTrapOnBattery = 1,
  kUpsTrapTestCompleted = 2,
  kUpsTrapAlarmEntryAdded = 3,
  kUpsTrapAlarmEntryRemoved = 4,
};
// upsWellKnownAlarms.<n> (upsAlarmDescr values).
inline constexpr const char* kUpsAlarmOnBattery = "1.3.6.1.2.1.33.1.6.3.2";
// upsOutputSource values.
inline constexpr double kOutputSourceNormal = 3;
inline constexpr double kOutputSourceBattery = 5;

// --- NETPOWER-MIB: netpowerObjects = enterprises.32473.1.1
inline const Oid kNetpowerEnterprise = {1, 3, 6, 1, 4, 1, 32473};
inline const Oid kNetpowerObjects = {1, 3, 6, 1, 4, 1, 32473, 1, 1};
inline const Oid kNetpowerChainConfig = {1, 3, 6, 1, 4, 1, 32473, 1, 1, 1};
inline const Oid kNetpowerBoardEntry = {1, 3, 6, 1, 4, 1, 32473, 1, 1, 2, 1};
inline const Oid kNetpowerPortEntry = {1, 3, 6, 1, 4, 1, 32473, 1, 1, 3, 1};
enum NetpowerPortColumn : std::uint32_t {
  kNpPortName = 2,
  kNpPortGroup = 3,
  kNpPortMinOnTime = 4,
  kNpPortMinOffTime = 5,
  kNpPortShutdownDelay = 6,
  kNpPortWakeUpState = 7,
  kNpPortLocked = 8,  // TruthValue: true(1), false(2)
  kNpPortLoadHigh = 9,
  kNpPortLoadLow = 10,
  kNpPortTrapControl = 11,
  kNpPortTrapModule = 12,
  kNpPortTrapLoad = 13,
};

// netpowerTickleTable (docs/tickle.md): one row per port, index the port's two characters.
inline const Oid kNetpowerTickleEntry = {1, 3, 6, 1, 4, 1, 32473, 1, 1, 5, 1};
enum NetpowerTickleColumn : std::uint32_t {
  kTickleNonce = 2,   // OCTET STRING (SIZE(0|8)), read-write: writing 8 octets starts a tickle
  kTickleStatus = 3,  // idle(1) sending(2) sent(3) failed(4)
  kTickleSentTime = 4,
  kTickleBitTime = 5,  // Unsigned32, microseconds
  kTickleError = 6,
};
// What netpower-host sends (docs/tickle.md "The answer"; host/host_oids.h has the same numbers):
// notifications netpowerMIB.0.20..22, their objects netpowerObjects.20.<n>.0.
inline const Oid kNetpowerHostHello = {1, 3, 6, 1, 4, 1, 32473, 1, 0, 20};
inline const Oid kNetpowerHostHeartbeat = {1, 3, 6, 1, 4, 1, 32473, 1, 0, 21};
inline const Oid kNetpowerTickleAnswer = {1, 3, 6, 1, 4, 1, 32473, 1, 0, 22};
inline const Oid kNetpowerHostNonce0 = {1, 3, 6, 1, 4, 1, 32473, 1, 1, 20, 1, 0};
inline const Oid kNetpowerHostId0 = {1, 3, 6, 1, 4, 1, 32473, 1, 1, 20, 2, 0};
inline const Oid kNetpowerHostName0 = {1, 3, 6, 1, 4, 1, 32473, 1, 1, 20, 3, 0};
inline const Oid kNetpowerHostBootId0 = {1, 3, 6, 1, 4, 1, 32473, 1, 1, 20, 4, 0};
inline const Oid kNetpowerHostSequence0 = {1, 3, 6, 1, 4, 1, 32473, 1, 1, 20, 5, 0};

// --- SNMPv2-MIB
inline const Oid kSysUpTime0 = {1, 3, 6, 1, 2, 1, 1, 3, 0};
inline const Oid kSnmpTrapOid0 = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
inline const Oid kSnmpTraps = {1, 3, 6, 1, 6, 3, 1, 1, 5};  // coldStart = .1, ...

// The subtrees a poll walks by default, in order: the Sentry2-MIB chain group, the UPS-MIB
// objects, and of the NETPOWER-MIB the port settings table (what decoding reads: groups, locks) —
// not its group-action rows (one per user), nor the tickle table (the actions read the rows they
// write), which would cost 104 x 5 varbinds per poll of a 26-board chain for nothing.
inline const Oid kNetpowerPortTable = {1, 3, 6, 1, 4, 1, 32473, 1, 1, 3};
inline const Oid kDefaultPollSubtrees[] = {kSentry2Chain, kUpsObjects, kNetpowerPortTable};

// Fixed-size string indexes (Sentry2BoardId, Sentry2PortId): one arc per character, no length arc
// ("A1" = .65.49).
Oid port_index(std::string_view port);  // "A1" -> {65, 49}
// The instance of a port's column: kSentry2PortEntry.<column>.<index>.
Oid sentry2_port_oid(Sentry2PortColumn column, std::string_view port);
Oid netpower_port_oid(NetpowerPortColumn column, std::string_view port);
Oid netpower_tickle_oid(NetpowerTickleColumn column, std::string_view port);

}  // namespace netpower::manager::mib
