#pragma once
// Text helpers of the store's writer: producers' bytes made acceptable to the databases, times
// for the log, the writer's random id.

#include <string>

#include "manager/store/store.h"

namespace netpower::manager::store::detail {

// "2026-12-03T17:40:15Z"
std::string iso_time(WallTime t);
// 16 hex digits, random per process: batch ids are "<writer id>-<seq>".
std::string random_writer_id();
// Text the databases accept: no NUL (PostgreSQL text cannot hold it), valid UTF-8 (invalid bytes
// become U+FFFD). Producers pass bytes from the network; one bad string must not poison a batch.
void sanitize(std::string& s);

}  // namespace netpower::manager::store::detail
