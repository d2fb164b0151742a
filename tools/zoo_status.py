#!/usr/bin/python3
"""Runs every model of an exported zoo (tools/export_zoo.py) through
zkinfer compile, run, prove and verify, and prints a markdown table: per
model the first stage that failed and its message, else the figures of a
full pass.

  compile  zkinfer compile NAME.onnx --calib NAME_calib.npy -o NAME.zkm
  keys     compile succeeded but wrote no keys (outside the provable class):
           the message is compile's list of what is not provable
  run      zkinfer run NAME.zkm --input NAME_x.npy -o out.npy; the cosine of
           the dequantised output against torch's (NAME_y.npy) is reported
  prove    zkinfer prove NAME.zkm --input NAME_x.npy -o NAME.zkp
  verify   zkinfer verify NAME.vk --proof NAME.zkp --input NAME_x.npy

Each stage runs under a time limit (--timeout, seconds); a stage that runs
past it fails with "timeout". Run after building:

  /usr/bin/python3 tools/export_zoo.py --out build/zoo
  /usr/bin/python3 tools/zoo_status.py --zoo build/zoo [--only NAME...] [--json OUT.json]
  /usr/bin/python3 tools/zoo_status.py --from-json OUT.json   (the table again)

The "blocked by" column lists the ops a refusal names (compile's grouped
"unsupported: ..." list, or the op of a node-level error).

Exit status: 0 when the table was produced (whatever it says), 2 on a usage
error (no manifest, no zkinfer binary)."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def condense(text):
    """The message of a failed command on one line: its stderr (or stdout)
    without the progress noise, lines joined by '; '."""
    lines = []
    for ln in text.splitlines():
        s = ln.strip()
        if not s or s.startswith("[") or "%" in s and "progress" in s:
            continue
        s = re.sub(r"^zkinfer(: | \w+: )", "", s)
        lines.append(s)
    msg = ""
    for s in lines:
        msg += s if not msg else (" " if msg.endswith(":") else "; ") + s
    return msg


def blockers(msg):
    """The ops a grouped refusal names ("unsupported: Lut x3 (nodes ...): why;
    Mul (node ...): why") as "Lut x3, Mul"; a single-node refusal
    ("node 'N' (op OP, opset K): why") as its op; else ""."""
    counts = {}
    for op, cnt in re.findall(r"(?:^|: |; )(\w+)(?: x(\d+))? \(nodes? ", msg):
        counts[op] = counts.get(op, 0) + (int(cnt) if cnt else 1)
    if counts:
        return ", ".join(op + (f" x{c}" if c > 1 else "") for op, c in counts.items())
    m = re.search(r"\(op (\w+), opset \d+\)", msg)
    return m.group(1) if m else ""


def cell(text, limit):
    text = text.replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def run_cmd(cmd, timeout):
    t0 = time.time()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, text=True,
                           errors="replace")
        return p.returncode, p.stdout, p.stderr, time.time() - t0
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return None, out, f"timeout after {timeout} s", time.time() - t0


def cosine(a, b):
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        return None
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        return 1.0 if na == nb else 0.0
    return float(a @ b / (na * nb))


def check_model(zk, zoo, rec, work, timeout):
    name = rec["name"]
    onnx = os.path.join(zoo, rec["onnx"])
    calib = os.path.join(zoo, rec["calib"])
    x = os.path.join(zoo, rec["input"])
    zkm = os.path.join(work, name + ".zkm")
    vk = os.path.join(work, name + ".vk")
    zkp = os.path.join(work, name + ".zkp")
    yout = os.path.join(work, name + "_out.npy")
    r = {"name": name, "params": rec.get("params"), "stage": None, "message": "", "times": {}}

    def fail(stage, rc, out, err):
        r["stage"] = stage
        r["message"] = condense(err or out) or f"exit status {rc}"
        return r

    rc, out, err, dt = run_cmd([zk, "compile", onnx, "--calib", calib, "-o", zkm], timeout)
    r["times"]["compile"] = round(dt, 1)
    if rc != 0:
        return fail("compile", rc, out, err)
    compile_err = err
    m = re.search(r"cosine similarity\s+mean ([0-9.\-]+)", out)
    r["quant_cos"] = float(m.group(1)) if m else None
    has_keys = os.path.exists(vk)

    rc, out, err, dt = run_cmd([zk, "run", zkm, "--input", x, "-o", yout], timeout)
    r["times"]["run"] = round(dt, 1)
    if rc != 0:
        return fail("run", rc, out, err)
    if "clamped" in err:
        r["clamped"] = condense(err)
    try:
        want = np.load(os.path.join(zoo, rec["expected"]))
        r["torch_cos"] = cosine(np.load(yout), want)
    except (OSError, ValueError) as e:
        r["torch_cos"] = None
        r["message"] = f"cannot compare with torch: {e}"

    if not has_keys:
        r["stage"] = "keys"
        m = re.search(r"no proving keys written.*", compile_err, re.S)
        r["message"] = condense(m.group(0) if m else compile_err)
        return r

    rc, out, err, dt = run_cmd([zk, "prove", zkm, "--input", x, "-o", zkp, "--quiet"], timeout)
    r["times"]["prove"] = round(dt, 1)
    if rc != 0:
        return fail("prove", rc, out, err)
    r["proof_bytes"] = os.path.getsize(zkp) if os.path.exists(zkp) else None

    rc, out, err, dt = run_cmd([zk, "verify", vk, "--proof", zkp, "--input", x], timeout)
    r["times"]["verify"] = round(dt, 1)
    if rc != 0:
        return fail("verify", rc, out, err)
    r["stage"] = "ok"
    return r


def fmt_cos(v):
    return "-" if v is None else f"{v:.4f}"


def table(results, limit):
    rows = ["| model | params | first failing stage | blocked by | quant cos | torch cos | compile s | prove s | message |",
            "|---|---:|---|---|---:|---:|---:|---:|---|"]
    for r in results:
        t = r["times"]
        rows.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            r["name"], f"{r['params'] / 1e6:.2f}M" if r.get("params") else "-",
            "**pass**" if r["stage"] == "ok" else r["stage"], cell(blockers(r["message"]), limit),
            fmt_cos(r.get("quant_cos")), fmt_cos(r.get("torch_cos")), t.get("compile", "-"), t.get("prove", "-"),
            cell(r["message"], limit)))
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zoo", default=os.path.join(ROOT, "build", "zoo"), help="directory export_zoo.py wrote")
    ap.add_argument("--zkinfer", default=os.path.join(ROOT, "build", "zkinfer"))
    ap.add_argument("--only", nargs="*", help="check only these models")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per stage (default 900)")
    ap.add_argument("--msg-chars", type=int, default=400, help="longest message in the table")
    ap.add_argument("--work", help="directory for .zkm/.vk/.zkp files (default: a temporary one)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--from-json", help="print the table of results an earlier --json wrote, and exit")
    args = ap.parse_args()
    if args.from_json:
        with open(args.from_json) as f:
            print(table(json.load(f), args.msg_chars))
        return 0
    mpath = os.path.join(args.zoo, "manifest.json")
    if not os.path.exists(mpath):
        print(f"{mpath}: no manifest; run tools/export_zoo.py --out {args.zoo} first", file=sys.stderr)
        return 2
    if not os.access(args.zkinfer, os.X_OK):
        print(f"{args.zkinfer}: no zkinfer binary; build first", file=sys.stderr)
        return 2
    with open(mpath) as f:
        models = json.load(f)["models"]
    names = args.only or list(models)
    tmp = None
    work = args.work
    if not work:
        tmp = tempfile.TemporaryDirectory(prefix="zoo_status_")
        work = tmp.name
    os.makedirs(work, exist_ok=True)
    results = []
    for n in names:
        if n not in models:
            results.append({"name": n, "stage": "export", "message": "not in the manifest", "times": {}})
            continue
        r = check_model(args.zkinfer, args.zoo, models[n], work, args.timeout)
        print(f"{n}: {r['stage']} {r['message'][:160]}", file=sys.stderr, flush=True)
        results.append(r)
        for ext in (".zkm", ".vk", ".zpk", ".zkp", "_out.npy"):
            try:
                os.unlink(os.path.join(work, n + ext))
            except OSError:
                pass
    print(table(results, args.msg_chars))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
            f.write("\n")
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
