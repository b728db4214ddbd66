#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine and ends with one line:
#   tests: N passed, M failed
# Needs only the .NET SDK today; services that integration tests need are installed and started here.
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet build ImOrleans.sln -nologo -v quiet 2>&1 | tee -a "$log" | grep -E "error|rror\(s\)"
if [ "${PIPESTATUS[0]}" -ne 0 ]; then
  echo "build failed"
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

dotnet test ImOrleans.sln --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee -a "$log" \
  | grep -E "^\s*(Failed|Skipped) |^Total tests|^\s+(Passed|Failed): [0-9]+$| error [A-Z]+[0-9]+"
status=${PIPESTATUS[0]}

# Each test project ends with a block "Total tests: N / Passed: N / Failed: N"; add them up.
passed=$(grep -E "^\s+Passed: [0-9]+$" "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -E "^\s+Failed: [0-9]+$" "$log" | awk '{s+=$2} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the run broke without reporting a failed test (crash, hang, missing runner)
fi
echo "tests: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
