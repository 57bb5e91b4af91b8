#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/) and runs the RESP parser fuzzer for FUZZ_SECONDS
# (default 30) over a scratch copy of tests/fuzz/corpus. A crash leaves its input in build-fuzz/ and fails.
# Longer runs: FUZZ_SECONDS=3600 scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
      -DSESSIONKV_FUZZ=ON -DSESSIONKV_TESTS=OFF -DSESSIONKV_BENCHMARKS=OFF >/dev/null
cmake --build build-fuzz --target resp_parser_fuzz
work=build-fuzz/corpus-run
rm -rf "$work" && mkdir -p "$work" && cp tests/fuzz/corpus/resp_parser/* "$work/"
cd build-fuzz
./bin/resp_parser_fuzz -max_total_time="${FUZZ_SECONDS:-30}" -max_len=4096 -rss_limit_mb=2048 \
  -print_final_stats=1 corpus-run 2>&1 | tail -n 12
