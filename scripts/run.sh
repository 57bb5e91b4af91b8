#!/usr/bin/env bash
# Builds sessionkv (Release) and runs it on port 6379 with its data under ./data.
# Extra arguments go to the server: scripts/run.sh --loglevel verbose
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target sessionkv-server
mkdir -p data
exec build/bin/sessionkv-server --port 6379 --dir "$PWD/data" "$@"
