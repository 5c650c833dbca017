// Fuzz target for the spool file parser (manager/store/detail/spool_format.h): any bytes must give
// kOk / kTruncated / kBad without crashing, and what parses must encode back to the same bytes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "manager/store/detail/spool_format.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace netpower::manager::store::detail;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  parse_spool_header(bytes);
  auto parsed = parse_spool(bytes);
  if (parsed.status == SpoolParse::Status::kOk && encode_spool(parsed.batch) != bytes) std::abort();
  return 0;
}
