#!/usr/bin/env bash
# Throughput of sessionkv beside Debian's redis-server 7 on this machine, measured with redis-benchmark in
# the same run, alternating servers so that drift of the machine affects both alike. Prints a table of
# requests/s and the ratio sessionkv / redis.
#   ROUNDS=3 REQUESTS=200000 CLIENTS=50 TESTS=get,set PIPELINES="1 16" scripts/bench-vs-redis.sh [server args]
#   scripts/bench-vs-redis.sh --persistence everysec|always|no [server args]
# Without --persistence both servers keep nothing on disk (Redis: --save '' --appendonly no). With it both
# persist every write: sessionkv --appendonly yes --appendfsync X (RocksDB, issue 4), redis --appendonly yes
# --appendfsync X (AOF; RDB snapshots stay off), and the default tests are SET and HSET.
# Other arguments go to sessionkv-server (e.g. --io-threads 2).
set -euo pipefail
cd "$(dirname "$0")/.."
persist=()
redis_persist=(--appendonly no)
default_tests=get,set
if [ "${1:-}" = "--persistence" ]; then
  case "${2:-}" in everysec|always|no) ;; *) echo "--persistence takes everysec, always or no" >&2; exit 2;; esac
  persist=(--appendonly yes --appendfsync "$2")
  redis_persist=(--appendonly yes --appendfsync "$2")
  default_tests=set,hset
  shift 2
fi
ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
TESTS=${TESTS:-$default_tests}
PIPELINES=${PIPELINES:-"1 16"}
BIN=${SESSIONKV_SERVER:-build/bin/sessionkv-server}
[ -x "$BIN" ] || { echo "build first: $BIN is missing" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
tmp=$(mktemp -d)
mkdir "$tmp/skv" "$tmp/redis"  # separate data dirs: both may write files there
p_skv=$(free_port); p_redis=$(free_port)
"$BIN" --port "$p_skv" --dir "$tmp/skv" "${persist[@]}" "$@" >"$tmp/skv.log" 2>&1 & pid_skv=$!
redis-server --port "$p_redis" --save '' "${redis_persist[@]}" --dir "$tmp/redis" >"$tmp/redis.log" 2>&1 & pid_redis=$!
trap 'kill $pid_skv $pid_redis 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
for p in $p_skv $p_redis; do
  for _ in $(seq 100); do [ "$(redis-cli -p "$p" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
done
for pid in $pid_skv $pid_redis; do
  kill -0 "$pid" 2>/dev/null || { echo "a server did not start:" >&2; cat "$tmp"/*.log >&2; exit 1; }
done

# rps <port> <test> <pipeline>: requests per second reported by redis-benchmark (CSV output).
rps() {
  redis-benchmark -p "$1" -t "$2" -n "$REQUESTS" -c "$CLIENTS" -P "$3" -r 100000 -d 64 --csv -q 2>/dev/null |
    awk -F'","' 'NR==2 || /^"[A-Z]/ {gsub(/"/,"",$2); print $2; exit}'
}

[ ${#persist[@]} -gt 0 ] && echo "persistence: appendonly yes, appendfsync ${persist[3]} (both servers)"
printf "%-8s %-4s %14s %14s %7s\n" test P sessionkv redis ratio
for t in ${TESTS//,/ }; do
  for P in $PIPELINES; do
    s_sum=0; r_sum=0
    for _ in $(seq "$ROUNDS"); do
      s=$(rps "$p_skv" "$t" "$P"); r=$(rps "$p_redis" "$t" "$P")
      s_sum=$(python3 -c "print($s_sum+$s)"); r_sum=$(python3 -c "print($r_sum+$r)")
    done
    python3 -c "s=$s_sum/$ROUNDS; r=$r_sum/$ROUNDS; print('%-8s %-4s %14.0f %14.0f %7.2f' % ('$t', '$P', s, r, s/r))"
  done
done
