#!/usr/bin/env bash
# Installs the Debian 12 packages sessionkv needs to build, test and benchmark; quiet and fast when they are
# already there. Sourced by run.sh and test.sh.
set -euo pipefail

SESSIONKV_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libasio-dev libabsl-dev librocksdb-dev libprotobuf-dev protobuf-compiler libzstd-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  prometheus-cpp-dev libcivetweb-dev
  liblua5.1-0-dev lua-cjson-dev lua-bitop-dev libssl-dev
  python3-yaml openssl  # openssl: tests/integration/test_tls.py makes its certificates with the CLI
  python3 python3-redis redis-server redis-tools
  clang libclang-rt-14-dev
)

# Node.js and npm run the ioredis/connect-redis suite; a machine may already have them from elsewhere
# (NodeSource), in which case Debian's packages would conflict.
command -v npm >/dev/null 2>&1 || SESSIONKV_PACKAGES+=(nodejs npm)

missing=()
for p in "${SESSIONKV_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# redis-server from the package starts a system service on 6379; the tests start their own instances.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  systemctl stop redis-server 2>/dev/null || true
fi
