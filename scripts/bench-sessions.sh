#!/usr/bin/env bash
# Holds TOTAL sessions at once over several standalone edges and several load-tester processes on this machine
# (issue 5: 100,000 sessions). A process may hold at most 20,000 open files here, so the sessions are split over
# EDGES edges (scripts/cluster-up.sh with EDGES=N: redis-server + PostgreSQL + 2 silos + N edges) and LOADERS
# `ImOrleans.LoadTest connect` processes, each with its own --run-id and pointed at one edge.
#
#   scripts/bench-sessions.sh            # 100,000 sessions, 6 edges, 6 load testers, held 60 s (about 10 minutes)
#   scripts/bench-sessions.sh --quick    # 3 edges x 1,000 sessions, held 10 s: checks the script works end to end
#   TOTAL=50000 EDGES=4 HOLD=30 RAMP=200 scripts/bench-sessions.sh
#
# Environment: TOTAL (sessions in all, default 100000), EDGES (standalone edges, 1-9, default 6), LOADERS
# (load-tester processes, default one per edge; process j drives edge ((j-1) mod EDGES) + 1), HOLD (seconds each
# process holds its sessions once all of them are online, default 60), RAMP (logins per second of each process,
# default 50; 200 with --quick), CONCURRENCY (logins under way at once per process, default 20: a login the edge has
# not answered within its 10 s handshake timeout is closed, so queue them here rather than there), SOURCES (source
# addresses per process, 127.0.0.2 upwards, default 4), WARMUP (logins per edge before the run, not counted, default
# 100), BENCH_OUT (folder for the JSON lines and logs, default a new temp folder), IMORLEANS_CLUSTER_DIR (default
# /tmp/imorleans-bench-sessions).
# The cluster uses cluster-up's ports (REDIS_PORT, PG_PORT, ... as there): stop a cluster-up cluster first.
# Prints a table per edge and one summary line, stops the cluster (also on failure or Ctrl-C), and exits 1 when a
# session failed to log in, was dropped while held or a load tester gave no result; 2 on bad settings.
set -euo pipefail
cd "$(dirname "$0")/.."
# The gen0 budget the GC reads only from the environment, for every process started here (docs/operations.md).
export DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x4000000}

quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,21p' "$0" | cut -c3-; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$quick" = 1 ]; then
  total=${TOTAL:-3000} edges=${EDGES:-3} hold=${HOLD:-10} ramp=${RAMP:-200}
else
  total=${TOTAL:-100000} edges=${EDGES:-6} hold=${HOLD:-60} ramp=${RAMP:-50}
fi
loaders=${LOADERS:-$edges}
sources=${SOURCES:-4}
concurrency=${CONCURRENCY:-20}
warmup=${WARMUP:-100}
for setting in "TOTAL=$total" "EDGES=$edges" "LOADERS=$loaders" "HOLD=$hold" "RAMP=$ramp" "SOURCES=$sources" \
  "CONCURRENCY=$concurrency"; do
  if ! [[ "${setting#*=}" =~ ^[0-9]+$ ]] || [ "${setting#*=}" -lt 1 ]; then
    echo "${setting%%=*} must be a whole number of at least 1 (got '${setting#*=}')" >&2
    exit 2
  fi
done
if ! [[ "$warmup" =~ ^[0-9]+$ ]]; then
  echo "WARMUP must be a whole number (got '$warmup')" >&2
  exit 2
fi
if [ "$edges" -gt 9 ] || [ "$sources" -gt 250 ] || [ "$loaders" -gt "$total" ]; then
  echo "EDGES must be 1-9, SOURCES 1-250 and LOADERS at most TOTAL" >&2
  exit 2
fi

# Open files: every socket is one, and a process may not raise its soft limit past the hard one.
per_loader=$(( (total + loaders - 1) / loaders ))
per_edge=$(( (total + edges - 1) / edges ))
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
files=$(ulimit -n)
need=$(( (per_loader > per_edge ? per_loader : per_edge) + 1000 ))
echo "open files per process: ulimit -n = $files (hard $(ulimit -Hn)); this run needs about $need" \
  "($per_edge sessions per edge, $per_loader per load tester, plus ~1,000 for the runtime)"
if [ "$files" != unlimited ] && [ "$files" -lt "$need" ]; then
  echo "ulimit -n $files is too low for $per_edge sessions per edge and $per_loader per load tester:" \
    "raise the limit, or use more EDGES and LOADERS (at most $(( files - 1000 )) sessions per process)" >&2
  exit 2
fi

dir=${IMORLEANS_CLUSTER_DIR:-/tmp/imorleans-bench-sessions}
export IMORLEANS_CLUSTER_DIR=$dir EDGES=$edges
http_port=${HTTP_PORT:-7281}
if [ -e "$dir/pids" ]; then
  echo "a cluster is already running from $dir (another bench-sessions run?); stop it with" \
    "IMORLEANS_CLUSTER_DIR=$dir scripts/cluster-down.sh" >&2
  exit 2
fi
ports=("${REDIS_PORT:-6390}" "${PG_PORT:-5440}")
for i in 1 2; do ports+=("${SILO_PORT:-1121$i}" "${GATEWAY_PORT:-3010$i}" "${HTTP_PORT:-728$i}"); done
for i in $(seq 1 "$edges"); do ports+=("${EDGE_PORT:-720$i}"); done
for port in "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use (a cluster-up cluster or another run?); free it first" >&2
    exit 2
  fi
done

out=${BENCH_OUT:-$(mktemp -d /tmp/imorleans-bench-sessions-out.XXXXXX)}
mkdir -p "$out"
echo "building the load tester (Release)..."
dotnet build src/LoadTest -c Release -nologo -v quiet >"$out/build.log" 2>&1 || { tail -20 "$out/build.log"; exit 1; }
loadtest=src/LoadTest/bin/Release/net10.0/ImOrleans.LoadTest.dll

loader_pids=()
cluster_started=0
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${loader_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${loader_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "$cluster_started" = 1 ]; then
    # The edges' logs go with the cluster folder: keep a copy beside the load testers' output.
    cp -r "$dir/logs" "$out/cluster-logs" 2>/dev/null || true
    scripts/cluster-down.sh || true
  fi
  echo "JSON lines and logs: $out"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores)"
cluster_started=1
scripts/cluster-up.sh 2>&1 | tee "$out/cluster-up.log"

# "pid name" per line, as cluster-up writes them.
pid_of() { awk -v name="$1" '$2 == name { print $1 }' "$dir/pids"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
machine_ticks() { awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat; }

http_get() {  # port path
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  cat <&3
  exec 3<&-
}
# The connections every live edge reported (0 when the silo does not answer within 5 s: the machine is busy).
online_by_navigation() {
  { timeout 5 bash -c "$(declare -f http_get); http_get $http_port /navigation" 2>/dev/null || true; } |
    { grep -o '"connections":[0-9]*' || true; } | awk -F: '{ s += $2 } END { print s + 0 }'
}
# Lines of the edges' logs matching a pattern, past the offsets taken by log_mark (after the warm-up).
declare -A log_offset
log_mark() {
  for e in $(seq 1 "$edges"); do log_offset[$e]=$(stat -c %s "$dir/logs/edge$e.log" 2>/dev/null || echo 0); done
}
log_count() {
  for e in $(seq 1 "$edges"); do tail -c +$(( ${log_offset[$e]:-0} + 1 )) "$dir/logs/edge$e.log" 2>/dev/null; done |
    { grep -c "$1" || true; }
}

source_list=$(seq 2 $((sources + 1)) | sed 's/^/127.0.0./' | paste -sd, -)
stamp=$(date +%H%M%S)
# A fresh cluster's first logins are slow: every edge, both silos and every load tester JIT-compile their code at
# once on the two cores, and the edge closes a connection whose login it has not answered within its 10 s handshake
# timeout, even when the wait is its own. A few logins per edge first (not counted) take that cost out of the run.
if [ "$warmup" -gt 0 ]; then
  echo "warm-up: $warmup logins per edge, 5 at a time, not counted..."
  warm_pids=()
  for e in $(seq 1 "$edges"); do
    dotnet "$loadtest" connect --server "127.0.0.1:${EDGE_PORT:-720$e}" --users "$warmup" --connect-concurrency 5 \
      --duration 1 --json --run-id "w${stamp}e$e" --label warmup >"$out/warmup$e.json" 2>"$out/warmup$e.log" &
    warm_pids+=($!)
  done
  for pid in "${warm_pids[@]}"; do wait "$pid" || true; done
  warm_online=0
  for e in $(seq 1 "$edges"); do
    warm_online=$((warm_online + $(grep -o '"sessionsOnline":[0-9]*' "$out/warmup$e.json" | cut -d: -f2 || echo 0)))
  done
  echo "warm-up: $warm_online of $((warmup * edges)) logged in"
fi
# The edges' closes by reason, counted just before the first load tester stops holding: its teardown (heartbeats
# stop before its sockets close) can make its edge log idle timeouts that are not drops.
held_snapshot=0
snapshot_edge_logs() {
  handshake_closes=$(log_count 'did not log in within the handshake timeout')
  idle_closes=$(log_count 'idle past the timeout')
  slow_closes=$(log_count 'is a slow consumer')
  renew_failures=$(log_count 'could not renew its session registration')
  request_failures=$(log_count 'request .* failed')
  held_snapshot=1
}
log_mark

declare -A edge_rss_before
for e in $(seq 1 "$edges"); do
  edge_rss_before[$e]=$(rss_kib "$(pid_of "edge$e")")
done
silo_ticks_before=$(( $(cpu_ticks "$(pid_of silo1)") + $(cpu_ticks "$(pid_of silo2)") ))
read -r machine_busy_before machine_all_before < <(machine_ticks)
started=$(date +%s)

echo "starting $loaders load testers: $total sessions in all, $per_loader each at most, ramp $ramp/s each," \
  "$concurrency logins under way each at most, hold $hold s, sources $source_list"
for j in $(seq 1 "$loaders"); do
  e=$(( (j - 1) % edges + 1 ))
  users=$(( total / loaders + (j <= total % loaders ? 1 : 0) ))
  edge_pid=$(pid_of "edge$e")
  dotnet "$loadtest" connect --server "127.0.0.1:${EDGE_PORT:-720$e}" --users "$users" --ramp "$ramp" \
    --connect-concurrency "$concurrency" --duration "$hold" --source-addresses "$source_list" --pid "$edge_pid" --json \
    --run-id "s${stamp}p$j" --label "sessions-edge$e" >"$out/loader$j.json" 2>"$out/loader$j.log" &
  loader_pids+=($!)
  echo "$j $e $users" >>"$out/loaders"
done

# While they run: the cluster's own count of open connections (edges report it to navigation every 2 s) and the
# machine's load.
peak_online=0 peak_at=0 load_max=0 load_sum=0 load_samples=0 last_print=0
while :; do
  running=0
  for pid in "${loader_pids[@]}"; do
    kill -0 "$pid" 2>/dev/null && running=$((running + 1))
  done
  [ "$running" -eq 0 ] && break
  # Progress lines say "held N/HOLD s"; snapshot a few seconds before the first hold ends.
  most_held=$(cat "$out"/loader*.log 2>/dev/null | { grep -o 'held [0-9]*/' || true; } | tr -dc '0-9\n' |
    sort -n | tail -n 1)
  if [ "$held_snapshot" = 0 ] && { [ "$running" -lt "$loaders" ] || [ "${most_held:-0}" -ge $((hold - 6)) ]; }; then
    snapshot_edge_logs
  fi
  now=$(( $(date +%s) - started ))
  online=$(online_by_navigation)
  load=$(cut -d' ' -f1 /proc/loadavg)
  if [ "$online" -gt "$peak_online" ]; then peak_online=$online peak_at=$now; fi
  load_max=$(awk -v a="$load" -v b="$load_max" 'BEGIN { print (a > b ? a : b) }')
  load_sum=$(awk -v a="$load" -v b="$load_sum" 'BEGIN { print a + b }')
  load_samples=$((load_samples + 1))
  if [ $((now - last_print)) -ge 10 ]; then
    echo "  ${now} s: $online connections on the edges (navigation), $running load testers running, load average $load"
    last_print=$now
  fi
  sleep 2
done
failed_loaders=0
for pid in "${loader_pids[@]}"; do
  wait "$pid" || failed_loaders=$((failed_loaders + 1))
done
loader_pids=()
elapsed=$(( $(date +%s) - started ))
silo_ticks_after=$(( $(cpu_ticks "$(pid_of silo1)") + $(cpu_ticks "$(pid_of silo2)") ))
read -r machine_busy_after machine_all_after < <(machine_ticks)

# One JSON line per load tester (numbers only are read; absent fields count as 0).
num() {
  local value
  value=$(grep -o "\"$2\":[-0-9.eE+]*" <<<"$1" | head -n 1 | cut -d: -f2) || true
  echo "${value:-0}"
}
declare -A e_users e_online e_failed e_dropped e_rate e_p99 e_all e_cores e_rss e_lt_cores
missing=0
while read -r j e users; do
  line=$(grep -m1 '^{' "$out/loader$j.json" 2>/dev/null || true)
  if [ -z "$line" ]; then
    echo "load tester $j (edge$e) gave no result; its log: $out/loader$j.log" >&2
    tail -5 "$out/loader$j.log" >&2 || true
    missing=$((missing + 1))
    line='{}'
  fi
  e_users[$e]=$(( ${e_users[$e]:-0} + users ))
  e_online[$e]=$(( ${e_online[$e]:-0} + $(num "$line" sessionsOnline) ))
  e_failed[$e]=$(( ${e_failed[$e]:-0} + $(num "$line" loginFailures) ))
  e_dropped[$e]=$(( ${e_dropped[$e]:-0} + $(num "$line" dropped) ))
  e_rate[$e]=$(awk -v a="${e_rate[$e]:-0}" -v b="$(num "$line" loginsPerSecond)" 'BEGIN { print a + b }')
  e_lt_cores[$e]=$(awk -v a="${e_lt_cores[$e]:-0}" -v b="$(num "$line" loadTesterCores)" 'BEGIN { print a + b }')
  for pair in "e_p99:loginP99Ms" "e_all:timeToAllOnlineSeconds" "e_cores:serverCores" "e_rss:serverRssMiB"; do
    declare -n slot=${pair%%:*}
    slot[$e]=$(awk -v a="${slot[$e]:-0}" -v b="$(num "$line" "${pair#*:}")" 'BEGIN { print (b > a ? b : a) }')
    unset -n slot
  done
  grep -o '"firstLoginError":"[^"]*"' <<<"$line" | sed "s/^/  load tester $j: /" >&2 || true
done <"$out/loaders"

echo
# "closed" is the load tester's count of sessions the edge closed, before or after the login answer; the edges' logs
# say why.
printf '%-6s %8s %8s %6s %6s %9s %10s %9s %6s %8s %8s %7s\n' edge asked online failed closed logins/s \
  "p99 ms" "all on s" cores "RSS MiB" KiB/sess "LT cpu"
sum_users=0 sum_online=0 sum_failed=0 sum_dropped=0 sum_rate=0 max_all=0 kib_list=""
for e in $(seq 1 "$edges"); do
  [ -n "${e_users[$e]:-}" ] || continue
  kib=$(awk -v after="${e_rss[$e]}" -v before="${edge_rss_before[$e]}" -v n="${e_online[$e]}" \
    'BEGIN { if (n > 0 && after > 0) printf "%.1f", (after * 1024 - before) / n; else print "-" }')
  printf '%-6s %8d %8d %6d %6d %9.0f %10.0f %9.1f %6.2f %8.0f %8s %7.2f\n' "edge$e" "${e_users[$e]}" \
    "${e_online[$e]}" "${e_failed[$e]}" "${e_dropped[$e]}" "${e_rate[$e]}" "${e_p99[$e]}" "${e_all[$e]}" \
    "${e_cores[$e]}" "${e_rss[$e]}" "$kib" "${e_lt_cores[$e]}"
  sum_users=$((sum_users + e_users[$e])) sum_online=$((sum_online + e_online[$e]))
  sum_failed=$((sum_failed + e_failed[$e])) sum_dropped=$((sum_dropped + e_dropped[$e]))
  sum_rate=$(awk -v a="$sum_rate" -v b="${e_rate[$e]}" 'BEGIN { print a + b }')
  max_all=$(awk -v a="$max_all" -v b="${e_all[$e]}" 'BEGIN { print (b > a ? b : a) }')
  [ "$kib" = - ] || kib_list+="$kib "
done
kib_range=$(tr ' ' '\n' <<<"$kib_list" | sort -n |
  awk 'NF { n++; if (n == 1) lo = $1; hi = $1 } END { if (n) printf "%s-%s", lo, hi; else print "-" }')
silo_cores=$(awk -v t="$((silo_ticks_after - silo_ticks_before))" -v s="$elapsed" \
  'BEGIN { printf "%.2f", (s > 0 ? t / 100 / s : 0) }')
machine_busy=$(awk -v b="$((machine_busy_after - machine_busy_before))" \
  -v a="$((machine_all_after - machine_all_before))" 'BEGIN { printf "%.0f", (a > 0 ? 100 * b / a : 0) }')
[ "$held_snapshot" = 1 ] || snapshot_edge_logs
load_mean=$(awk -v s="$load_sum" -v n="$load_samples" 'BEGIN { printf "%.1f", (n > 0 ? s / n : 0) }')

echo "edges' logs: $handshake_closes connections closed by the handshake timeout (no login answer within 10 s)," \
  "$idle_closes by the idle timeout, $slow_closes as slow consumers; $renew_failures session renewals and" \
  "$request_failures requests failed"
# Sessions lost after their login: the load testers' closes beyond the handshake timeouts, or the edges' own count.
dropped_held=$(( sum_dropped - handshake_closes ))
[ "$dropped_held" -ge $((idle_closes + slow_closes)) ] || dropped_held=$((idle_closes + slow_closes))
echo
echo "sessions: $sum_online of $sum_users online ($peak_online at once by navigation, at ${peak_at} s)," \
  "$sum_failed failed to log in, $dropped_held dropped after logging in; $(printf '%.0f' "$sum_rate") logins/s in all" \
  "(sum over $loaders processes), all online within ${max_all} s; edge RSS per session ${kib_range} KiB;" \
  "silos ${silo_cores} cores; machine ${machine_busy}% busy, load average ${load_mean} mean, ${load_max} max" \
  "over ${elapsed} s"

if [ "$missing" -gt 0 ] || [ "$sum_failed" -gt 0 ] || [ "$sum_dropped" -gt 0 ] || [ "$dropped_held" -gt 0 ] ||
  [ "$sum_online" -lt "$total" ]; then
  echo "FAILED: every session must log in and stay up (logs: $out; the edges' logs are in $out/cluster-logs)" >&2
  exit 1
fi
[ "$failed_loaders" -eq 0 ] || echo "note: $failed_loaders load testers exited non-zero; see $out/loader*.log" >&2
echo "passed"
