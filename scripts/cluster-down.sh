#!/usr/bin/env bash
# Stops what scripts/cluster-up.sh started (edges, silos, redis-server, PostgreSQL) and deletes its state folder.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

dir=${IMORLEANS_CLUSTER_DIR:-/tmp/imorleans-cluster}
if [ ! -e "$dir/pids" ]; then
  echo "no cluster running from $dir"
  exit 0
fi

# Edges first (they kick their clients with "reconnect"), then silos; each gets 10 s to stop cleanly.
tac "$dir/pids" | while read -r pid name; do
  kill "$pid" 2>/dev/null || continue
  for _ in $(seq 1 20); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null && echo "$name did not stop in time: killed"
done

redis_stop "$dir/redis" "$(cat "$dir/redis.port" 2>/dev/null || echo 6390)"
postgres_stop "$dir/pg"
rm -rf "$dir"
echo "cluster down"
