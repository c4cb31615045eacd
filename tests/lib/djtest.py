"""Helpers for the service integration tests: start a real `dajia serve`
on a fresh SQLite file or PostgreSQL database, make tokens with the real
CLI, talk HTTP with the standard library, report TAP lines."""
import json, os, signal, socket, subprocess, sys, tempfile, time, urllib.request, urllib.error

ROOT = os.environ.get("DJ_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
DAJIA = os.environ.get("DAJIA", os.path.join(ROOT, "bin", "dajia"))
PGBIN = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")
failures = 0


def ok(cond, name, detail=""):
    global failures
    if cond:
        print(f"ok - {name}")
    else:
        failures += 1
        print(f"not ok - {name}" + (f" # {detail}" if detail else ""))
    sys.stdout.flush()
    return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def new_db(backend, tag):
    """A URL for a fresh, empty database of the backend."""
    if backend == "sqlite":
        d = tempfile.mkdtemp(prefix="dj-it-")
        return f"sqlite:{d}/{tag}.db"
    port = os.environ["PG_TEST_PORT"]
    name = f"dj_{tag}_{os.getpid()}_{int(time.time() * 1000) % 100000}"
    subprocess.run([f"{PGBIN}/createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", name], check=True)
    return f"postgresql://postgres@127.0.0.1:{port}/{name}"


def token(db, role, scope=None):
    args = [DAJIA, "token", "create", "--role", role, "--db", db]
    if role == "brand":
        args += ["--brand", scope]
    if role == "seller":
        args += ["--seller", scope]
    r = subprocess.run(args, capture_output=True, text=True, check=True)
    return r.stdout.strip()


class Server:
    def __init__(self, db, kb=None, extra=()):
        self.db, self.kb, self.extra = db, kb, list(extra)
        self.port = free_port()
        self.proc = None
        self.log = tempfile.NamedTemporaryFile(prefix="dj-serve-", suffix=".log", delete=False)

    def start(self, wait=True):
        args = [DAJIA, "serve", "--listen", f"127.0.0.1:{self.port}", "--db", self.db] + self.extra
        if self.kb:
            args += ["--kb", self.kb]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log)
        if wait:
            deadline = time.time() + 30
            while time.time() < deadline:
                try:
                    if self.request("GET", "/healthz")[0] == 200:
                        return self
                except OSError:
                    pass
                if self.proc.poll() is not None:
                    raise RuntimeError("dajia serve exited: " + open(self.log.name).read()[-2000:])
                time.sleep(0.05)
            raise RuntimeError("dajia serve did not come up")
        return self

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # A sanitizer report in the server's log is a failure of its own.
        text = open(self.log.name, errors="replace").read()
        ok("AddressSanitizer" not in text and "runtime error" not in text and "LeakSanitizer" not in text,
           "server log has no sanitizer report", text[-1500:])

    def request(self, method, path, body=None, tok=None, raw=None, headers=None, timeout=30):
        data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode() if body is not None else None)
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        if tok:
            req.add_header("Authorization", f"Bearer {tok}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def json(self, method, path, body=None, tok=None, **kw):
        st, data = self.request(method, path, body, tok, **kw)
        try:
            return st, json.loads(data) if data else None
        except ValueError:
            return st, {"_raw": data.decode(errors="replace")}
