// What the store (and the action journal) log, captured for a test: the shared capture of
// tests/support, under the store tests' namespace.
#pragma once

#include "tests/support/log_capture.h"

namespace netpower::manager::store::testdb {
using netpower::testing::LogCapture;
}  // namespace netpower::manager::store::testdb
