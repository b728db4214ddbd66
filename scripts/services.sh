# Throwaway Redis and PostgreSQL instances on loopback, for tests and the local cluster.
# Sourced by scripts/test.sh and scripts/cluster-up.sh; nothing here uses systemd.
#
#   services_install                      apt-get install redis-server postgresql when missing (root)
#   services_free_port                    prints a loopback TCP port nobody listens on
#   redis_start DIR PORT / redis_stop DIR PORT
#   postgres_start DIR PORT / postgres_stop DIR
#
# Redis keeps nothing on disk (--save '' --appendonly no). PostgreSQL gets a cluster of its own in
# DIR (initdb refuses root, so as root the folder is handed to the postgres user), trust
# authentication on 127.0.0.1 only, user postgres, database "imorleans".

services_pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$dir" ]; then
    dir=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")
  fi
  echo "$dir"
}

services_install() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ -x "$(services_pg_bin)/initdb" ] || missing+=(postgresql)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "services: ${missing[*]} missing; install them (apt-get install -y redis-server postgresql) or run as root" >&2
    return 1
  fi
  echo "services: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq redis-server postgresql >/dev/null
}

services_free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

redis_start() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" || return 1
  for _ in $(seq 1 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "services: redis on port $port did not answer; see $dir/redis.log" >&2
  return 1
}

redis_stop() {
  local dir=$1 port=$2
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || {
    [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null
  }
  return 0
}

# Runs a PostgreSQL program as the owner of the data folder (postgres when we are root).
services_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  else
    "$@"
  fi
}

postgres_start() {
  local dir=$1 port=$2 bin
  bin=$(services_pg_bin)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$dir"
  fi
  services_pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-instructions >"$dir/initdb.log" 2>&1 || {
    echo "services: initdb failed; see $dir/initdb.log" >&2
    return 1
  }
  services_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null || {
    echo "services: postgres did not start; see $dir/postgres.log" >&2
    return 1
  }
  services_pg_as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres imorleans
}

postgres_stop() {
  local dir=$1
  [ -d "$dir/data" ] || return 0
  services_pg_as_owner "$(services_pg_bin)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
  return 0
}
