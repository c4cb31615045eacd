#!/usr/bin/env python3
"""Images through the service on one backend (argv[1]: sqlite | postgresql):
POST /v1/images (raw and multipart) against the reference's hashes, bad
uploads, the counterfeit and allow banks with provenance and scope, screening
that uses them, the flood guard's quarantine and its release, banks changed
by another process (the CLI) picked up by the running server, and the role
matrix of the image routes."""
import csv, json, os, sys, time, uuid
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from djtest import ok, new_db, token, Server, ROOT
import subprocess

backend = sys.argv[1]
B = f"[{backend}]"
db = new_db(backend, "img")
kb = os.path.join(ROOT, "tests/data/screen/kb.json")
IMG = os.path.join(ROOT, "tests/data/image")
expected = {r[0]: (r[1], int(r[2])) for r in csv.reader(open(os.path.join(IMG, "expected_pdq.csv"))) if r and r[0].startswith("images/") and len(r) > 2 and r[1]}
tok = {
    "admin": token(db, "admin"), "reviewer": token(db, "reviewer"), "integration": token(db, "integration"),
    "brand_gucci": token(db, "brand", "gucci"), "brand_chanel": token(db, "brand", "chanel"),
    "seller_s1": token(db, "seller", "s1"),
}
A, R, I, BG, BC, S1 = "admin", "reviewer", "integration", "brand_gucci", "brand_chanel", "seller_s1"
ALL = [A, R, I, BG, BC, S1]
# A low flood threshold so a test can trip it; fast polling of bank changes;
# a KB swap held open for 1.5 s between the new banks and the new KB (a
# fault-injection hook) so a test can screen inside it.
os.environ["DAJIA_TEST_KB_SWAP_DELAY_MS"] = "1500"
srv = Server(db, kb, ["--flood-min", "4", "--flood-factor", "2", "--bank-poll-ms", "100", "--max-image", "3000000"]).start()


def multipart(name, data, filename="photo.jpg", ctype="image/jpeg"):
    b = uuid.uuid4().hex
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
            f"--{b}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {ctype}\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={b}"}


def listing(id, seller, h, title="leather handbag"):
    return {"id": id, "seller_id": seller, "title": title, "category": "fashion/bags", "images": [h]}


try:
    S = srv.json
    # --- hashing uploads ------------------------------------------------------------
    wrong = []
    for rel, (h, q) in sorted(expected.items()):
        data = open(os.path.join(IMG, rel), "rb").read()
        if len(data) > 3000000:
            continue
        st, d = S("POST", "/v1/images", tok=tok[S1], raw=data, headers={"Content-Type": "application/octet-stream"})
        if st != 200 or d["hash"] != h or d["quality"] != q:
            wrong.append(f"{rel}: {st} {d}")
    ok(not wrong, f"{B} POST /v1/images (raw) equals the reference on {len(expected)} images", "; ".join(wrong[:3]))
    photo = open(os.path.join(IMG, "images/bridge-mods/high-contrast.jpg"), "rb").read()
    body, hdr = multipart("image", photo)
    st, d = S("POST", "/v1/images?dihedral=1", tok=tok[I], raw=body, headers=hdr)
    ok(st == 200 and d["hash"] == expected["images/bridge-mods/high-contrast.jpg"][0] and len(d["dihedral"]) == 8 and d["usable"],
       f"{B} multipart upload with dihedral hashes", d)
    PHOTO = d["hash"]
    st, e = S("POST", "/v1/images", tok=tok[I], raw=b"GIF89a" + b"\0" * 100)
    ok(st == 400 and "format" in e["error"]["message"].lower() or "not" in e["error"]["message"], f"{B} an unknown format is a clear 400", e)
    st, e = S("POST", "/v1/images", tok=tok[I], raw=photo[: len(photo) // 3])
    ok(st == 400 and e["error"]["field"] == "body", f"{B} a truncated JPEG is a 400", e)
    st, e = S("POST", "/v1/images", tok=tok[I], raw=b"")
    ok(st == 400, f"{B} an empty body is a 400", e)
    st, _ = srv.request("POST", "/v1/images", tok=tok[I], raw=b"\xff" * 3000001)
    ok(st == 413, f"{B} an image over --max-image gets 413", st)
    body, hdr = multipart("other", photo, filename="")
    body = body.replace(b'; filename=""', b"")
    st, e = S("POST", "/v1/images", tok=tok[I], raw=body, headers=hdr)
    ok(st == 400 and "image" in e["error"]["message"], f"{B} multipart without a file part names what to send", e)
    st, e = S("POST", "/v1/images", raw=photo)
    ok(st == 401, f"{B} hashing needs a token", st)

    # --- the banks ------------------------------------------------------------------------
    st, d = S("POST", "/v1/screen", listing("x", "s1", PHOTO), tok[I])
    ok(st == 200 and d["decision"] == "review" and d["reasons"][0]["signal"] == "official_image",
       f"{B} near an official image: held for review", d)
    st, pub = S("POST", "/v1/listings", {**listing("fake-1", "s1", PHOTO), "title": "高仿 Gucci 包"}, tok[I])
    ok(st == 200 and pub["decision"] == "block", f"{B} a blocked listing to cite", pub)
    FAKE = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    st, e = S("POST", "/v1/images/bank", {"kind": "counterfeit", "hash": FAKE, "brand": "gucci", "listing_id": "fake-1",
                                          "note": "test buy 2026-11"}, tok[R])
    ok(st == 201 and e["provenance"]["listing_id"] == "fake-1" and e["provenance"]["decision"] == "block"
       and e["provenance"]["added_by"] and e["state"] == "active", f"{B} counterfeit entry with provenance", e)
    FAKE_ID = e["id"]
    st, d = S("POST", "/v1/screen", listing("y", "s2", FAKE), tok[I])
    ok(st == 200 and d["decision"] == "block" and d["brand"] == "gucci"
       and any(r["signal"] == "counterfeit_image" and r["entry"] == FAKE_ID and r["distance"] == 0 for r in d["reasons"]),
       f"{B} the banked photo blocks the next listing at once, citing the entry", d)
    near = FAKE[:-2] + ("%02x" % (int(FAKE[-2:], 16) ^ 0xff))
    st, d = S("POST", "/v1/screen", listing("y2", "s2", near), tok[I])
    ok(d["decision"] == "block" and d["reasons"][0]["distance"] == 8, f"{B} a near-duplicate (8 bits) matches with its distance", d)
    st, e = S("POST", "/v1/images/bank", {"kind": "counterfeit", "hash": FAKE}, tok[R])
    ok(st == 409 and str(FAKE_ID) in e["error"]["message"], f"{B} banking it twice is a 409 naming the entry", e)
    st, e = S("POST", "/v1/images/bank", {"kind": "counterfeit", "hash": "zz"}, tok[R])
    ok(st == 400 and e["error"]["field"] == "hash", f"{B} a bad hash names the field", e)
    st, e = S("POST", "/v1/images/bank", {"kind": "counterfeit", "hash": FAKE, "colour": "red"}, tok[R])
    ok(st == 400 and e["error"]["field"] == "colour", f"{B} an unknown field is named", e)
    st, e = S("POST", "/v1/images/bank", {"kind": 3, "hash": FAKE}, tok[R])
    ok(st == 400 and e["error"]["field"] == "kind", f"{B} a wrong type is named", e)
    # Brands bank fakes of their own brand only, never allow-list.
    FAKE2 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
    st, e = S("POST", "/v1/images/bank", {"kind": "counterfeit", "hash": FAKE2}, tok[BC])
    ok(st == 201 and e["brand"] == "chanel", f"{B} a brand banks a fake of its brand", e)
    st, e = S("POST", "/v1/images/bank", {"kind": "counterfeit", "hash": FAKE2[::-1], "brand": "gucci"}, tok[BC])
    ok(st == 403, f"{B} a brand cannot bank for another brand", e)
    st, e = S("POST", "/v1/images/bank", {"kind": "counterfeit", "hash": FAKE2[::-1], "listing_id": "fake-1"}, tok[BC])
    ok(st in (400, 403), f"{B} a brand cannot cite another brand's listing", e)
    st, e = S("POST", "/v1/images/bank", {"kind": "allow", "hash": FAKE2[::-1]}, tok[BG])
    ok(st == 403, f"{B} a brand cannot allow-list", e)
    st, d = S("GET", "/v1/images/bank", tok=tok[BC])
    ok(st == 200 and d["items"] and all(i["brand"] == "chanel" for i in d["items"]), f"{B} a brand lists its own entries only", d)
    st, _ = S("GET", f"/v1/images/bank/{FAKE_ID}", tok=tok[BC])
    ok(st == 404, f"{B} another brand's entry is not found", st)
    # Allow-listing the stock photo silences it.
    st, e = S("POST", "/v1/images/bank", {"kind": "allow", "hash": PHOTO, "note": "supplier stock photo"}, tok[A])
    ok(st == 201, f"{B} allow-list a stock photo", e)
    st, d = S("POST", "/v1/screen", listing("z", "s1", PHOTO), tok[I])
    ok(d["decision"] == "allow" and d["reasons"][0]["signal"] == "allowlisted_image", f"{B} an allow-listed photo says nothing", d)
    # Switching an entry off, and on again.
    st, e = S("POST", f"/v1/images/bank/{FAKE_ID}/state", {"state": "disabled", "note": "wrong photo"}, tok[R])
    ok(st == 200 and e["state"] == "disabled" and e["state_note"] == "wrong photo", f"{B} disable an entry with a note", e)
    st, d = S("POST", "/v1/screen", listing("y3", "s2", FAKE), tok[I])
    ok(d["decision"] == "allow", f"{B} a disabled entry stops matching", d)
    st, e = S("POST", f"/v1/images/bank/{FAKE_ID}/state", {"state": "quarantined"}, tok[R])
    ok(st == 400 and e["error"]["field"] == "state", f"{B} people cannot quarantine (the flood guard does)", e)
    st, e = S("POST", f"/v1/images/bank/{FAKE_ID}/state", {"state": "active"}, tok[R])
    ok(st == 200, f"{B} enable it again", e)

    # --- the flood guard ------------------------------------------------------------------------
    checks = [S("POST", "/v1/screen", listing(f"self-{i}", "s9", FAKE), tok[I])[1].get("decision") for i in range(8)]
    ok(checks == ["block"] * 8, f"{B} self-checks (POST /v1/screen) do not count towards a flood", checks)
    decisions = []
    for i in range(8):  # one seller, over and over: a counterfeiter, blocked every time
        st, d = S("POST", "/v1/listings", listing(f"spam-{i}", "s9", FAKE), tok[I])
        decisions.append(d.get("decision"))
    ok(decisions == ["block"] * 8, f"{B} one seller cannot flood a photo into quarantine", decisions)
    decisions = []
    for i in range(6):  # four sellers (flood-min 4 caps flood-sellers): the entry matches too widely
        st, d = S("POST", "/v1/listings", listing(f"flood-{i}", f"s{10 + i}", FAKE), tok[I])
        decisions.append(d.get("decision"))
    ok(decisions[:2] == ["block"] * 2 and decisions[-1] == "allow", f"{B} a flooding entry is quarantined, not blocking them all", decisions)
    st, d = S("POST", "/v1/screen", listing("f", "s9", FAKE), tok[I])
    ok(any(r["signal"] == "quarantined_image" and r["entry"] == FAKE_ID for r in d["reasons"]), f"{B} the reason says it is held", d)
    st, q = S("GET", "/v1/images/quarantine", tok=tok[R])
    ok(st == 200 and any(i.get("entry") == FAKE_ID and i["matches_this_window"] >= 12 and i["sellers_this_window"] == 4
                         for i in q["items"]),
       f"{B} the quarantine is reported with its counts", q)
    state = None
    for _ in range(50):
        st, e = S("GET", f"/v1/images/bank/{FAKE_ID}", tok=tok[R])
        state = e.get("state")
        if state == "quarantined":
            break
        time.sleep(0.1)
    ok(state == "quarantined" and e["state_by"] == "flood-guard", f"{B} the quarantine is recorded in the store", e)
    st, m = srv.request("GET", "/metrics")
    ok(b"dajia_image_quarantined_entries 1" in m and b'dajia_image_bank_entries{bank="counterfeit"} 2' in m,
       f"{B} metrics show bank sizes and quarantines", m[-600:])
    st, e = S("POST", "/v1/images/quarantine/release", {"entry": str(FAKE_ID), "note": "checked: a real fake"}, tok[R])
    ok(st == 200 and e["state"] == "active", f"{B} a reviewer releases it", e)
    st, d = S("POST", "/v1/screen", listing("f2", "s9", FAKE), tok[I])
    ok(d["decision"] == "block", f"{B} released, it blocks again", d)
    st, e = S("POST", "/v1/images/quarantine/release", {"brand": "gucci", "official_image": "0"}, tok[R])
    ok(st == 404, f"{B} releasing what is not held is a 404", e)

    # --- another process changes the bank: the server picks it up ----------------------------
    OTHER = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
    r = subprocess.run([os.environ["DAJIA"], "bank", "add", "--db", db, "--kind", "counterfeit", "--hash", OTHER,
                        "--brand", "chanel", "--note", "from the CLI"], capture_output=True, text=True)
    ok(r.returncode == 0 and "counterfeit" in r.stdout, f"{B} dajia bank add", r.stdout + r.stderr)
    decision = None
    for _ in range(50):
        st, d = S("POST", "/v1/screen", listing("o", "s1", OTHER), tok[I])
        decision = d.get("decision")
        if decision == "block":
            break
        time.sleep(0.1)
    ok(decision == "block" and d["brand"] == "chanel", f"{B} a running server picks up a bank change made elsewhere", d)
    r = subprocess.run([os.environ["DAJIA"], "bank", "list", "--db", db, "--kind", "counterfeit"], capture_output=True, text=True)
    ok(r.returncode == 0 and OTHER in r.stdout and FAKE in r.stdout, f"{B} dajia bank list", r.stdout + r.stderr)

    # --- a KB swap: requests still on the old KB keep the banks built for it ----------------------
    import threading
    put = {}
    kb_body = open(kb, "rb").read()
    t = threading.Thread(target=lambda: put.setdefault("r", S("PUT", "/v1/kb", raw=kb_body, tok=tok[A])))
    t.start()
    time.sleep(0.5)
    st, d = S("POST", "/v1/screen", listing("swap-1", "s2", FAKE), tok[I])
    ok(d.get("decision") == "block" and any(r["signal"] == "counterfeit_image" for r in d["reasons"]),
       f"{B} during a KB swap the counterfeit bank still counts", d)
    t.join()
    ok(put["r"][0] == 202, f"{B} the KB swap completed (202: its re-screen job runs on)", put["r"])
    st, d = S("POST", "/v1/screen", listing("swap-2", "s2", FAKE), tok[I])
    ok(d.get("decision") == "block" and any(r["signal"] == "counterfeit_image" for r in d["reasons"]),
       f"{B} after the KB swap the counterfeit bank counts", d)

    # --- who may call what ------------------------------------------------------------------------
    matrix = [
        ("GET", "/v1/images/bank", None, {A: 200, R: 200, I: 403, BG: 200, BC: 200, S1: 403}),
        ("GET", f"/v1/images/bank/{FAKE_ID}", None, {A: 200, R: 200, I: 403, BG: 200, BC: 404, S1: 403}),
        ("POST", f"/v1/images/bank/{FAKE_ID}/state", {"state": "active"}, {A: 200, R: 200, I: 403, BG: 200, BC: 404, S1: 403}),
        ("GET", "/v1/images/quarantine", None, {A: 200, R: 200, I: 403, BG: 403, BC: 403, S1: 403}),
        ("POST", "/v1/images/quarantine/release", {"entry": "999999"}, {A: 404, R: 404, I: 403, BG: 403, BC: 403, S1: 403}),
        ("POST", "/v1/images/bank", {"kind": "allow", "hash": PHOTO}, {A: 409, R: 409, I: 403, BG: 403, BC: 403, S1: 403}),
    ]
    leaks = []
    for method, path, body, want in matrix:
        for role in ALL:
            st, d = S(method, path, body, tok[role])
            if st != want[role]:
                leaks.append(f"{method} {path} as {role}: {st}, want {want[role]}")
    ok(not leaks, f"{B} image routes: role x scope matrix ({len(matrix) * len(ALL)} calls)", "; ".join(leaks[:5]))
finally:
    srv.stop()
sys.exit(0)
