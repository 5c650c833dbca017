#pragma once
// netpowerTickleTable of the NETPOWER-MIB (docs/tickle.md "The agent's tickle table"): one row per
// port of the chain. Writing 8 octets to netpowerTickleNonce starts a tickle through the model; a
// port whose tickle is still sending refuses the write with inconsistentValue, a value of another
// length with wrongLength, and a collector failure answers genErr (the row then reads failed).

#include "agent/model/chain_model.h"
#include "agent/snmp/mib_tree.h"

namespace netpower::agent::snmp {

inline constexpr std::size_t kTickleNonceOctets = 8;
inline constexpr std::size_t kTickleErrorMax = 255;  // netpowerTickleError SIZE(0..255)

// The table's columns as object types (so that a missing row answers noSuchInstance/noCreation).
void add_tickle_columns(MibTree& tree);
// The row of `port`, served from `model` (which must outlive the tree).
void add_tickle_row(MibTree& tree, ChainModel& model, core::PortId port);

// The nonce's octets, big-endian, and back (exactly kTickleNonceOctets octets).
std::string nonce_octets(std::uint64_t nonce);
std::uint64_t nonce_of_octets(const unsigned char* octets);

}  // namespace netpower::agent::snmp
