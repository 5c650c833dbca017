#pragma once
// net-snmp's own messages (snmp_log: "security service 3 error parsing ScopedPDU" for every
// undecodable v3 message, "Created directory: ..." at start) go to spdlog under the receiver's
// rate limit (log_limit.h), prefixed "traps: net-snmp:", instead of net-snmp's default handler,
// which writes every one of them to stderr.

#include <cstdint>

namespace netpower::manager::traps::detail {

// Installs the route once per process (later calls do nothing). Call before init_snmp(), so that
// net-snmp never falls back to stderr. Any thread; net-snmp's calls are serialised by the engine.
void route_netsnmp_logging();

// net-snmp messages seen since the route was installed, logged or not (tests).
std::uint64_t netsnmp_messages_seen();

}  // namespace netpower::manager::traps::detail
