#!/usr/bin/env bash
# Starts the scale-out topology as local processes on loopback:
#   redis-server (Orleans membership) + a throwaway PostgreSQL cluster (grain state, messages)
#   2 silos (no co-hosted edge) + 2 standalone edges (Orleans clients that serve client sockets)
# Everything lives in $IMORLEANS_CLUSTER_DIR (default /tmp/imorleans-cluster): pids, logs, database files.
# Stop it with scripts/cluster-down.sh. Ports (override with the environment variables of the same name):
#   REDIS_PORT=6390 PG_PORT=5440  silo i: SILO_PORT=1121i GATEWAY_PORT=3010i HTTP_PORT=728i  edge i: EDGE_PORT=720i EDGE_HTTP_PORT=729i
# EDGES=N starts N standalone edges instead of 2 (1-9; edge i is named edgei and listens on 720i).
set -euo pipefail
cd "$(dirname "$0")/.."
# The gen0 budget the GC reads only from the environment, for every process started here (docs/operations.md).
export DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x4000000}
source scripts/services.sh

dir=${IMORLEANS_CLUSTER_DIR:-/tmp/imorleans-cluster}
redis_port=${REDIS_PORT:-6390}
pg_port=${PG_PORT:-5440}
configuration=${CONFIGURATION:-Release}
edges=${EDGES:-2}
if ! [[ "$edges" =~ ^[1-9]$ ]]; then
  echo "EDGES must be a number from 1 to 9 (got '$edges')" >&2
  exit 2
fi
if [ -e "$dir/pids" ]; then
  echo "A cluster is already running from $dir; stop it first with scripts/cluster-down.sh" >&2
  exit 1
fi

services_install
echo "building silo and edge ($configuration)..."
dotnet build src/Silo/ImOrleans.Silo.csproj -c "$configuration" -nologo -v quiet >/dev/null
dotnet build src/EdgeGateway/ImOrleans.EdgeGateway.csproj -c "$configuration" -nologo -v quiet >/dev/null
silo_dll=$PWD/src/Silo/bin/$configuration/net10.0/ImOrleans.Silo.dll
edge_dll=$PWD/src/EdgeGateway/bin/$configuration/net10.0/ImOrleans.EdgeGateway.dll

mkdir -p "$dir/logs"
chmod 755 "$dir"
touch "$dir/pids"
echo "$redis_port" >"$dir/redis.port"
redis_start "$dir/redis" "$redis_port"
postgres_start "$dir/pg" "$pg_port"

common=(--Cluster:Clustering=Redis "--Cluster:RedisConnectionString=127.0.0.1:$redis_port"
        --Cluster:ClusterId=local --Cluster:ServiceId=imorleans)
storage="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=imorleans"

start() {  # name dll args...
  local name=$1 dll=$2
  shift 2
  nohup dotnet "$dll" "$@" >"$dir/logs/$name.log" 2>&1 &
  echo "$! $name" >>"$dir/pids"
}

# A tiny HTTP GET over bash's /dev/tcp (no curl on a fresh machine).
http_get() {  # port path
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  cat <&3
  exec 3<&-
}

wait_for() {  # what command...
  local what=$1
  shift
  for _ in $(seq 1 120); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "timed out waiting for $what; logs in $dir/logs" >&2
  return 1
}

for i in 1 2; do
  start "silo$i" "$silo_dll" "${common[@]}" --Cluster:AdvertisedAddress=127.0.0.1 --Cluster:HostEdge=false \
    "--Cluster:SiloPort=${SILO_PORT:-1121$i}" "--Cluster:GatewayPort=${GATEWAY_PORT:-3010$i}" \
    "--Http:Port=${HTTP_PORT:-728$i}" --Storage:Provider=PostgreSql "--Storage:ConnectionString=$storage"
done
for i in 1 2; do
  wait_for "silo$i" bash -c "$(declare -f http_get); http_get ${HTTP_PORT:-728$i} /healthz | grep -q ok"
done

for i in $(seq 1 "$edges"); do
  start "edge$i" "$edge_dll" "${common[@]}" "--Edge:Port=${EDGE_PORT:-720$i}" "--Edge:EdgeId=edge$i" \
    "--Http:Port=${EDGE_HTTP_PORT:-729$i}"
done
for i in $(seq 1 "$edges"); do
  wait_for "edge$i in navigation" bash -c "$(declare -f http_get); http_get ${HTTP_PORT:-7281} /navigation | grep -q '\"edge$i\"'"
done

echo "cluster up (state in $dir):"
echo "  navigation  http://127.0.0.1:${HTTP_PORT:-7281}/navigation  http://127.0.0.1:${HTTP_PORT:-7282}/navigation"
edge_list=""
server_list=""
for i in $(seq 1 "$edges"); do
  edge_list+="  127.0.0.1:${EDGE_PORT:-720$i}"
  server_list+="${server_list:+,}127.0.0.1:${EDGE_PORT:-720$i}"
done
echo "  edges     $edge_list"
echo "  chat        dotnet run --project src/ChatConsole -- --user alice --server $server_list"
echo "  stop        scripts/cluster-down.sh"
