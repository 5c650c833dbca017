#pragma once
// Sends SNMPv2 notifications through the master snmpd (AgentX Notify), which delivers them to its
// trap sinks (trap2sink, trapsess, informsink). Call from the loop thread, after the subagent has
// started.

#include <string>

#include "agent/snmp/mib_tree.h"
#include "agent/snmp/ups_mib.h"

namespace netpower::agent::snmp {

// `trap` is the notification's OID (snmpTrapOID.0); sysUpTime.0 is added by net-snmp.
void send_notification(const std::string& name, const Oid& trap, const Varbinds& varbinds);

}  // namespace netpower::agent::snmp
