#!/usr/bin/env bash
# `make bench`: runs every bench/run_*.sh in name order. Each prints its
# figures (medians of repeated runs, with the peer named in its issue measured
# in the same run on the same input) and writes its section of results to
# bench/results/<name>.md; this script then rebuilds bench/RESULTS.md from
# the sections. BENCH_QUICK=1 runs smaller inputs for a smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results build/bench
for s in bench/run_*.sh; do
  [ -f "$s" ] || continue
  echo "=== $s"
  bash "$s"
done
{
  echo "# Benchmark results"
  echo
  echo "Produced by \`make bench\` (bench/run.sh); each section is written by its bench/run_*.sh."
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME")."
  echo
  for f in bench/results/*.md; do [ -f "$f" ] && { cat "$f"; echo; }; done
} > bench/RESULTS.md
echo "bench: wrote bench/RESULTS.md"
