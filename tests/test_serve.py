#!/usr/bin/env python3
"""End-to-end test of `zkinfer serve` (docs/serve.md): a server on a free
loopback port with the Fashion-MNIST models; every endpoint, bad and fuzzed
input, concurrent provers, the queue limit, the proof budget (kept across a
restart), SIGTERM finishing the requests in flight, and a bounded wrk load
test with the server's RSS sampled from /proc.

usage: test_serve.py build/zkinfer tests/data
environment: ZKI_SERVE_WRK_SECONDS (default 20; 0 skips the load test)."""
import base64
import http.client
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

ZK, DATA = sys.argv[1], sys.argv[2]
WRK_SECONDS = int(os.environ.get("ZKI_SERVE_WRK_SECONDS", "20"))
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, flush=True)
    return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    def __init__(self, tmp, models, workers=2, queue=4, timeout=30, key_copies=None, read_timeout=None):
        self.port = free_port()
        self.log = open(os.path.join(tmp, "server_%d.log" % self.port), "w+")
        args = [ZK, "serve", "--port", str(self.port), "--workers", str(workers), "--queue", str(queue),
                "--web", os.path.join(tmp, "web"), "--max-body", str(4 << 20), "--timeout", str(timeout)]
        if key_copies:
            args += ["--key-copies", str(key_copies)]
        if read_timeout:
            args += ["--read-timeout", str(read_timeout)]
        for name, path in models:
            args += ["--model", "%s=%s" % (name, path)]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start:\n" + self.logtext())

    def logtext(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def request(self, method, path, body=None, headers=None, timeout=120):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            c.close()

    def json(self, method, path, body=None, headers=None):
        st, h, b = self.request(method, path, body, headers)
        try:
            return st, h, json.loads(b)
        except ValueError:
            return st, h, {"_raw": b[:200]}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None


def npy_bytes(a):
    f = io.BytesIO()
    np.save(f, a)
    return f.getvalue()


def count_file(tmp, name):
    """The proofs MODEL.zpk.count says are spent."""
    with open(os.path.join(tmp, name + ".zpk.count")) as f:
        return int(f.read().split()[0])


def compile_model(tmp, onnx, out, n):
    r = subprocess.run([ZK, "compile", os.path.join(DATA, onnx), "--calib", os.path.join(DATA, "fmnist_calib.npy"),
                        "-o", os.path.join(tmp, out), "--zk-proofs", str(n)], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("compile failed: " + r.stderr)
    return os.path.join(tmp, out)


def prove(srv, model, body):
    return srv.json("POST", "/v1/models/%s/prove" % model, body, {"Content-Type": "application/octet-stream"})


def verify(srv, model, x_npy, proof_b64):
    body = json.dumps({"input": base64.b64encode(x_npy).decode(), "proof": proof_b64})
    return srv.json("POST", "/v1/models/%s/verify" % model, body, {"Content-Type": "application/json"})


def raw_request(port, text, timeout=30):
    """Sends raw bytes (e.g. a lying Content-Length) and returns the status line."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(text)
        data = s.recv(4096)
        return data.split(b"\r\n", 1)[0].decode(errors="replace")
    finally:
        s.close()


def main():
    tmp = tempfile.mkdtemp(prefix="zki_serve_")
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def run(tmp):
    t0 = time.time()
    os.mkdir(os.path.join(tmp, "web"))
    with open(os.path.join(tmp, "web", "index.html"), "w") as f:
        f.write("<!doctype html><title>index</title>")
    with open(os.path.join(tmp, "web", "demo.html"), "w") as f:
        f.write("<!doctype html><title>demo</title>")
    with open(os.path.join(tmp, "web", "verifier.wasm"), "wb") as f:
        f.write(b"\0asm\1\0\0\0")
    # budgets: 1024 for the CNN (the wrk run makes most proofs), 64 for the
    # MLP, 2 for a model whose budget the test spends
    cnn = compile_model(tmp, "fmnist_cnn.onnx", "cnn.zkm", 1024)
    mlp = compile_model(tmp, "fmnist_mlp.onnx", "mlp.zkm", 64)
    tiny = compile_model(tmp, "fmnist_mlp.onnx", "tiny.zkm", 2)
    print("compiled the models in %.1f s" % (time.time() - t0), flush=True)
    x = np.load(os.path.join(DATA, "fmnist_sample.npy")).astype(np.float32)
    xb = npy_bytes(x)
    models = [("cnn", cnn), ("mlp", mlp), ("tiny", tiny)]
    srv = Server(tmp, models, workers=2, queue=4)
    try:
        basics(srv, tmp, x, xb)
        bad_input(srv, x, xb)
        concurrency(srv, xb)
        budget(srv, xb)
        metrics(srv)
        load(srv, tmp, xb)
        sigterm(srv, xb)
    finally:
        rc = srv.stop()
        if failed:
            print(srv.logtext()[-4000:])
    check(rc == 0, "the server exits 0 after SIGTERM (got %s)" % rc)
    # the budget is kept across restarts (MODEL.zpk.count); a queue wait
    # past --timeout is answered 503 and the request's slot is given back;
    # two workers share one prover-key copy (--key-copies 1)
    srv2 = Server(tmp, [("tiny", tiny), ("cnn", cnn)], workers=2, queue=8, timeout=0.05, key_copies=1,
                  read_timeout=2)
    try:
        check("1 prover-key copy each" in srv2.logtext(), "--key-copies 1 is taken")
        queue_timeout(srv2, xb)
        slowloris(srv2, 8 + 2 + 64 + 10)
        st, _, j = srv2.json("GET", "/v1/models")
        check(st == 200 and j["models"][0]["zk_proofs_left"] == 0, "a restart keeps the spent budget: %s" % j)
        st, _, j = prove(srv2, "tiny", xb)
        check(st == 503, "prove after a restart with the budget spent: 503 (got %d)" % st)
        # the count file is written ahead a block of 16 proofs at a time
        st, _, j = srv2.json("GET", "/v1/models")
        used = 1024 - {m["name"]: m["zk_proofs_left"] for m in j["models"]}["cnn"]
        ahead = count_file(tmp, "cnn")
        check(0 <= ahead - used < 16, "the count file is ahead by less than a block: %d for %d used" % (ahead, used))
    finally:
        check(srv2.stop() == 0, "second server exits 0")
    check(count_file(tmp, "cnn") == used, "a clean stop writes the exact count back (%d, %d used)" %
          (count_file(tmp, "cnn"), used))
    refused_starts(tmp, mlp, tiny)
    ipv6_banner(tiny)
    print("test_serve took %.1f s" % (time.time() - t0))


def slowloris(srv, n):
    """More trickling connections than the connection limit (Q + N + 64):
    each is closed at --read-timeout (2 s here) though it is never idle,
    and the service answers again."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.settimeout(0.5)
        try:
            s.connect(("127.0.0.1", srv.port))  # past the limit: waits in the listen queue
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        except OSError:
            pass
        socks.append(s)
    t0 = time.time()
    while time.time() - t0 < 3.5:  # a header line every 0.5 s: never idle
        time.sleep(0.5)
        for s in socks:
            try:
                s.sendall(b"X-a: b\r\n")
            except OSError:
                pass
    try:
        st = srv.request("GET", "/healthz", timeout=10)[0]
    except OSError as e:
        st = str(e)
    check(st == 200, "with %d trickling connections the service answers after --read-timeout (%s)" % (n, st))
    closed = 0
    for s in socks:
        try:
            s.settimeout(2)
            closed += s.recv(100) == b""
        except OSError:
            closed += 1
        s.close()
    check(closed >= n - 10, "the trickling connections were closed (%d of %d)" % (closed, n))


def start_refused(models, what):
    """Starts a server that must refuse to start: its exit status and output."""
    args = [ZK, "serve", "--port", str(free_port())]
    for name, path in models:
        args += ["--model", "%s=%s" % (name, path)]
    try:
        r = subprocess.run(args, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        check(False, what + ": the server started (it ran for 60 s)")
        return None, ""
    check(r.returncode != 0, what + ": exit status non-zero (got %d)" % r.returncode)
    return r.returncode, r.stdout + r.stderr


def ipv6_banner(tiny):
    """An IPv6 host is printed in brackets, as a URL needs it."""
    p = subprocess.Popen([ZK, "serve", "--host", "::1", "--port", str(free_port()), "--model", "tiny=" + tiny],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = ""
    for line in p.stdout:
        out += line
        if "listening" in line or "cannot listen" in line:
            break
    p.send_signal(signal.SIGTERM)
    out += p.communicate(timeout=60)[0]
    if "cannot listen" in out:
        print("IPv6 loopback not available: the banner is not checked")
        return
    check("http://[::1]:" in out, "an IPv6 host in brackets: " + out)


def refused_starts(tmp, mlp, tiny):
    # a count file that exists but cannot be parsed does not reset the budget
    path = os.path.join(tmp, "tiny.zpk.count")
    with open(path) as f:
        good = f.read()
    used, budget, digest = good.split()
    for text, what in [("garbage", "a garbage count file"), ("", "an empty count file"),
                       ("%s 9999 %s\n" % (used, digest), "a count file with another budget")]:
        with open(path, "w") as f:
            f.write(text)
        _, out = start_refused([("tiny", tiny)], what)
        check(path in out and "restore it" in out, what + ": the message names the file and what to do: " + out)
        with open(path) as f:
            check(f.read() == text, what + ": the file is left as it was")
    with open(path, "w") as f:
        f.write(good)
    # one key under two names, or a copy of it at another path: one budget
    _, out = start_refused([("a", mlp), ("b", mlp)], "one key under two names")
    check("'a'" in out and "'b'" in out and "same key" in out, "two names of one key are named: " + out)
    os.mkdir(os.path.join(tmp, "copy"))
    for ext in (".zkm", ".zpk"):
        shutil.copy(mlp[:-4] + ext, os.path.join(tmp, "copy", "mlp" + ext))
    _, out = start_refused([("mlp", mlp), ("mlp2", os.path.join(tmp, "copy", "mlp.zkm"))], "a copied key")
    check("same key" in out and "copy/mlp.zkm" in out, "a copied key is named: " + out)


def verify_body(srv, model, body):
    return srv.json("POST", "/v1/models/%s/verify" % model, json.dumps(body), {"Content-Type": "application/json"})


def private_proofs(srv, tmp, xb):
    """Proofs of zkinfer prove --private-output / --private-input: /verify
    checks them (the input left out or null for a private input)."""
    made = {}
    for flag in ("--private-output", "--private-input"):
        out = os.path.join(tmp, "mlp%s.zkp" % flag[9:])
        r = subprocess.run([ZK, "prove", os.path.join(tmp, "mlp.zkm"), "--input",
                            os.path.join(DATA, "fmnist_sample.npy"), "-o", out, flag], capture_output=True, text=True)
        check(r.returncode == 0, "zkinfer prove %s: %s" % (flag, r.stderr))
        with open(out, "rb") as f:
            made[flag] = base64.b64encode(f.read()).decode()
    x64 = base64.b64encode(xb).decode()
    st, _, v = verify_body(srv, "mlp", {"input": x64, "proof": made["--private-output"]})
    check(st == 200 and v == {"verified": True, "output": None, "private_output": True},
          "a private-output proof: verified, no output (%d %s)" % (st, v))
    for body in ({"proof": made["--private-input"]}, {"input": None, "proof": made["--private-input"]}):
        st, _, v = verify_body(srv, "mlp", body)
        check(st == 200 and v.get("verified") is True and len(v.get("output") or []) == 10 and
              v.get("private_output") is False, "a private-input proof without input: verified (%d %s)" % (st, v))
    st, _, v = verify_body(srv, "mlp", {"input": x64, "proof": made["--private-input"]})
    check(st == 200 and v.get("verified") is False and "private input" in v.get("reason", ""),
          "a private-input proof given an input: false, saying why (%d %s)" % (st, v))
    st, _, j = prove(srv, "mlp", xb)
    st, _, v = verify_body(srv, "mlp", {"proof": j.get("proof", "")})
    check(st == 200 and v.get("verified") is False and "public input" in v.get("reason", ""),
          "a public-input proof without its input: false, saying why (%d %s)" % (st, v))


def basics(srv, tmp, x, xb):
    st, h, b = srv.request("GET", "/healthz")
    check(st == 200 and b == b"ok\n", "healthz")
    st, h, j = srv.json("GET", "/v1/models")
    check(st == 200 and h.get("Content-Type") == "application/json", "models: 200 JSON")
    names = [m["name"] for m in j["models"]]
    check(names == ["cnn", "mlp", "tiny"], "models listed in order: %s" % names)
    m = j["models"][0]
    check(m["input_shape"] == [1, 1, 28, 28] and m["output_shape"] == [1, 10] and m["input_dtype"] == "float32",
          "cnn shapes: %s" % m)
    check(m["zk_proofs_budget"] == 1024 and m["zk_proofs_left"] == 1024, "cnn budget: %s" % m)
    check(len(m["vk_digest"]) == 64, "vk digest is 64 hex digits")
    st, h, vk = srv.request("GET", "/v1/models/cnn/vk")
    with open(os.path.join(tmp, "cnn.vk"), "rb") as f:
        check(st == 200 and vk == f.read(), "/vk answers the .vk file's bytes")
    check(h.get("Content-Type") == "application/octet-stream", "vk content type")
    # prove, then verify three ways
    st, h, j = prove(srv, "cnn", xb)
    check(st == 200, "prove: 200 (got %d %s)" % (st, j))
    if st != 200:
        return
    check(j["shape"] == [1, 10] and len(j["output"]) == 10, "prove output shape")
    check(j["zk_proofs_left"] == 1023, "one proof of the budget used")
    check(count_file(tmp, "cnn") == 16, "the count file holds a block of 16 ahead (%d)" % count_file(tmp, "cnn"))
    proof = base64.b64decode(j["proof"])
    pf = os.path.join(tmp, "p.zkp")
    with open(pf, "wb") as f:
        f.write(proof)
    r = subprocess.run([ZK, "verify", os.path.join(tmp, "cnn.vk"), "--proof", pf, "--input",
                        os.path.join(DATA, "fmnist_sample.npy")], capture_output=True, text=True)
    check(r.returncode == 0 and "verified" in r.stdout, "zkinfer verify accepts the service's proof: %s" % r.stderr)
    st, _, v = verify(srv, "cnn", xb, j["proof"])
    check(st == 200 and v["verified"] is True and v["output"] == j["output"], "/verify accepts it: %s" % str(v)[:200])
    # another input, a mutated proof, a truncated one, another model's key
    st, _, v = verify(srv, "cnn", npy_bytes(x * 0.5), j["proof"])
    check(st == 200 and v["verified"] is False and v.get("reason"), "another input: verified false: %s" % v)
    for at in (100, len(proof) // 2, len(proof) - 3):
        bad = bytearray(proof)
        bad[at] ^= 0x5A
        st, _, v = verify(srv, "cnn", xb, base64.b64encode(bytes(bad)).decode())
        check(st == 200 and v["verified"] is False and v.get("reason"), "proof altered at %d: false (%s)" % (at, v))
    st, _, v = verify(srv, "cnn", xb, base64.b64encode(proof[: len(proof) // 3]).decode())
    check(st == 200 and v["verified"] is False, "truncated proof: false (%s)" % v)
    st, _, v = verify(srv, "mlp", xb, j["proof"])
    check(st == 200 and v["verified"] is False, "a cnn proof against the mlp key: false (%s)" % v)
    private_proofs(srv, tmp, xb)
    # batch of two
    x2 = np.concatenate([x, x * 0.9]).astype(np.float32) if x.shape[0] == 1 else np.stack([x, x])
    st, _, j2 = prove(srv, "mlp", npy_bytes(x2.reshape(2, 784)))
    check(st == 200 and j2["shape"] == [2, 10] and len(j2["output"]) == 20, "batch of 2: %s" % str(j2)[:200])
    if st == 200:
        st, _, v = verify(srv, "mlp", npy_bytes(x2.reshape(2, 784)), j2["proof"])
        check(st == 200 and v["verified"] is True, "batch proof verifies")
    # web files
    for path, want, ctype in (("/", b"index", "text/html"), ("/demo?model=cnn&x=1", b"demo", "text/html"),
                              ("/web/verifier.wasm", b"\0asm", "application/wasm")):
        st, h, b = srv.request("GET", path)
        check(st == 200 and want in b and h.get("Content-Type", "").startswith(ctype), "web %s" % path)
    for path in ("/web/..%2Fcnn.zkm", "/web/../cnn.zkm", "/web/.hidden", "/web/absent.js", "/web/a%2Fb"):
        st, _, j = srv.json("GET", path)
        check(st == 404 and j.get("error"), "web %s: 404 with a message (%d %s)" % (path, st, j))


def bad_input(srv, x, xb):
    cases = {
        "random bytes": os.urandom(3000),
        "empty": b"",
        "truncated npy": xb[: len(xb) - 7],
        "header only": xb[:128],
        "wrong shape": npy_bytes(np.zeros((3, 3), np.float32)),
        "int dtype": npy_bytes(np.zeros((1, 1, 28, 28), np.int32)),
        "NaN": npy_bytes(np.full((1, 1, 28, 28), np.nan, np.float32)),
        "fortran order": npy_bytes(np.asfortranarray(np.zeros((28, 28), np.float32))),
        "too many samples": npy_bytes(np.zeros((100, 1, 28, 28), np.float32)),
    }
    for what, body in cases.items():
        st, _, j = prove(srv, "cnn", body)
        check(st == 400 and j.get("error"), "prove %s: 400 with a message (%d %s)" % (what, st, j))
    st, _, j = prove(srv, "nosuch", xb)
    check(st == 404 and "nosuch" in j.get("error", ""), "unknown model: 404 (%d %s)" % (st, j))
    st, h, j = srv.json("GET", "/v1/models/cnn/prove")
    check(st == 405 and h.get("Allow") == "POST", "GET prove: 405 with Allow: POST")
    st, _, j = srv.json("DELETE", "/v1/models")
    check(st == 405, "DELETE models: 405")
    st, _, j = srv.json("GET", "/nope")
    check(st == 404, "unknown path: 404")
    for what, body in (("not JSON", b"{"), ("no proof", b'{"input": ""}'), ("a number", b'{"input": 1, "proof": ""}'),
                       ("bad base64", b'{"input": "@@@@", "proof": "AAAA"}'),
                       ("trailing text", b'{"input": "", "proof": ""} x'),
                       ("bad npy", json.dumps({"input": base64.b64encode(b"xx").decode(), "proof": "AAAA"}).encode())):
        st, _, j = srv.json("POST", "/v1/models/cnn/verify", body)
        check(st == 400 and j.get("error"), "verify %s: 400 (%d %s)" % (what, st, j))
    # base64 with line breaks (base64 without -w0) is refused saying so
    wrapped = base64.encodebytes(xb).decode()
    st, _, j = srv.json("POST", "/v1/models/cnn/verify", json.dumps({"input": wrapped, "proof": "AAAA"}).encode())
    check(st == 400 and "newlines are not allowed" in j.get("error", ""), "base64 with newlines: says so (%s)" % j)
    # curl -d @x.npy: a form, the file's newlines dropped; the answer says how to send it
    st, _, j = srv.json("POST", "/v1/models/cnn/prove", xb.replace(b"\n", b""),
                        {"Content-Type": "application/x-www-form-urlencoded"})
    check(st == 400 and "--data-binary" in j.get("error", "") and "application/octet-stream" in j.get("error", ""),
          "a form body: 400 with the curl hint (%d %s)" % (st, j))
    # every answer is UTF-8 JSON, also one quoting bytes that are not UTF-8
    st, _, raw = srv.request("POST", "/v1/models/cnn/prove", npy_bytes(np.zeros(3, np.float32)).replace(
        b"'<f4'", b"'\xff\xfe'"), {"Content-Type": "application/octet-stream"})
    try:
        raw.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:
        utf8 = False
    check(st == 400 and utf8 and json.loads(raw).get("error"), "an answer quoting non-UTF-8 bytes is UTF-8 JSON: %s" % raw)
    # a body announced to an endpoint that takes none: answered at the headers, the body never read
    for path, want in (("POST /nope", " 404 "), ("POST /v1/models/nosuch/prove", " 404 "),
                       ("PUT /v1/models/cnn/prove", " 405 "), ("GET /healthz", " 200 ")):
        try:
            line = raw_request(srv.port, ("%s HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" % path).encode(),
                               timeout=5)
        except OSError as e:
            line = str(e)
        check(want in line, "%s with a body not sent: answered at once (%s)" % (path, line))
    # sizes: a declared Content-Length past the limit, and a body past it
    line = raw_request(srv.port, b"POST /v1/models/cnn/prove HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n")
    check(" 413 " in line, "huge Content-Length: 413 (%s)" % line)
    # a chunked body (no Content-Length) is counted as it arrives
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    c.request("POST", "/v1/models/cnn/prove", body=(b"\0" * (1 << 20) for _ in range(5)),
              headers={"Transfer-Encoding": "chunked"}, encode_chunked=True)
    r = c.getresponse()
    st, msg = r.status, r.read()
    c.close()
    check(st == 413 and b"max-body" in msg, "a 5 MB chunked body: 413 (%d %s)" % (st, msg))
    # fuzz: bytes of the header altered, the array cut anywhere
    rnd = random.Random(16)
    codes = {}
    for k in range(40):
        b = bytearray(xb)
        if k % 2:
            for _ in range(rnd.randint(1, 4)):
                b[rnd.randrange(0, 128)] = rnd.randrange(256)
        else:
            b = b[: rnd.randrange(len(b))]
        st, _, _ = prove(srv, "cnn", bytes(b))
        codes[st] = codes.get(st, 0) + 1
    check(set(codes) <= {200, 400}, "fuzzed bodies answer 200 or 400 only: %s" % codes)
    check(srv.request("GET", "/healthz")[0] == 200 and srv.proc.poll() is None, "alive after the fuzzing")
    # clients that go away: mid-proof, and mid-body
    head = b"POST /v1/models/cnn/prove HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(xb)
    for part in (xb, xb[:100]):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
        s.sendall(head + part)
        time.sleep(0.05)
        s.close()
    st, _, j = prove(srv, "cnn", xb)
    check(st == 200 and srv.proc.poll() is None, "a proof after two clients went away: 200 (%d)" % st)


def concurrency(srv, xb):
    results = []

    def one(model):
        results.append((model, prove(srv, model, xb if model == "cnn" else npy_bytes(
            np.load(os.path.join(DATA, "fmnist_sample.npy")).astype(np.float32).reshape(1, 784)))))

    ts = [threading.Thread(target=one, args=(m,)) for m in ("cnn", "mlp", "cnn", "mlp")]
    [t.start() for t in ts]
    [t.join() for t in ts]
    ok = [r for r in results if r[1][0] == 200]
    check(len(ok) == 4, "4 concurrent provers (2 workers, queue 4): all 200 (%s)" % [r[1][0] for r in results])
    for model, (st, _, j) in ok:
        xin = xb if model == "cnn" else npy_bytes(np.load(os.path.join(DATA, "fmnist_sample.npy")).astype(np.float32).reshape(1, 784))
        st, _, v = verify(srv, model, xin, j["proof"])
        check(st == 200 and v["verified"] is True, "concurrent proof of %s verifies" % model)
    # queue full: 14 at once against 2 workers and a queue of 4
    results.clear()
    ts = [threading.Thread(target=one, args=("cnn",)) for _ in range(14)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    codes = sorted(r[1][0] for r in results)
    check(503 in codes and 200 in codes and set(codes) <= {200, 503}, "14 at once: some 200, some 503 (%s)" % codes)
    busy = [r for r in results if r[1][0] == 503]
    check(all(r[1][1].get("Retry-After") for r in busy), "503 says Retry-After")
    check(all("busy" in r[1][2].get("error", "") for r in busy), "503 says the service is busy")
    for model, (st, _, j) in results:
        if st == 200:
            st, _, v = verify(srv, model, xb, j["proof"])
            check(st == 200 and v["verified"] is True, "a proof made under load verifies")


def budget(srv, xb):
    x784 = npy_bytes(np.load(os.path.join(DATA, "fmnist_sample.npy")).astype(np.float32).reshape(1, 784))
    codes = [prove(srv, "tiny", x784)[0] for _ in range(2)]
    check(codes == [200, 200], "the budget of 2 serves two proofs (%s)" % codes)
    st, _, j = prove(srv, "tiny", x784)
    check(st == 503 and "zk-proofs" in j.get("error", ""), "the third: 503 naming --zk-proofs (%d %s)" % (st, j))
    st, _, j = srv.json("GET", "/v1/models")
    left = {m["name"]: m["zk_proofs_left"] for m in j["models"]}
    check(left["tiny"] == 0, "models says 0 proofs left for tiny (%s)" % left)


def metrics(srv):
    st, h, b = srv.request("GET", "/metrics")
    t = b.decode()
    check(st == 200 and h.get("Content-Type", "").startswith("text/plain"), "metrics: 200 text")
    for want in ('zkinfer_requests_total{endpoint="prove",code="200"}', 'code="400"', 'code="503"',
                 "zkinfer_queue_depth 0", "zkinfer_prove_seconds_bucket{le=\"+Inf\"}", "zkinfer_prove_failures_total",
                 'zkinfer_zk_proofs_left{model="tiny"} 0', 'zkinfer_zk_proofs_budget{model="cnn"} 1024'):
        check(want in t, "metrics has %s" % want)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def load(srv, tmp, xb):
    wrk = shutil.which("wrk")
    if not wrk or WRK_SECONDS <= 0:
        print("load test skipped (%s)" % ("no wrk" if not wrk else "ZKI_SERVE_WRK_SECONDS=0"))
        return
    body = os.path.join(tmp, "x.npy")
    with open(body, "wb") as f:
        f.write(xb)
    lua = os.path.join(tmp, "post.lua")
    with open(lua, "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/octet-stream"\n'
                'local f = io.open("%s", "rb")\nwrk.body = f:read("*a")\nf:close()\n' % body)
    st, _, j = srv.json("GET", "/v1/models")
    left0 = j["models"][0]["zk_proofs_left"]
    samples = []
    p = subprocess.Popen([wrk, "-t1", "-c2", "-d%ds" % WRK_SECONDS, "--timeout", "60s", "-s", lua,
                          "http://127.0.0.1:%d/v1/models/cnn/prove" % srv.port], stdout=subprocess.PIPE, text=True)
    while p.poll() is None:
        samples.append(rss_kb(srv.proc.pid))
        time.sleep(0.5)
    out = p.stdout.read()
    print(out)
    check(p.returncode == 0, "wrk ran")
    check("Non-2xx" not in out and "Socket errors" not in out, "wrk: no non-2xx response and no socket error")
    st, _, j = srv.json("GET", "/v1/models")
    made = left0 - j["models"][0]["zk_proofs_left"]
    check(made > 0, "wrk made proofs (%d)" % made)
    if samples:
        half = len(samples) // 2
        first, second = max(samples[:half] or samples), max(samples[half:])
        print("server RSS over the %d s run (MB): start %.1f, max of first half %.1f, max of second half %.1f, end %.1f;"
              " %d proofs" % (WRK_SECONDS, samples[0] / 1024, first / 1024, second / 1024, samples[-1] / 1024, made))
        check(second <= first * 1.2 + 16 * 1024, "RSS stable over the load (first half %d kB, second %d kB)" % (first, second))


def queue_timeout(srv, xb):
    results = []
    ts = [threading.Thread(target=lambda: results.append(prove(srv, "cnn", xb))) for _ in range(4)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    codes = sorted(r[0] for r in results)
    # two workers on one key copy: a proof (longer than 0.05 s) holds the
    # copy, so at least two of the four wait in the queue past the limit
    check(codes.count(200) >= 1 and codes.count(503) >= 1 and set(codes) <= {200, 503},
          "--timeout 0.05 with 4 at once on 1 worker: 200 and 503 (%s)" % codes)
    check(all("--timeout" in r[2].get("error", "") for r in results if r[0] == 503), "the 503 names --timeout")
    st, _, b = srv.request("GET", "/metrics")
    check(b"zkinfer_queue_depth 0" in b, "the timed-out requests left the queue")
    st, _, j = prove(srv, "cnn", xb)
    check(st == 200, "a proof after the timeouts: 200 (%d)" % st)
    for r in results + [(st, None, j)]:
        if r[0] == 200:
            st2, _, v = verify(srv, "cnn", xb, r[2]["proof"])
            check(st2 == 200 and v["verified"] is True, "a proof made on a shared key copy verifies")


def sigterm(srv, xb):
    results = []

    def one():
        try:
            results.append(prove(srv, "cnn", xb))
        except OSError as e:
            results.append((0, {}, {"error": str(e)}))

    ts = [threading.Thread(target=one) for _ in range(2)]
    [t.start() for t in ts]
    kept = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    kept.request("GET", "/healthz")
    kept.getresponse().read()
    time.sleep(0.15)  # both requests are in
    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.05)
    # a kept-alive client's next request, while the proofs finish: 503 with Retry-After, closed
    try:
        kept.request("GET", "/healthz")
        r = kept.getresponse()
        late = (r.status, r.getheader("Retry-After"), r.getheader("Connection"))
    except OSError as e:
        late = (0, str(e), None)
    kept.close()
    check(late[0] == 503 and late[1] and late[2] == "close",
          "a request during shutdown: 503 with Retry-After, Connection: close (%s)" % (late,))
    [t.join() for t in ts]
    codes = [r[0] for r in results]
    check(codes == [200, 200], "SIGTERM lets the requests in flight finish (%s)" % codes)
    try:
        rc = srv.proc.wait(60)
    except subprocess.TimeoutExpired:
        rc = None
    check(rc == 0, "exit 0 after SIGTERM (%s)" % rc)
    check("finishing" in srv.logtext(), "the log says it finishes the requests in flight")
    for st, _, j in results:
        if st == 200:
            proof = base64.b64decode(j["proof"])
            check(len(proof) > 1000, "a proof finished at shutdown is whole")


if __name__ == "__main__":
    sys.exit(main())
