#!/usr/bin/env bash
# Detection (issue 2): block precision, counterfeit caught, strong
# counterfeits blocked and legitimate allowed on `dajia gen` data of several
# seeds, against the bars; and real titles (../shared/data) screened against
# a KB of their own brands: share allowed, traps blocked. DETECT_SEEDS
# (default "1 2 3 4 5"), DETECT_LISTINGS (default 20,000; 5,000 quick).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
SEEDS=${DETECT_SEEDS:-1 2 3 4 5}
N=${DETECT_LISTINGS:-20000}
[ "${BENCH_QUICK:-0}" = 1 ] && N=${DETECT_LISTINGS:-5000}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
for s in $SEEDS; do
  bin/dajia gen --seed "$s" --listings "$N" --out "$T/m$s" >/dev/null
  bin/dajia scan --kb "$T/m$s/kb.json" --no-progress "$T/m$s/listings.jsonl" \
    | bin/dajia eval --labels "$T/m$s/labels.jsonl" --json > "$T/e$s.json"
  echo "seed $s: $(cat "$T/e$s.json")"
done
# Real titles: the same KB builder and checks as tests/integration/real_titles.sh.
SHARED=${DJ_SHARED_DATA:-../shared/data}
REAL=""
if [ -d "$SHARED/listings_zh" ]; then
  python3 tests/lib/real_kb.py "$SHARED" "$T/real" >/dev/null
  for f in zh en traps counterfeit_lines; do bin/dajia scan --kb "$T/real/kb.json" --no-progress "$T/real/$f.jsonl" > "$T/real/$f.out"; done
  REAL="$T/real"
fi
python3 - "$T" "$N" "$REAL" $SEEDS > bench/results/detect.md <<'PY'
import json, sys
t, n, real, seeds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
rows = [(s, json.load(open(f"{t}/e{s}.json"))) for s in seeds]
keys = [("block_precision", "block precision", 0.99), ("counterfeit_caught", "counterfeit caught (block or review)", 0.97),
        ("strong_blocked", "strong counterfeits blocked", 0.95), ("legit_allowed", "legitimate allowed", 0.98)]
print("## Detection (issue 2)\n")
print(f"`dajia gen --seed S --listings {n:,}` (demo profile: 300 brands, Latin and Chinese marks, every obfuscation class, "
      "collisions, accessories, resale, authorized sellers, stolen photos, traps), screened by `dajia scan`, "
      "scored by `dajia eval` against the generator's labels.\n")
print("| seed | " + " | ".join(k[1] for k in keys) + " |")
print("|---|" + "---:|" * len(keys))
for s, e in rows:
    print(f"| {s} | " + " | ".join(f"{e[k[0]]:.4f}" for k in keys) + " |")
print("| **worst** | " + " | ".join(f"**{min(e[k[0]] for _, e in rows):.4f}**" for k in keys) + " |")
print("| bar | " + " | ".join(f"≥ {k[2]}" for k in keys) + " |")
ok = all(min(e[k[0]] for _, e in rows) >= k[2] for k in keys)
print(f"\nAll bars met on every seed: {'yes' if ok else 'NO'}.")
if real:
    def load(name):
        ins = [json.loads(l) for l in open(f"{real}/{name}.jsonl", encoding="utf-8")]
        outs = [json.loads(l) for l in open(f"{real}/{name}.out", encoding="utf-8")]
        return ins, outs
    print("\nReal titles (`../shared/data/listings_zh`, `listings_en`), screened against a KB of their own brands and "
          "the real slang list and a public alias list's brand nicknames (tests/lib/real_kb.py); the false-positive "
          "traps of `slang_zh/term_hits_in_real_titles.csv`; the real counterfeit-advertising lines of "
          "`slang_zh/tencent_list_counterfeit_lines.txt` (高仿香烟, 精仿原厂), which should be held:\n")
    print("| set | titles | allowed | held for review | blocked |")
    print("|---|---:|---:|---:|---:|")
    for name, label in (("zh", "Chinese titles"), ("en", "English titles"), ("traps", "false-positive traps"),
                        ("counterfeit_lines", "counterfeit-advertising lines (to hold)")):
        ins, outs = load(name)
        c = {k: sum(o["decision"] == k for o in outs) for k in ("allow", "review", "block")}
        print(f"| {label} | {len(outs):,} | {c['allow'] / len(outs):.4f} | {c['review']:,} | {c['block']:,} |")
else:
    print("\nReal titles: skipped (../shared/data not present).")
PY
cat bench/results/detect.md
