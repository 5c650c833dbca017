#pragma once
// The SNMP vocabulary the MIB knowledge reads: the manager's one Varbind and Oid types.

#include "manager/snmp/varbind.h"

namespace netpower::manager::mib {

using snmp::Oid;
using snmp::ValueType;
using snmp::Varbind;

}  // namespace netpower::manager::mib
