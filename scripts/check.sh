#!/usr/bin/env bash
# Runs the test binaries: unit tests first (no database), then integration tests against
# the private PostgreSQL cluster (started here, stopped at the end when we started it).
# Usage: scripts/check.sh UNIT_BIN... -- INTEGRATION_BIN...
# Prints each binary's cmocka summary and, last, one line "check: N passed, N failed, N skipped".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
unit=(); intg=(); side=unit
for a in "$@"; do
    if [ "$a" = "--" ]; then side=intg; continue; fi
    if [ $side = unit ]; then unit+=("$a"); else intg+=("$a"); fi
done
passed=0; failed=0; skipped=0; broken=""
run_one() {
    local bin=$1 out rc
    out=$(mktemp)
    "$bin" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    local p f s
    p=$(grep -aoE '^\[  PASSED  \] [0-9]+' "$out" | awk '{s+=$NF} END {print s+0}')
    f=$(grep -aoE '^\[  FAILED  \] [0-9]+' "$out" | awk '{s+=$NF} END {print s+0}')
    s=$(grep -aoE '^\[  SKIPPED \] [0-9]+ test' "$out" | awk '{s+=$(NF-1)} END {print s+0}')
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then failed=$((failed + 1)); broken="$broken $bin(rc=$rc)"; fi
    rm -f "$out"
}
export PROCAUDIT_ROOT="$ROOT" PROCAUDIT_SHARED="${PROCAUDIT_SHARED:-$ROOT/../shared}"
for b in "${unit[@]}"; do run_one "$b"; done
started=0
if [ ${#intg[@]} -gt 0 ]; then
    if ! scripts/pg.sh status; then scripts/pg.sh start || exit 3; started=1; fi
    eval "$(scripts/pg.sh env)"
    for b in "${intg[@]}"; do run_one "$b"; done
    [ $started = 1 ] && scripts/pg.sh stop
fi
[ -n "$broken" ] && echo "check: binaries that exited non-zero without a cmocka failure:$broken"
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
