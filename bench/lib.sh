# Shared by the bench/run_*.sh scripts (sourced).

# bench_corpus N: the bench corpus of N generated listings (profile bench,
# seed 7) in build/bench-data/screen-N, generated once; prints its folder.
bench_corpus() {
  local dir=build/bench-data/screen-$1 t0
  if [ ! -f "$dir/.done" ]; then
    echo "generating $1 listings (bench profile) in $dir" >&2
    rm -rf "$dir"; mkdir -p "$(dirname "$dir")"
    t0=$(date +%s.%N)
    bin/dajia gen --profile bench --seed 7 --listings "$1" --out "$dir" >&2
    echo "gen: $(echo "$(date +%s.%N) - $t0" | bc) s" >&2
    touch "$dir/.done"
  fi
  echo "$dir"
}
