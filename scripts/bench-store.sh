#!/usr/bin/env bash
# Message store throughput on a throwaway PostgreSQL (and, for comparison in the same run, SQLite):
# closed-loop writers appending through the same group-committed MessageStore the silos run.
#   scripts/bench-store.sh [--seconds 10] [--writers "1 64 256 1024"]
# Prints one line per run: msgs/s stored, p50/p99/max append latency, the benchmark process's CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

seconds=10
writers="1 64 256 1024"
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --writers) writers=$2; shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--writers \"1 64 256\"]" >&2; exit 2 ;;
  esac
done

services_install
dir=$(mktemp -d)
chmod 755 "$dir"
trap 'postgres_stop "$dir/pg"; rm -rf "$dir"' EXIT
port=$(services_free_port)
postgres_start "$dir/pg" "$port"

dotnet build benchmarks/StoreBenchmark/ImOrleans.StoreBenchmark.csproj -c Release -nologo -v quiet >/dev/null
bench="dotnet benchmarks/StoreBenchmark/bin/Release/net10.0/ImOrleans.StoreBenchmark.dll"
for w in $writers; do
  $bench --postgres "Host=127.0.0.1;Port=$port;Username=postgres;Database=imorleans" --writers "$w" --seconds "$seconds"
  $bench --sqlite "$dir/sqlite" --writers "$w" --seconds "$seconds"
done
