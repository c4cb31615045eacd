#!/usr/bin/env python3
"""Durability and availability (argv[1]: sqlite | postgresql).
1. SIGKILL in the middle of a write load, restart: every listing version
   that got a 2xx is there, and nothing is half-written (each listing has
   exactly its versions and a decision for each).
2. postgresql only: the database goes away under the server and comes
   back; the server answers 503 quickly meanwhile and recovers by itself."""
import json, os, subprocess, sys, threading, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from djtest import ok, new_db, token, Server, ROOT, PGBIN

backend = sys.argv[1]
B = f"[{backend}]"
db = new_db(backend, "dur")
kb = os.path.join(ROOT, "tests/data/screen/kb.json")
tok = token(db, "integration")
adm = token(db, "admin")

srv = Server(db, kb).start()
acked = {}
lock = threading.Lock()
stop = threading.Event()

def writer(w):
    i = 0
    while not stop.is_set():
        lid = f"w{w}-{i % 40}"  # new listings and new versions of old ones
        i += 1
        try:
            st, d = srv.json("POST", "/v1/listings", {"id": lid, "seller_id": "s1", "title": f"高仿 Gucci 包 {i}",
                                                   "category": "fashion/bags", "price": 100 + i}, tok, timeout=5)
        except OSError:
            continue  # the server died under us: this write was not acknowledged
        if st == 200:
            with lock:
                acked[lid] = max(acked.get(lid, 0), d["version"])

threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
for t in threads:
    t.start()
time.sleep(2.0)
srv.kill9()
stop.set()
for t in threads:
    t.join()
ok(len(acked) > 20, f"{B} writes were acknowledged before the kill", len(acked))

srv2 = Server(db, kb).start()
try:
    lost, torn = [], []
    for lid, v in sorted(acked.items()):
        st, d = srv2.json("GET", f"/v1/listings/{lid}", tok=adm)
        if st != 200 or d["version"] < v:
            lost.append(f"{lid} v{v}: {st}")
            continue
        if len(d["versions"]) != d["version"] or len(d["decisions"]) < d["version"]:
            torn.append(f"{lid}: version {d['version']}, {len(d['versions'])} bodies, {len(d['decisions'])} decisions")
    ok(not lost, f"{B} every acknowledged write survived SIGKILL ({len(acked)} listings)", "; ".join(lost[:5]))
    # Every listing in the store, acknowledged or not, is whole.
    st, page = srv2.json("GET", "/v1/listings?limit=500", tok=adm)
    for item in page["items"]:
        st, d = srv2.json("GET", f"/v1/listings/{item['id']}", tok=adm)
        if len(d["versions"]) != d["version"] or len(d["decisions"]) < d["version"]:
            torn.append(item["id"])
    ok(not torn, f"{B} nothing half-written after SIGKILL", "; ".join(torn[:5]))

    if backend == "postgresql":
        pg_root = os.environ["PG_ROOT"]
        def pg_ctl(*args):
            return subprocess.run(["runuser", "-u", "postgres", "--", f"{PGBIN}/pg_ctl", "-D", f"{pg_root}/data", "-w", "-t", "60", *args],
                                  capture_output=True, text=True)
        body = {"id": "during-outage", "title": "mug", "seller_id": "s1"}
        st, _ = srv2.json("POST", "/v1/listings", body, tok)
        ok(st == 200, f"{B} writes work before the outage", st)
        pg_ctl("-m", "fast", "stop")
        try:
            t0 = time.time()
            st, e = srv2.json("POST", "/v1/listings", body, tok, timeout=15)
            took = time.time() - t0
            ok(st == 503 and e["error"]["code"] == "unavailable" and took < 5,
               f"{B} database down: a clear 503, fast", f"{st} {e} in {took:.1f}s")
            st, h = srv2.json("GET", "/healthz")
            ok(st == 200, f"{B} the server keeps answering while the database is down", st)
        finally:
            r = pg_ctl("-l", f"{pg_root}/server.log", "start")
            ok(r.returncode == 0, f"{B} database restarted", r.stderr[-300:])
        recovered = False
        deadline = time.time() + 20
        while time.time() < deadline and not recovered:
            st, d = srv2.json("POST", "/v1/listings", body, tok, timeout=10)
            recovered = st == 200
            if not recovered:
                time.sleep(0.2)
        ok(recovered, f"{B} recovers by itself when the database is back", st)
finally:
    srv2.stop()
