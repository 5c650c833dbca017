#pragma once
// The recorded walk the agent farm serves (recorded_walk.txt, written by record_walk.sh): each
// varbind pre-encoded once, sorted by OID, so that answering a request is a binary search and a
// memcpy per varbind.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "manager/snmp/varbind.h"

namespace netpower::bench {

struct RecordedVarbind {
  manager::snmp::Oid oid;
  std::vector<std::uint8_t> encoded;  // the whole varbind: SEQUENCE { oid, value }
};

// Reads "<oid> <type> <value>" lines ('#' comments; STRING values in hex, "-" for empty). Throws
// std::runtime_error naming the file and line.
std::vector<RecordedVarbind> load_recording(const std::filesystem::path& file);

}  // namespace netpower::bench
