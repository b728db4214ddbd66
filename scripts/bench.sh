#!/usr/bin/env bash
# Runs the standard load-test set against a fresh Release server per run and writes the medians (min-max) into
# docs/benchmarks.md (the generated block between the results markers).
#
#   scripts/bench.sh                 # the standard set, 3 runs each (about 25 minutes on 2 cores)
#   scripts/bench.sh --quick         # reduced sizes, 1 run each (about 2 minutes): checks the script works
#   scripts/bench.sh --runs 5 --only chat-closed,chat-open
#   scripts/bench.sh --store postgres  # the same set on Redis clustering + PostgreSQL storage (throwaway instances on
#                                      # loopback, installed from apt when missing); its own block in the page
#
# Environment: BENCH_PORT (edge port, default 7300, so a dev server on 7100 is left alone), BENCH_OUT (folder for
# the JSON lines and logs, default a new temp folder). The server and the load tester share the machine: every
# figure comes with both processes' CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
# The gen0 budget the GC reads only from the environment, for every process started here (docs/operations.md).
export DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x4000000}

runs=3
quick=0
only=""
store=sqlite
output=docs/benchmarks.md
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; runs=1 ;;
    --runs) runs="$2"; shift ;;
    --only) only="$2"; shift ;;
    --output) output="$2"; shift ;;
    --store) store="$2"; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

case "$store" in
  sqlite|postgres) ;;
  *) echo "--store is sqlite or postgres (got '$store')" >&2; exit 2 ;;
esac

port=${BENCH_PORT:-7300}
out=${BENCH_OUT:-$(mktemp -d /tmp/imorleans-bench.XXXXXX)}
mkdir -p "$out"
results="$out/results.jsonl"
: > "$results"

echo "building Release (silo, load tester)..."
dotnet build src/Silo -c Release -nologo -v quiet >"$out/build.log" 2>&1 || { tail -20 "$out/build.log"; exit 1; }
dotnet build src/LoadTest -c Release -nologo -v quiet >>"$out/build.log" 2>&1 || { tail -20 "$out/build.log"; exit 1; }
silo=src/Silo/bin/Release/net10.0/ImOrleans.Silo.dll
loadtest=src/LoadTest/bin/Release/net10.0/ImOrleans.LoadTest.dll

if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "port $port is already in use; set BENCH_PORT" >&2
  exit 1
fi

stop_services() {
  [ -n "$services_dir" ] || return 0
  redis_stop "$services_dir/redis" "$redis_port"
  postgres_stop "$services_dir/pg"
  rm -rf "$services_dir"
  services_dir=""
}

# --store postgres: one Redis and one PostgreSQL for the whole set, a new database per run.
services_dir=""
server_store_args=()
databases=0
if [ "$store" = postgres ]; then
  source scripts/services.sh
  services_install
  services_dir=$(mktemp -d /tmp/imorleans-bench-services.XXXXXX)
  chmod 755 "$services_dir" # PostgreSQL runs as its own user when we are root
  trap stop_services EXIT
  redis_port=$(services_free_port)
  pg_port=$(services_free_port)
  redis_start "$services_dir/redis" "$redis_port"
  postgres_start "$services_dir/pg" "$pg_port"
  echo "services: redis-server on 127.0.0.1:$redis_port, PostgreSQL on 127.0.0.1:$pg_port"
fi

use_new_database() {
  [ "$store" = postgres ] || return 0
  databases=$((databases + 1))
  services_pg_as_owner "$(services_pg_bin)/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres "bench$databases"
  server_store_args=(--Cluster:Clustering=Redis "--Cluster:RedisConnectionString=127.0.0.1:$redis_port"
    --Cluster:AdvertisedAddress=127.0.0.1 --Storage:Provider=PostgreSql
    "--Storage:ConnectionString=Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=bench$databases")
}

server_pid=""
data_dir=""
start_server() {
  data_dir=$(mktemp -d /tmp/imorleans-bench-data.XXXXXX)
  use_new_database
  dotnet "$silo" \
    --Storage:DataDirectory="$data_dir" "${server_store_args[@]}" \
    --Edge:Port="$port" --Http:Port=0 \
    --Cluster:ClusterId="bench-$RANDOM" --Cluster:SiloPort=$((port + 10)) --Cluster:GatewayPort=$((port + 11)) \
    --Logging:LogLevel:Default=Warning >"$1" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do
    if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "server exited; see $1" >&2
      tail -20 "$1" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "server did not open port $port within 60 s; see $1" >&2
  exit 1
}

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    for _ in $(seq 1 60); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
  [ -n "$data_dir" ] && rm -rf "$data_dir"
  data_dir=""
}
trap 'stop_server; stop_services' EXIT

# run LABEL SCENARIO ARGS...: RUNS runs, each against a fresh server and data folder.
run() {
  local label=$1
  shift
  if [ -n "$only" ] && [[ ",$only," != *",$label,"* ]]; then
    return 0
  fi
  for i in $(seq 1 "$runs"); do
    echo "== $label, run $i/$runs: ImOrleans.LoadTest $*"
    start_server "$out/server-$label-$i.log"
    # The load tester exits 1 when it saw loss, duplicates or drops: the figures are recorded all the same.
    dotnet "$loadtest" "$@" --server "127.0.0.1:$port" --pid "$server_pid" --json --label "$label" \
      >>"$results" 2>"$out/loadtest-$label-$i.log" || echo "   (exit $?: see $out/loadtest-$label-$i.log)"
    tail -1 "$results" | cut -c1-200
    stop_server
  done
}

if [ "$quick" = 1 ]; then
  run chat-closed chat --users 200 --window 4 --body-size 64 --duration 8 --warmup 2
  run chat-open chat --users 200 --rate 2000 --body-size 64 --duration 8 --warmup 2
  run connect connect --users 2000 --warmup-sessions 500 --duration 5 --source-addresses 127.0.0.2,127.0.0.3
  run churn churn --users 20 --rate 100 --churn-fraction 0.2 --churn-interval 1 --duration 8
  run group group --members 500 --online 100 --senders 5 --rate 50 --duration 8 --warmup 2
else
  # Chat runs open their conversations first (the load tester's default) and warm up 10 s: tiered JIT is still
  # compiling 10-20 s after start, and the figures are meant for a server that has been running.
  run chat-closed chat --users 1000 --window 4 --body-size 64 --duration 30 --warmup 10
  run chat-open chat --users 1000 --rate 8000 --body-size 64 --duration 30 --warmup 10
  run chat-open-4000 chat --users 1000 --rate 4000 --body-size 64 --duration 30 --warmup 10
  run chat-open-2000 chat --users 1000 --rate 2000 --body-size 64 --duration 30 --warmup 10
  run connect connect --users 10000 --warmup-sessions 2000 --duration 30 --source-addresses 127.0.0.2,127.0.0.3
  run churn churn --users 100 --rate 500 --churn-fraction 0.2 --churn-interval 2 --duration 30
  run group group --members 10000 --online 1000 --senders 10 --rate 100 --duration 30 --warmup 5
  run group-20 group --members 10000 --online 1000 --senders 10 --rate 20 --duration 30 --warmup 5
fi

commit=${BENCH_COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
[ -n "${BENCH_COMMIT:-}" ] || git diff --quiet HEAD 2>/dev/null || commit="$commit + uncommitted changes"
if [ "$store" = postgres ]; then
  pg_version=$("$(services_pg_bin)/postgres" --version | awk '{print $3}')
  dotnet "$loadtest" report --input "$results" --output "$output" --commit "$commit" --block postgres \
    --setup "one silo with its edge, Redis clustering, PostgreSQL $pg_version storage (default settings, fsync on), both on loopback; their CPU is not in the server figures"
else
  dotnet "$loadtest" report --input "$results" --output "$output" --commit "$commit" \
    --setup "one silo with its edge, the embedded default (localhost clustering, SQLite)"
fi
echo "JSON lines and logs: $out"
