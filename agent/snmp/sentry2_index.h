#pragma once
// Sentry2-MIB table indexes. Sentry2BoardId and Sentry2PortId are fixed-size strings (SIZE(1),
// SIZE(2)), so RFC 2578 section 7.7 encodes them without a length byte: board C is .67, port A1 is
// .65.49.

#include <optional>

#include "agent/snmp/mib_tree.h"
#include "core/ids.h"

namespace netpower::agent::snmp {

Oid board_index(core::BoardId board);
Oid port_index(core::PortId port);
// Decode an index that is exactly the instance part of an OID; nullopt if it is not a valid id.
std::optional<core::BoardId> decode_board_index(const oid* index, std::size_t len);
std::optional<core::PortId> decode_port_index(const oid* index, std::size_t len);

}  // namespace netpower::agent::snmp
