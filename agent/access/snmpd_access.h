#pragma once
// The patent's per-user outlet permissions, enforced by the master snmpd: the subagent never learns
// who sent a request, so netpower turns the agent's access list into snmpd.conf VACM lines (one
// group and one write view per user) that the operator includes from snmpd.conf. The text names
// the users but holds no keys; the operator creates the users (createUser) with their own keys.

#include <string>

#include "agent/agent_config.h"

namespace netpower::agent::access {

// snmpd.conf lines for `access` (see docs/access.md): a header comment that says how to include
// them, a read view shared by every user (the Sentry2 chain and error groups, system, UPS-MIB,
// NETPOWER-MIB), and per user an SNMPv3 authPriv `group` + `access` whose write view holds
//   - a user: only the sentry2PortPowerAction rows of its ports and the Target and Command columns
//     of its own netpowerGroupActionTable row;
//   - an admin: every sentry2PortPowerAction, the whole NETPOWER-MIB configuration (every
//     group-action row included) and the writable UPS-MIB groups.
// `source` names the configuration file in the header comment. Without users the text is a
// comment that says so. Throws std::invalid_argument for a user name that the configuration
// reader would have refused (empty, longer than kUserNameMax, or other than letters, digits, '-',
// '_' and '.'), since such a name could not be written into snmpd.conf unquoted.
std::string snmpd_access_config(const AccessSettings& access, const std::string& source);

// The instance suffix of `user`'s netpowerGroupActionTable row: the length, then one
// sub-identifier per octet ("alice" = ".5.97.108.105.99.101").
std::string user_row_index(const std::string& user);

}  // namespace netpower::agent::access
