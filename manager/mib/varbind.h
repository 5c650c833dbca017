#pragma once
// The SNMP vocabulary the MIB knowledge reads: the manager's one Varbind and Oid types.

#include "manager/poller/varbind.h"

namespace netpower::manager::mib {

using poller::Oid;
using poller::ValueType;
using poller::Varbind;

}  // namespace netpower::manager::mib
