#!/usr/bin/env bash
# Runs every test and ends with "N passed, N failed" (exit 1 on any failure).
#   unit          $UNIT (the C unit runner)
#   cli           tests/cli/NNN-name/: `cmd` runs in that folder with $DAJIA;
#                 its stdout must equal `expected` (and exit status `status`, default 0)
#   integration   tests/integration/*.sh, each prints "ok - x" / "not ok - x" lines
#   fuzz replay   every DIR/NAME over tests/fuzz/corpus/NAME, for each DIR
#                 of $REPLAY_DIRS (one build of the replays per compiler)
# Every component prints TAP-style lines; this script counts them.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export DAJIA=${DAJIA:-$ROOT/bin/dajia}
case "$DAJIA" in /*) ;; *) DAJIA=$ROOT/$DAJIA ;; esac
UNIT=${UNIT:-build/unit}
REPLAY_DIRS=${REPLAY_DIRS:-build/replay}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/.ci/lsan.supp}
export DJ_ROOT=$ROOT
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
ONLY=${1:-}

section() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

# PostgreSQL for the store and service tests: a throwaway cluster unless the
# caller gave one. CI has PostgreSQL installed; failing to start it fails.
if [ -z "${TEST_PG_DSN:-}" ] && { [ -z "$ONLY" ] || [ "$ONLY" = unit ] || [ "$ONLY" = integration ]; }; then
  source tests/lib/pg.sh
  if pg_test_start; then
    trap 'pg_test_stop; rm -f "$LOG"' EXIT
  else
    echo "not ok - PostgreSQL test cluster could not start" | tee -a "$LOG"
  fi
fi

if section unit; then
  echo "== unit"
  "$UNIT" 2>&1 | tee -a "$LOG" | grep -v '^ok - '
  st=${PIPESTATUS[0]}
  [ "$st" -gt 1 ] && echo "not ok - unit runner crashed (exit $st)" | tee -a "$LOG"
fi

if section cli; then
  echo "== cli"
  for d in tests/cli/*/; do
    [ -f "$d/cmd" ] || continue
    name=$(basename "$d")
    want_status=0; [ -f "$d/status" ] && want_status=$(cat "$d/status")
    out=$(mktemp); err=$(mktemp)
    (cd "$d" && bash ./cmd) >"$out" 2>"$err"; st=$?
    ok=1
    [ "$st" = "$want_status" ] || { ok=0; echo "#   $name: exit $st, want $want_status"; }
    if [ -f "$d/expected" ] && ! diff -u "$d/expected" "$out" >"$out.diff"; then ok=0; head -n 30 "$out.diff"; fi
    if [ -f "$d/expected_stderr" ] && ! grep -qF -f "$d/expected_stderr" "$err"; then ok=0; echo "#   $name: stderr lacks $(cat "$d/expected_stderr")"; head -5 "$err"; fi
    if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer' "$err"; then ok=0; head -n 30 "$err"; fi
    if [ $ok = 1 ]; then echo "ok - cli $name" >>"$LOG"; else echo "not ok - cli $name" | tee -a "$LOG"; fi
    rm -f "$out" "$err" "$out.diff"
  done
fi

if section integration; then
  echo "== integration"
  for t in tests/integration/*.sh; do
    [ -f "$t" ] || continue
    bash "$t" 2>&1 | tee -a "$LOG" | grep -v '^ok - '
    [ "${PIPESTATUS[0]}" = 0 ] || echo "not ok - $(basename "$t") exited non-zero" | tee -a "$LOG"
  done
fi

if section fuzz; then
  echo "== fuzz corpus replay"
  for d in $REPLAY_DIRS; do
    build=$(basename "$(dirname "$d")")
    for r in "$d"/*; do
      [ -x "$r" ] || continue
      name=$(basename "$r")
      "$r" "tests/fuzz/corpus/$name" >"$LOG.r" 2>&1; st=$?
      tail -n 40 "$LOG.r" | grep -v '^ok - '; grep '^ok - ' "$LOG.r" | sed "s/\$/ [$build]/" >>"$LOG"
      [ $st = 0 ] || echo "not ok - replay $name crashed (exit $st) [$build]" | tee -a "$LOG"
      rm -f "$LOG.r"
    done
  done
fi

passed=$(grep -c '^ok - ' "$LOG")
failed=$(grep -c '^not ok - ' "$LOG")
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
