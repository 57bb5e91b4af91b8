#!/usr/bin/env bash
# Builds sessionkv and runs every test: unit and integration tests on the release build, the same again
# under AddressSanitizer + UndefinedBehaviorSanitizer, and a short fuzz run of the RESP parser.
#   SKIP_SANITIZE=1  skip the sanitizer build      SKIP_FUZZ=1  skip the fuzz run
#   FUZZ_SECONDS=N   length of the fuzz run (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
jobs=$(nproc)

echo "== release build and tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== ASan + UBSan build and tests"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSESSIONKV_SANITIZE=ON \
        -DSESSIONKV_BENCHMARKS=OFF >/dev/null
  cmake --build build-asan -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs"
fi

if [ "${SKIP_FUZZ:-0}" != 1 ] && [ -x scripts/fuzz.sh ] && command -v clang++ >/dev/null; then
  echo "== fuzz the RESP parser for ${FUZZ_SECONDS:-30} s"
  scripts/fuzz.sh
fi
echo "all tests passed"
