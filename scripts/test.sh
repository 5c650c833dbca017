#!/usr/bin/env bash
# The whole test suite, as CI runs it: install dependencies, build, run every test (unit, integration with
# real snmpd on loopback, MIB checks), then the unit tests again under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs="$(nproc)"

scripts/build.sh
ctest --test-dir build --output-on-failure -j "$jobs" -LE bench --timeout 300

if [ "${NETPOWER_SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_ARGS="-DNETPOWER_SANITIZE=ON" scripts/build.sh
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs" -L unit --timeout 300
fi
