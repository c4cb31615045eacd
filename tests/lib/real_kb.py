#!/usr/bin/env python3
"""Builds the inputs of the real-title checks from ../shared/data (which has
no licence for redistribution, so nothing of it is committed):

  real_kb.py SHARED_DATA OUT_DIR

writes OUT_DIR/kb.json (the brands annotated in the real titles, the
counterfeit slang of slang_zh/zh_counterfeit_terms.csv with its variants and
false-positive contexts as cancel terms), OUT_DIR/zh.jsonl, OUT_DIR/en.jsonl
OUT_DIR/traps.jsonl (the real titles that contain slang terms),
OUT_DIR/counterfeit_lines.jsonl (real counterfeit-advertising lines) and
OUT_DIR/web.jsonl (the product titles of er/: WDC's product-matching
pairs, web shop offers in several languages, and the Amazon-Google and
Abt-Buy tables; no brand of the KB was taken from them, and the screen was
not tuned on them)."""
import csv, json, os, re, sys

shared, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)

brands = {}
def add_brand(name):
    name = name.strip()
    if len(name) < 2 or len(name) > 60:
        return
    key = re.sub(r'[^0-9a-z]+', '-', name.lower()).strip('-') or 'b%x' % abs(hash(name))
    if not re.fullmatch(r'[A-Za-z0-9_.-]{1,64}', key):
        key = 'b%08x' % (abs(hash(name)) & 0xffffffff)
    b = brands.setdefault(key, {"id": key, "name": name, "terms": []})
    if name not in b["terms"] and len(b["terms"]) < 64:
        b["terms"].append(name)

zh = []
for f in ("ecommerce_ner_titles.jsonl", "jd_gaiic2022_titles.jsonl"):
    for line in open(os.path.join(shared, "listings_zh", f), encoding="utf-8"):
        r = json.loads(line)
        for b in r.get("brands", []):
            add_brand(b)
        zh.append({"id": r["id"], "title": r["title"]})
en = []
for r in csv.DictReader(open(os.path.join(shared, "listings_en", "product_titles_en.csv"), encoding="utf-8")):
    if r["brand"]:
        add_brand(r["brand"])
    item = {"id": r["id"], "title": r["title"], "category": r["category"] or None}
    try:
        item["price"] = float(r["price_usd"]); item["currency"] = "USD"
    except ValueError:
        pass
    en.append(item)

# Slang: strength -> kind and weight. The contexts the CSV names as false
# positives become cancel terms (the KB author's job, not the engine's).
cancel = {
    "A货": ["翡翠", "玉", "和田", "缅甸", "冰种", "糯种", "电池", "battery", "batteries", "alkaline"],
    "1:1": ["蜡烛", "模型", "比例", "心形", "仿真", "scale", "model"],
    "仿品": ["仿古", "仿藤", "仿瓷", "仿真花", "仿皮"],
    "复刻": ["咖啡", "磨豆"],
    "莆田": ["特产", "荔枝", "桂圆"],
}
signals = []
seen = set()
for r in csv.DictReader(open(os.path.join(shared, "slang_zh", "zh_counterfeit_terms.csv"), encoding="utf-8")):
    strength = r["signal_strength"].split()[0]
    if strength == "strong":
        kind, w = "replica", 0.9
    elif strength == "medium":
        kind, w = "replica", 0.6
    else:
        kind, w = "evasion", 0.3
    if r["term"] in ("正品", "代购", "水货"):
        continue  # said by genuine sellers at least as often: no evidence either way
    for t in [r["term"]] + [v for v in r["variants"].split(";") if v]:
        if t in seen:
            continue
        seen.add(t)
        s = {"term": t, "kind": kind, "weight": w}
        if r["term"] in cancel:
            s["cancel_near"] = cancel[r["term"]]
        signals.append(s)
for t in ("适用于", "适用", "适配", "兼容", "for", "compatible with", "fits"):
    signals.append({"term": t, "kind": "compat", "weight": 1.0})
for t in ("二手", "闲置", "used", "pre-owned"):
    signals.append({"term": t, "kind": "resale", "weight": 1.0})

# Trade nicknames and obfuscated names from a public brand-risk alias list
# (slang_zh/brand_nicknames_obfuscations.csv): 驴牌, 小香, C家, 绿水鬼, 莆田鞋,
# SUP, OW... Short and common words among them (勾, 劳, 椰子, 大鹅) are the
# false positives a real KB brings.
# The list names official Chinese names among them (阿迪达斯, 香奈儿): those
# are the brand's terms, as brands/brands_en_zh_tangbuy.csv has them.
by_name = {b["name"].lower(): b for b in brands.values()}
official_zh = {}
for r in csv.DictReader(open(os.path.join(shared, "brands", "brands_en_zh_tangbuy.csv"), encoding="utf-8")):
    official_zh.setdefault(r["brand_en"].strip().lower().replace("è", "e"), set()).add(r["brand_zh"].replace(" ", ""))
for r in csv.DictReader(open(os.path.join(shared, "slang_zh", "brand_nicknames_obfuscations.csv"), encoding="utf-8")):
    b = by_name.get(r["brand"].lower())
    if not b:
        add_brand(r["brand"])
        b = by_name[r["brand"].lower()] = next(x for x in brands.values() if x["name"] == r["brand"].strip())
    nicks = b.setdefault("nicknames", [])
    names_zh = official_zh.get(r["brand"].lower().replace("è", "e"), set())
    for t in r["nicknames_or_obfuscations"].split(";"):
        t = re.sub(r"\s*\(.*\)", "", t).strip()
        if not t or t in b["terms"] or t in nicks:
            continue
        (b["terms"] if t in names_zh else nicks).append(t)

kb = {"version": "real-titles", "currency": "CNY", "rates": {"USD": 7.1},
      "thresholds": {"block": 0.8, "review": 0.45},
      "brands": sorted(brands.values(), key=lambda b: b["id"]), "signals": signals}
json.dump(kb, open(os.path.join(out, "kb.json"), "w", encoding="utf-8"), ensure_ascii=False)

def dump(name, rows):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
dump("zh.jsonl", zh)
dump("en.jsonl", en)
# Real counterfeit-advertising lines (高仿香烟, 精仿原厂, 山寨手机) from a
# public sensitive-word list: what the slang must catch.
dump("counterfeit_lines.jsonl", [{"id": "tencent-%d" % i, "title": l.strip()} for i, l in enumerate(
    open(os.path.join(shared, "slang_zh", "tencent_list_counterfeit_lines.txt"), encoding="utf-8")) if l.strip()])
traps = [{"id": "%s#%s" % (r["listing_id"], r["matched_variant"]), "title": r["title"], "term": r["term"]}
         for r in csv.DictReader(open(os.path.join(shared, "slang_zh", "term_hits_in_real_titles.csv"), encoding="utf-8"))]
dump("traps.jsonl", traps)

csv.field_size_limit(1 << 30)
web, seen = [], set()
for f in sorted(os.listdir(os.path.join(shared, "er"))):
    if not (f.startswith("wdc_") and f.endswith(".csv")):
        continue
    for r in csv.DictReader(open(os.path.join(shared, "er", f), encoding="utf-8", errors="replace")):
        for k in ("title_left", "title_right"):
            # The offers' fields come quoted with language tags: "Seiko Diver"@pl
            t = " ".join(re.sub(r'@[a-z]{2}\b', " ", re.sub(r'"+', " ", r.get(k) or "")).split())[:300]
            if t and t not in seen:
                seen.add(t)
                web.append({"id": "wdc-%d" % len(web), "title": t})
for f, col in (("Amazon-Google_tableA.csv", "title"), ("Amazon-Google_tableB.csv", "title"),
               ("Abt-Buy_tableA.csv", "name"), ("Abt-Buy_tableB.csv", "name")):
    for r in csv.DictReader(open(os.path.join(shared, "er", f), encoding="utf-8", errors="replace")):
        t = " ".join((r.get(col) or "").split())[:300]
        if t and t not in seen:
            seen.add(t)
            web.append({"id": "er-%d" % len(web), "title": t})
dump("web.jsonl", web)
print(len(brands), "brands,", len(signals), "signals,", len(zh), "zh titles,", len(en), "en titles,", len(traps), "traps")
