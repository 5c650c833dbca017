#pragma once
// CRC-32 (IEEE 802.3, the one of zlib and PNG) for the spool file format.

#include <cstddef>
#include <cstdint>

namespace netpower::manager::store::detail {

// `crc` continues a previous call; start with 0.
std::uint32_t crc32(const void* data, std::size_t size, std::uint32_t crc = 0);

}  // namespace netpower::manager::store::detail
