#pragma once
// The spool file format: one batch per file, versioned and checksummed. The parser does no I/O
// (bytes in, {ok, truncated, bad} out), bounds every length by the bytes it has, and is what the
// unit tests and the fuzz target hit.
//
// Layout (integers little-endian):
//   0  8  magic "NPSPOOL\n"
//   8  2  version (1)
//  10  2  flags (0)
//  12  4  sample count
//  16  4  event count
//  20  4  payload length
//  24  4  CRC-32 of bytes 8..23 and of the payload
//  28  .  payload: str batch_id, then per sample: str agent, u8 kind, str key, str metric,
//         i64 time (µs since the Unix epoch), f64 value (IEEE bits as u64); then per event:
//         str agent, i64 time, u8 kind, str oid, str varbinds_json, str text.
//         str = u32 length + bytes.

#include <cstdint>
#include <string>
#include <string_view>

#include "manager/store/detail/batch.h"

namespace netpower::manager::store::detail {

inline constexpr std::string_view kSpoolMagic{"NPSPOOL\n", 8};
inline constexpr std::uint16_t kSpoolVersion = 1;
inline constexpr std::size_t kSpoolHeaderSize = 28;

std::string encode_spool(const Batch& batch);

struct SpoolHeader {
  std::uint32_t samples = 0;
  std::uint32_t events = 0;
  std::uint32_t payload_length = 0;
};

struct SpoolParse {
  enum class Status { kOk, kTruncated, kBad };
  Status status = Status::kBad;
  std::string error;  // for kTruncated / kBad: what is wrong, with the offset
  SpoolHeader header;
  Batch batch;  // kOk only (seq is not in the file: it comes from the file name)
};

// Only the header (first kSpoolHeaderSize bytes): counts without reading the batch.
SpoolParse parse_spool_header(std::string_view bytes);
// The whole file. Trailing bytes after the payload are an error (kBad).
SpoolParse parse_spool(std::string_view bytes);

}  // namespace netpower::manager::store::detail
