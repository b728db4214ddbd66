#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine and ends with one line:
#   tests: N passed, M failed
# Needs the .NET SDK; the integration tests' services (redis-server, PostgreSQL) are installed with apt-get when
# missing (as root), started here on free loopback ports with nothing kept on disk, handed to the tests through
# IMORLEANS_TEST_REDIS / IMORLEANS_TEST_POSTGRES, and stopped on exit.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

log=$(mktemp)
services_dir=$(mktemp -d)
chmod 755 "$services_dir"  # PostgreSQL runs as the postgres user and must reach its folder
redis_port=""
stop_services() {
  [ -n "$redis_port" ] && redis_stop "$services_dir/redis" "$redis_port"
  postgres_stop "$services_dir/pg"
  rm -rf "$services_dir" "$log"
}
trap 'stop_services >/dev/null 2>&1' EXIT

if services_install; then
  redis_port=$(services_free_port)
  pg_port=$(services_free_port)
  if redis_start "$services_dir/redis" "$redis_port" && postgres_start "$services_dir/pg" "$pg_port"; then
    export IMORLEANS_TEST_REDIS="127.0.0.1:$redis_port"
    export IMORLEANS_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=imorleans"
    echo "services: redis-server on $IMORLEANS_TEST_REDIS, PostgreSQL on 127.0.0.1:$pg_port"
  else
    echo "services: could not start redis-server and PostgreSQL; the integration tests will fail" >&2
  fi
else
  echo "services: redis-server/PostgreSQL unavailable; the integration tests will fail" >&2
fi

dotnet build ImOrleans.sln -nologo -v quiet 2>&1 | tee -a "$log" | grep -E "error|rror\(s\)"
if [ "${PIPESTATUS[0]}" -ne 0 ]; then
  echo "build failed"
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

# One test project at a time: the end-to-end and integration suites start servers and processes of
# their own, and on two cores running them side by side only makes every deadline tighter.
dotnet test ImOrleans.sln --no-build -nologo -m:1 --logger "console;verbosity=normal" 2>&1 | tee -a "$log" \
  | grep -E "^\s*(Failed|Skipped) |^Total tests|^\s+(Passed|Failed): [0-9]+$| error [A-Z]+[0-9]+"
status=${PIPESTATUS[0]}

# Each test project ends with a block "Total tests: N / Passed: N / Failed: N"; add them up.
passed=$(grep -E "^\s+Passed: [0-9]+$" "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -E "^\s+Failed: [0-9]+$" "$log" | awk '{s+=$2} END {print s+0}')
if [ "$failed" -gt 0 ]; then
  echo "---- failures ----"
  grep -E -A12 "^\s+Failed [A-Za-z]" "$log" | head -200
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the run broke without reporting a failed test (crash, hang, missing runner)
fi
echo "tests: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
