#!/usr/bin/env bash
# sessionkv beside Debian's redis-server 7 on this machine, in the same run, alternating the two servers
# round by round so that drift of the machine affects both alike (benchmarks/README.md has the figures).
#
#   scripts/bench-vs-redis.sh [options] [-- extra sessionkv-server arguments]
#
# Two parts, each printing a table with the ratio sessionkv / redis:
#   1. redis-benchmark: --tests (get,set,hset,hgetall,pexpire) x --pipelines ("1 16"), --clients 50,
#      --requests each, random keys over --keyspace keys (preloaded for hgetall and pexpire);
#   2. sessionkv-bench (the Spring Session workload) for --repositories (default,indexed): closed loop
#      for requests/s, then open loop at --session-rate (default: 40% of the lower closed-loop rate of
#      the two servers) for p99 at the same offered load.
# For every run it also reads the server's CPU time (/proc/<pid>/stat utime+stime) before and after and
# prints CPU seconds per million requests, and the resident bytes (VmRSS) at the end.
#
# Options (environment variables of the same name in capitals also work, e.g. ROUNDS=5):
#   --rounds N            rounds per measurement, servers alternating (3)
#   --requests N          redis-benchmark requests per run (200000)
#   --clients N           redis-benchmark connections (50)
#   --keyspace N          random keys (-r) for redis-benchmark (100000)
#   --tests LIST          redis-benchmark tests (get,set,hset,hgetall,pexpire)
#   --pipelines LIST      redis-benchmark pipeline depths ("1 16")
#   --repositories LIST   sessionkv-bench repositories (default,indexed); "" skips the session part
#   --session-duration S  seconds per sessionkv-bench run (10)
#   --session-rate R      open-loop requests/s; 0 = 40% of the slower server's closed-loop rate; - skips
#   --pods N --connections-per-pod N --sessions N   sessionkv-bench shape (10, 5, 20000)
#   --io-threads N        sessionkv's io-threads (1)
#   --server-cpus LIST    taskset CPU list for both servers (unpinned)
#   --client-cpus LIST    taskset CPU list for the load generators (unpinned)
#   --persistence MODE    none (default), or always|everysec|no: appendonly yes with that appendfsync on both
#   --no-redis-benchmark  skip part 1
set -euo pipefail
cd "$(dirname "$0")/.."

# ------------------------------------------------------------------------------------------ options
ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
TESTS=${TESTS:-get,set,hset,hgetall,pexpire}
PIPELINES=${PIPELINES:-"1 16"}
REPOSITORIES=${REPOSITORIES-default,indexed}
SESSION_DURATION=${SESSION_DURATION:-10}
SESSION_RATE=${SESSION_RATE:-0}
PODS=${PODS:-10}
CONNECTIONS_PER_POD=${CONNECTIONS_PER_POD:-5}
SESSIONS=${SESSIONS:-20000}
IO_THREADS=${IO_THREADS:-1}
SERVER_CPUS=${SERVER_CPUS:-}
CLIENT_CPUS=${CLIENT_CPUS:-}
PERSISTENCE=${PERSISTENCE:-none}
RUN_REDIS_BENCHMARK=${RUN_REDIS_BENCHMARK:-1}
SKV_EXTRA=()
while (($#)); do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --requests) REQUESTS=$2; shift ;;
    --clients) CLIENTS=$2; shift ;;
    --keyspace) KEYSPACE=$2; shift ;;
    --tests) TESTS=$2; shift ;;
    --pipelines) PIPELINES=$2; shift ;;
    --repositories) REPOSITORIES=$2; shift ;;
    --session-duration) SESSION_DURATION=$2; shift ;;
    --session-rate) SESSION_RATE=$2; shift ;;
    --pods) PODS=$2; shift ;;
    --connections-per-pod) CONNECTIONS_PER_POD=$2; shift ;;
    --sessions) SESSIONS=$2; shift ;;
    --io-threads) IO_THREADS=$2; shift ;;
    --server-cpus) SERVER_CPUS=$2; shift ;;
    --client-cpus) CLIENT_CPUS=$2; shift ;;
    --persistence) PERSISTENCE=$2; shift ;;
    --no-redis-benchmark) RUN_REDIS_BENCHMARK=0 ;;
    --) shift; SKV_EXTRA=("$@"); break ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done

BIN=${SESSIONKV_SERVER:-build/bin/sessionkv-server}
BENCH=${SESSIONKV_BENCH:-build/bin/sessionkv-bench}
[ -x "$BIN" ] || { echo "build first: $BIN is missing" >&2; exit 1; }
[ -n "$REPOSITORIES" ] && { [ -x "$BENCH" ] || { echo "build first: $BENCH is missing" >&2; exit 1; }; }

# ------------------------------------------------------------------------------------------ durability
# The server arguments for each durability mode, equivalent on both sides, as arrays SKV_DURABILITY and
# REDIS_DURABILITY. A new mode is one more case here.
set_durability() {
  case "$PERSISTENCE" in
    none)  # both keep nothing on disk
      SKV_DURABILITY=(--appendonly no)
      REDIS_DURABILITY=(--save "" --appendonly no) ;;
    always|everysec|no)  # sessionkv's RocksDB WAL against Redis's AOF with the same fsync policy
      SKV_DURABILITY=(--appendonly yes --appendfsync "$PERSISTENCE")
      REDIS_DURABILITY=(--save "" --appendonly yes --appendfsync "$PERSISTENCE") ;;
    *) echo "unknown --persistence $PERSISTENCE" >&2; exit 2 ;;
  esac
}

# ------------------------------------------------------------------------------------------ processes
# Runs in a background subshell and execs, so that $! is the server's own pid (for /proc/<pid>/stat).
exec_server() { if [ -n "$SERVER_CPUS" ]; then exec taskset -c "$SERVER_CPUS" "$@"; else exec "$@"; fi; }
pinned_client() { if [ -n "$CLIENT_CPUS" ]; then taskset -c "$CLIENT_CPUS" "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
calc() { python3 -c "print($1)"; }

tmp=$(mktemp -d)
pid_skv=""; pid_redis=""
cleanup() { kill $pid_skv $pid_redis 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

# start_server skv|redis: a fresh process in a fresh dir, and waits for PING.
start_server() {
  local which=$1 port
  port=$(free_port)
  rm -rf "$tmp/$which"; mkdir -p "$tmp/$which"
  if [ "$which" = skv ]; then
    exec_server "$BIN" --port "$port" --dir "$tmp/skv" --metrics-port 0 --io-threads "$IO_THREADS" "${SKV_DURABILITY[@]}" \
      "${SKV_EXTRA[@]}" >>"$tmp/skv.log" 2>&1 &
    pid_skv=$!; p_skv=$port
  else
    exec_server redis-server --port "$port" --dir "$tmp/redis" "${REDIS_DURABILITY[@]}" >>"$tmp/redis.log" 2>&1 &
    pid_redis=$!; p_redis=$port
  fi
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "$which did not start on port $port" >&2; cat "$tmp/$which.log" >&2; exit 1
}
stop_server() {
  local pid
  pid=$(pid_of "$1")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
restart_server() { stop_server "$1"; start_server "$1"; }

# CPU seconds the process has used (user + system), and its resident bytes.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }
rss_bytes() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"; }
port_of() { [ "$1" = skv ] && echo "$p_skv" || echo "$p_redis"; }
pid_of() { [ "$1" = skv ] && echo "$pid_skv" || echo "$pid_redis"; }

# ------------------------------------------------------------------------------------------ part 1
# Keys the read tests need: strings key:<12 digits> (redis-benchmark's __rand_int__ form) for PEXPIRE and
# 5-field hashes myhash:<12 digits> for HGETALL, over the whole --keyspace.
preload() {
  python3 - "$KEYSPACE" <<'EOF' | redis-cli -p "$1" --pipe >/dev/null
import sys
n = int(sys.argv[1]); out = sys.stdout.buffer
def cmd(*a):
    out.write(b"*%d\r\n" % len(a) + b"".join(b"$%d\r\n%s\r\n" % (len(x), x) for x in a))
v = b"x" * 64
for i in range(n):
    k = b"%012d" % i
    cmd(b"SET", b"key:" + k, v)
    cmd(b"HSET", b"myhash:" + k, b"creationTime", v, b"maxInactiveInterval", v, b"lastAccessedTime", v,
        b"sessionAttr:a", v, b"sessionAttr:b", v)
EOF
}

# redis_benchmark <server> <test> <pipeline>: prints "requests/s cpu_seconds".
redis_benchmark() {
  local port pid args c0 c1 rps
  port=$(port_of "$1"); pid=$(pid_of "$1")
  case "$2" in
    get|set|hset) args=(-t "$2") ;;
    hgetall) args=(HGETALL "myhash:__rand_int__") ;;
    pexpire) args=(PEXPIRE "key:__rand_int__" 1800000) ;;
    *) echo "unknown test $2" >&2; return 1 ;;
  esac
  c0=$(cpu_seconds "$pid")
  rps=$(pinned_client redis-benchmark -p "$port" -n "$REQUESTS" -c "$CLIENTS" -P "$3" -r "$KEYSPACE" -d 64 \
          --csv -q "${args[@]}" 2>/dev/null | awk -F'","' 'NR==2 || /^"[A-Z]/ {gsub(/"/,"",$2); print $2; exit}')
  c1=$(cpu_seconds "$pid")
  echo "$rps $(calc "$c1 - $c0")"
}

part_redis_benchmark() {
  echo "== redis-benchmark: $CLIENTS clients, $REQUESTS requests per run, -r $KEYSPACE -d 64, $ROUNDS rounds"
  preload "$p_skv"; preload "$p_redis"
  printf "%-8s %-3s %12s %12s %6s %11s %11s %6s\n" test P sessionkv redis ratio "skv cpu/M" "redis cpu/M" ratio
  for t in ${TESTS//,/ }; do
    for P in $PIPELINES; do
      local s_rps=0 r_rps=0 s_cpu=0 r_cpu=0 out
      for _ in $(seq "$ROUNDS"); do
        read -r rps cpu <<<"$(redis_benchmark skv "$t" "$P")"; s_rps=$(calc "$s_rps+$rps"); s_cpu=$(calc "$s_cpu+$cpu")
        read -r rps cpu <<<"$(redis_benchmark redis "$t" "$P")"; r_rps=$(calc "$r_rps+$rps"); r_cpu=$(calc "$r_cpu+$cpu")
      done
      calc "'%-8s %-3s %12.0f %12.0f %6.2f %11.2f %11.2f %6.2f' % ('$t', '$P', $s_rps/$ROUNDS, $r_rps/$ROUNDS,
            $s_rps/$r_rps, $s_cpu*1e6/($ROUNDS*$REQUESTS), $r_cpu*1e6/($ROUNDS*$REQUESTS), $s_cpu/max($r_cpu,1e-9))"
    done
  done
}

# ------------------------------------------------------------------------------------------ part 2
# session_bench <server> <repository> <rate>: prints "rps p50_ms p99_ms p999_ms errors cpu_s requests rss",
# the server's CPU seconds counted by sessionkv-bench from /proc while it measures (not while it populates)
# and its resident bytes at the end. Every run gets a fresh server, so the resident bytes are this run's
# sessions (plus what the allocator keeps), not what earlier runs left behind.
session_bench() {
  local port pid
  restart_server "$1"
  port=$(port_of "$1"); pid=$(pid_of "$1")
  pinned_client "$BENCH" --port "$port" --repository "$2" --pods "$PODS" \
      --connections-per-pod "$CONNECTIONS_PER_POD" --sessions "$SESSIONS" --duration "$SESSION_DURATION" \
      --rate "$3" --server-pid "$pid" --quiet |
    awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                     print v["rps"], v["p50_ms"], v["p99_ms"], v["p999_ms"], v["errors"], v["server_cpu_s"],
                           v["requests"], v["server_rss"] }' || true
}

part_sessions() {
  echo "== sessionkv-bench: $PODS pods x $CONNECTIONS_PER_POD connections, $SESSIONS sessions," \
       "${SESSION_DURATION}s per run, $ROUNDS rounds"
  printf "%-8s %-10s %10s %10s %6s %9s %9s %10s %10s %12s %12s\n" repo mode sessionkv redis ratio \
         "skv p99" "redis p99" "skv cpu/M" "redis cpu/M" "skv rss" "redis rss"
  for repo in ${REPOSITORIES//,/ }; do
    local rate=$SESSION_RATE
    for mode in closed open; do
      [ "$mode" = open ] && [ "$rate" = "-" ] && continue
      local r=0
      [ "$mode" = open ] && r=$rate
      local s_rps=0 r_rps=0 s_p99=0 r_p99=0 s_cpu=0 r_cpu=0 s_n=0 r_n=0 s_rss=0 r_rss=0 s_err=0 r_err=0
      for _ in $(seq "$ROUNDS"); do
        session_bench skv "$repo" "$r" >"$tmp/result"  # not in $(...): the restart must stay in this shell
        read -r rps p50 p99 p999 err cpu n rss <"$tmp/result"
        s_rps=$(calc "$s_rps+$rps"); s_p99=$(calc "max($s_p99,$p99)"); s_cpu=$(calc "$s_cpu+$cpu")
        s_n=$(calc "$s_n+$n"); s_rss=$rss; s_err=$(calc "$s_err+$err")
        session_bench redis "$repo" "$r" >"$tmp/result"
        read -r rps p50 p99 p999 err cpu n rss <"$tmp/result"
        r_rps=$(calc "$r_rps+$rps"); r_p99=$(calc "max($r_p99,$p99)"); r_cpu=$(calc "$r_cpu+$cpu")
        r_n=$(calc "$r_n+$n"); r_rss=$rss; r_err=$(calc "$r_err+$err")
      done
      local label=$mode
      [ "$mode" = open ] && label="open@$r"
      calc "'%-8s %-10s %10.0f %10.0f %6.2f %9.3f %9.3f %10.2f %10.2f %12d %12d%s' % ('$repo', '$label',
            $s_rps/$ROUNDS, $r_rps/$ROUNDS, $s_rps/$r_rps, $s_p99, $r_p99, $s_cpu*1e6/max($s_n,1),
            $r_cpu*1e6/max($r_n,1), $s_rss, $r_rss, '' if $s_err + $r_err == 0 else '  errors %d/%d' % ($s_err, $r_err))"
      # The open-loop rate both servers carry with room to spare: 40% of the slower one's closed-loop rate.
      if [ "$mode" = closed ] && [ "$rate" = 0 ]; then
        rate=$(calc "int(0.4 * min($s_rps, $r_rps) / $ROUNDS)")
      fi
    done
  done
  echo "(p99 in ms: the worst round; cpu/M: server CPU seconds per million requests, a request being one"
  echo " session's command sequence; rss: resident bytes at the end of the last round, each round on a"
  echo " fresh server)"
}

# ------------------------------------------------------------------------------------------ main
set_durability
start_server skv
start_server redis
echo "sessionkv $("$BIN" --version 2>/dev/null | head -1) io-threads $IO_THREADS; $(redis-server --version | cut -d' ' -f1-3)"
echo "persistence: $PERSISTENCE; server cpus: ${SERVER_CPUS:-any}; client cpus: ${CLIENT_CPUS:-any}; load: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$RUN_REDIS_BENCHMARK" = 1 ] && part_redis_benchmark
[ -n "$REPOSITORIES" ] && part_sessions
exit 0
