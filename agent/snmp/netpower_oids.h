#pragma once
// The NETPOWER-MIB's object identifiers (mibs/NETPOWER-MIB.txt). The enterprise arc is RFC 5612's
// documentation number until a private enterprise number is assigned: change kNetpowerEnterprise
// here and in the MIB module, nothing else.

#include "agent/snmp/mib_tree.h"

namespace netpower::agent::snmp {

inline const Oid kNetpowerEnterprise = {1, 3, 6, 1, 4, 1, 32473};
// netpowerMIB MODULE-IDENTITY ::= { enterprises 32473 1 }
inline const Oid kNetpowerMib = kNetpowerEnterprise + Oid{1};
// netpowerObjects ::= { netpowerMIB 1 }
inline const Oid kNetpowerObjects = kNetpowerMib + Oid{1};

// netpowerChainConfig ::= { netpowerObjects 1 }: scalars, instance .0
inline const Oid kNpChainConfig = kNetpowerObjects + Oid{1};
enum NpChainScalar : oid {
  kNpChainLocation = 1,      // DisplayString (SIZE(0..32)), read-write
  kNpFactoryReset = 2,       // INTEGER { noop(1), reset(2) }, read-write; reads noop
  kNpSettingsChanges = 3,    // Counter32, read-only: settings changes saved since start
  kNpSettingsSaveError = 4,  // DisplayString (SIZE(0..255)), read-only: "" or why the last
                             // save failed
};

// netpowerBoardConfigTable ::= { netpowerObjects 2 }, entry .1, INDEX { netpowerBoardConfigIndex }
// (Sentry2BoardId: one letter, no length octet, as in the Sentry2-MIB: board C = .67)
inline const Oid kNpBoardEntry = kNetpowerObjects + Oid{2, 1};
enum NpBoardColumn : oid {
  kNpBoardIndex = 1,          // not-accessible
  kNpBoardPageName = 2,       // DisplayString (SIZE(0..24))
  kNpBoardTempHigh = 3,       // Integer32 (1..125), degrees Celsius
  kNpBoardTempLow = 4,        // Integer32 (1..125)
  kNpBoardInputLoadHigh = 5,  // Integer32 (1..240), amperes
  kNpBoardInputLoadLow = 6,   // Integer32 (1..240)
  kNpBoardTrapStart = 7,      // TruthValue (STRT; the chain's start trap follows board A's)
  kNpBoardTrapTemp = 8,       // TruthValue (TEMP)
  kNpBoardTrapInputLoad = 9,  // TruthValue (INLD)
};

// netpowerPortConfigTable ::= { netpowerObjects 3 }, entry .1, INDEX { netpowerPortConfigIndex }
// (Sentry2PortId: two characters, no length octet: port A1 = .65.49)
inline const Oid kNpPortEntry = kNetpowerObjects + Oid{3, 1};
enum NpPortColumn : oid {
  kNpPortIndex = 1,          // not-accessible
  kNpPortName = 2,           // DisplayString (SIZE(0..24))
  kNpPortGroup = 3,          // DisplayString (SIZE(0..8)); "" = no group
  kNpPortMinOnTime = 4,      // Integer32 (0..86400), seconds
  kNpPortMinOffTime = 5,     // Integer32 (0..86400), seconds
  kNpPortShutdownDelay = 6,  // Integer32 (0..480), seconds; 0 = disabled
  kNpPortWakeUpState = 7,    // INTEGER { on(1), off(2) }
  kNpPortLocked = 8,         // TruthValue
  kNpPortLoadHigh = 9,       // Integer32 (1..60), amperes
  kNpPortLoadLow = 10,       // Integer32 (1..60)
  kNpPortTrapControl = 11,   // TruthValue (CSTA)
  kNpPortTrapModule = 12,    // TruthValue (MSTA)
  kNpPortTrapLoad = 13,      // TruthValue (LOAD)
};

// netpowerGroupActionTable ::= { netpowerObjects 4 }, entry .1,
// INDEX { netpowerGroupActionUser } (SnmpAdminString (SIZE(1..32)), length-prefixed).
// One row per user of the agent's access list; snmpd's VACM lets each user write only its own
// row, so the agent knows whose permissions to apply.
inline const Oid kNpGroupActionEntry = kNetpowerObjects + Oid{4, 1};
enum NpGroupActionColumn : oid {
  kNpGroupActionUser = 1,          // not-accessible
  kNpGroupActionTarget = 2,        // DisplayString (SIZE(1..24)), read-write: a group, a port
                                   // (".A1", "A1", or its name) or "ALL"
  kNpGroupActionCommand = 3,       // INTEGER { powerOff(1), powerOn(2), reboot(3), noop(4) },
                                   // read-write; setting it acts on the target; reads the last
  kNpGroupActionActed = 4,         // Gauge32, read-only: ports that acted (or will, when held)
  kNpGroupActionLocked = 5,        // Gauge32: ports that were locked
  kNpGroupActionNotPermitted = 6,  // Gauge32: ports this user may not switch
  kNpGroupActionFailed = 7,        // Gauge32: ports the hardware failed
  kNpGroupActionResult = 8,        // DisplayString: "3 port(s) turned off, 1 port(s) locked"
};

// netpowerTickleTable ::= { netpowerObjects 5 }, entry .1, INDEX { netpowerTicklePort }
// (Sentry2PortId: two characters, no length octet: port A1 = .65.49). docs/tickle.md.
inline const Oid kNpTickleEntry = kNetpowerObjects + Oid{5, 1};
enum NpTickleColumn : oid {
  kNpTicklePort = 1,      // not-accessible
  kNpTickleNonce = 2,     // OCTET STRING (SIZE(0|8)), read-write: writing 8 octets (the nonce,
                          // big-endian) starts a tickle; reads the last nonce, "" before the first
  kNpTickleStatus = 3,    // INTEGER { idle(1), sending(2), sent(3), failed(4) }
  kNpTickleSentTime = 4,  // TimeStamp: when the last tickle started, 0 before the first
  kNpTickleBitTime = 5,   // Unsigned32, microseconds: the agent's tickle.bit_time
  kNpTickleError = 6,     // DisplayString (SIZE(0..255)): why the last tickle failed, or ""
};

}  // namespace netpower::agent::snmp
