#!/usr/bin/env bash
# Real titles (../shared/data, not redistributable, so built at test time):
# ordinary Chinese and English listings screened against a KB of their own
# brands and the real counterfeit slang must be allowed (>= 98%), and the
# real false-positive traps (翡翠a货, 1比1心形蜡烛, 仿古, 外贸原单 ...) must
# never be blocked; real counterfeit-advertising lines (高仿香烟, 精仿原厂)
# must be held. The KB carries a public alias list's brand nicknames too
# (驴牌, 小香, 勾, 劳): the short ones must not cost the ordinary titles.
# Web shop product titles (../shared/data/er) that nothing was tuned on
# must never be blocked (RC4 and 4MP are model codes, not RCA and AMP).
# Skipped, and said so, when ../shared is absent.
set -u
cd "$(dirname "$0")/../.."
SHARED=${DJ_SHARED_DATA:-../shared/data}
if [ ! -d "$SHARED/listings_zh" ]; then
  echo "ok - real titles # SKIP $SHARED not present"
  exit 0
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
python3 tests/lib/real_kb.py "$SHARED" "$T" >/dev/null || { echo "not ok - real titles: building the KB failed"; exit 0; }
for f in zh en traps counterfeit_lines web; do
  "$DAJIA" scan --kb "$T/kb.json" --threads 2 "$T/$f.jsonl" > "$T/$f.out" 2>"$T/$f.err" || { echo "not ok - real titles $f: scan failed"; cat "$T/$f.err"; }
done
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
def load(name):
    ins = [json.loads(l) for l in open(f"{t}/{name}.jsonl", encoding="utf-8")]
    outs = [json.loads(l) for l in open(f"{t}/{name}.out", encoding="utf-8")]
    return ins, outs
def check(name, cond, msg):
    print(("ok - " if cond else "not ok - ") + name + (f" # {msg}" if msg else ""))
for name in ("zh", "en"):
    ins, outs = load(name)
    ok = len(ins) == len(outs) and len(ins) > 1000
    allowed = sum(o["decision"] == "allow" for o in outs) / max(1, len(outs))
    check(f"real titles {name}: one decision per line", ok, f"{len(outs)} of {len(ins)}")
    check(f"real titles {name}: >= 98% allowed", allowed >= 0.98, f"{allowed:.4f} allowed")
ins, outs = load("web")
blocked = [i["title"] for i, o in zip(ins, outs) if o["decision"] == "block"]
allowed = sum(o["decision"] == "allow" for o in outs) / max(1, len(outs))
check("real web product titles (er/): one decision per line", len(ins) == len(outs) and len(ins) > 5000, f"{len(outs)}")
check("real web product titles (er/): none blocked", not blocked, "; ".join(blocked[:3]))
check("real web product titles (er/): >= 99.5% allowed", allowed >= 0.995, f"{allowed:.4f} allowed")
ins, outs = load("traps")
blocked = [i["title"] for i, o in zip(ins, outs) if o["decision"] == "block"]
allowed = sum(o["decision"] == "allow" for o in outs) / max(1, len(outs))
check("real traps: none blocked", not blocked, "; ".join(blocked[:3]))
check("real traps: >= 95% allowed", allowed >= 0.95, f"{allowed:.4f} allowed")
lines, decided = load("counterfeit_lines")
missed = [i["title"] for i, o in zip(lines, decided) if o["decision"] == "allow"]
check("real counterfeit lines: >= 90% held", len(decided) == len(lines) and len(missed) <= len(lines) // 10,
      f"{len(lines) - len(missed)} of {len(lines)} held" + (", allowed: " + "; ".join(missed[:3]) if missed else ""))
for word in ("翡翠", "心形蜡烛", "仿古", "仿藤", "仿瓷"):
    rows = [(i, o) for i, o in zip(ins, outs) if word in i["title"]]
    bad = [i["title"] for i, o in rows if o["decision"] != "allow"]
    check(f"real traps with {word} allowed", rows and not bad, f"{len(rows)} rows" + (", held: " + bad[0] if bad else ""))
PY
