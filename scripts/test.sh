#!/usr/bin/env bash
# The whole test suite, as CI runs it: install dependencies, build, run every test (unit, integration with
# real snmpd, snmptrapd, upsd and PostgreSQL on loopback, MIB checks, fuzz corpus replay), then a clang build
# with ASan+UBSan that runs the unit tests again and fuzzes every parser briefly with libFuzzer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs="$(nproc)"

scripts/build.sh
ctest --test-dir build --output-on-failure -j "$jobs" -LE bench --timeout 300

if [ "${NETPOWER_SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer; fuzz targets under libFuzzer"
  CC=clang CXX=clang++ BUILD_DIR=build-sanitize BUILD_TYPE=Debug \
    CMAKE_ARGS="-DNETPOWER_SANITIZE=ON -DNETPOWER_FUZZ=ON -DNETPOWER_FUZZ_SECONDS=${NETPOWER_FUZZ_SECONDS:-20}" \
    scripts/build.sh
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir build-sanitize --output-on-failure -j "$jobs" -L 'unit|fuzz' --timeout 300
fi
