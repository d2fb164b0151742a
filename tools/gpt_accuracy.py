#!/usr/bin/python3
"""Accuracy report for the small GPT of tools/train_gpt.py: the float model
(torch) against the quantised model (zkinfer compile, then zkinfer run's
dequantised logits) on held-out text, and a greedy generation by both.

Held-out text: the file train_gpt.py holds out (MPL-2.0), cut into consecutive
non-overlapping windows of T + 1 bytes (input the first T, targets the next T).
For each compile setting (--settings, e.g. w8a8,w8a16: weight and activation
bits) it reports over every position of every window:
  - next-token top-1 agreement (float argmax = quantised argmax),
  - logits cosine similarity per position (mean, min),
  - perplexity of both on the true next bytes (quantised: softmax of the
    dequantised logits), top-1 accuracy of both against them,
and the same at the last position only (full T-token context). It checks that
the quantised model is causal (a position's logits do not change with later
tokens), which the generation relies on: a prompt shorter than T is padded on
the right with spaces and the logits are read at its last position.

Generation: greedy, from --prompt, --gen new bytes; the float model in torch,
the quantised model by one `zkinfer run` per new byte on the whole window (the
last T bytes).

Writes a markdown report (--md, default bench/results/gpt_small.md).
Run: /usr/bin/python3 tools/gpt_accuracy.py [--zkinfer build/zkinfer]"""
import argparse
import datetime
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_gpt import OUT, decode, encode, load_corpus, load_model  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def sh(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"gpt_accuracy: {' '.join(map(shlex.quote, cmd))} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout + r.stderr


def zk_run(zk, zkm, x, work, name="x"):
    """The quantised model's dequantised logits for ids x [N, T]: float64 [N, T, V]."""
    xp, yp = os.path.join(work, name + ".npy"), os.path.join(work, name + "_y.npy")
    np.save(xp, x.astype(np.int64))
    log = sh([zk, "run", zkm, "--input", xp, "-o", yp])
    if "clamp" in log or "outside" in log:
        print(f"gpt_accuracy: zkinfer run: {log.strip()}", file=sys.stderr)
    y = np.load(yp).astype(np.float64)
    return y.reshape(x.shape[0], x.shape[1], -1)


def log_softmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def metrics(fl, q, y):
    """fl, q: logits [R, V]; y: true next ids [R]."""
    fa, qa = fl.argmax(-1), q.argmax(-1)
    qmax = q.max(-1, keepdims=True)
    ties = int(((q == qmax).sum(-1) > 1).sum())
    r = np.arange(len(y))
    in_ties = float((q[r, fa] == qmax[:, 0]).mean())  # the float argmax is one of the quantised maxima
    cos = (fl * q).sum(-1) / (np.linalg.norm(fl, axis=-1) * np.linalg.norm(q, axis=-1) + 1e-30)
    nll_f, nll_q = -log_softmax(fl)[r, y], -log_softmax(q)[r, y]
    return {"rows": len(y), "agree": float((fa == qa).mean()), "cos_mean": float(cos.mean()),
            "cos_min": float(cos.min()), "ppl_f": math.exp(nll_f.mean()), "ppl_q": math.exp(nll_q.mean()),
            "acc_f": float((fa == y).mean()), "acc_q": float((qa == y).mean()), "ties": ties, "in_ties": in_ties,
            "maxdiff": float(np.abs(fl - q).max())}


def float_taps(m, x, fine=(0,)):
    """The float model's tensors as (label, ONNX tensor name, array): the embeddings, in the blocks of `fine`
    every op's output, in the others the residual stream after attention and after the MLP; ln_f, logits."""
    taps = []

    def tap(label, name, t):
        taps.append((label, name, t.double().numpy()))

    with torch.no_grad():
        h = m.wte(x) + m.wpe.weight[: x.shape[1]]
        tap("embeddings (wte + wpe)", "/Add_output_0", h)
        for i, b in enumerate(m.h):
            p, f = f"/h.{i}/", i in fine
            bsz, t, d = h.shape
            a = b.ln_1(h)
            qkv = b.c_attn(a)
            q, k, v = (z.reshape(bsz, t, b.h, b.dh).transpose(1, 2) for z in qkv.split(d, dim=2))
            sc = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(b.dh))
            pr = torch.softmax(sc + b.mask[:t, :t], dim=-1)
            y = pr @ v
            o = b.c_proj(y.transpose(1, 2).reshape(bsz, t, d))
            h = h + o
            if f:
                for lb, nm, z in (("ln_1", "ln_1/LayerNormalization", a), ("c_attn (q, k, v)", "c_attn/Add", qkv),
                                  ("scores q k^T / sqrt(d_head)", "Mul", sc), ("softmax", "Softmax", pr),
                                  ("softmax V", "MatMul_1", y), ("c_proj", "c_proj/Add", o)):
                    tap(f"block {i}: {lb}", p + nm + "_output_0", z)
            tap(f"block {i}: residual after attention", p + "Add_1_output_0", h)
            a = b.ln_2(h)
            fc = b.c_fc(a)
            g = b.gelu(fc)
            mp = b.mlp_proj(g)
            h = h + mp
            if f:
                for lb, nm, z in (("ln_2", "ln_2/LayerNormalization", a), ("c_fc", "c_fc/Add", fc),
                                  ("GELU", "gelu/Mul_5", g), ("mlp_proj", "mlp_proj/Add", mp)):
                    tap(f"block {i}: {lb}", p + nm + "_output_0", z)
            tap(f"block {i}: residual after MLP", p + "Add_2_output_0", h)
        h = m.ln_f(h)
        tap("ln_f", "/ln_f/LayerNormalization_output_0", h)
        tap("logits", "logits", h @ m.wte.weight.t())
    return taps


def diagnose(zk, onnx_path, calib, setting_args, m, X, work):
    """Where the quantised model loses accuracy: the model cut at each tensor of float_taps
    (onnx.utils.extract_model), compiled with the same options and calibration, its dequantised output
    against the float model's tensor. The error is cumulative (everything before the cut is quantised too).
    Returns rows (label, relative L2 error, cosine mean and min over the last axis, output type and step)."""
    import onnx.utils
    rows = []
    for k, (label, tensor, f) in enumerate(float_taps(m, torch.from_numpy(X))):
        sub = onnx_path
        if tensor != "logits":
            sub = os.path.join(work, f"stage{k}.onnx")
            onnx.utils.extract_model(onnx_path, sub, ["ids"], [tensor])
        zkm = os.path.join(work, f"stage{k}.zkm")
        log = sh([zk, "compile", sub, "--calib", calib, "-o", zkm] + setting_args)
        sc = re.findall(r"output \S+ (int\d+) scale (\S+)", log)
        q = zk_run(zk, zkm, X, work, f"stage{k}").reshape(f.shape)
        rel = np.linalg.norm(q - f) / np.linalg.norm(f)
        cos = (f * q).sum(-1) / (np.linalg.norm(f, axis=-1) * np.linalg.norm(q, axis=-1) + 1e-30)
        cos = cos[np.linalg.norm(f, axis=-1) > 0]
        rows.append((label, float(rel), float(cos.mean()), float(cos.min()), " ".join(sc[-1]) if sc else "?"))
        print(f"  {label}: relative error {rel:.4f}, cosine {cos.mean():.5f} (min {cos.min():.5f})", file=sys.stderr)
    return rows


def rounding_floor(fl, scale, bits):
    """Top-1 agreement and tied rows when only the output is rounded: the float logits on the output grid."""
    qmax = (1 << (bits - 1)) - 1
    q = np.clip(np.round(fl / scale), -qmax, qmax)
    ties = int(((q == q.max(-1, keepdims=True)).sum(-1) > 1).sum())
    return float((q.argmax(-1) == fl.argmax(-1)).mean()), ties


def generate(step, prompt_ids, n, T, pad):
    """Greedy: step(window [1, T]) -> logits [T, V]; the window is the last T ids, right-padded with pad."""
    ids = list(prompt_ids)
    for _ in range(n):
        w = ids[-T:]
        k = len(w)
        x = np.array([w + [pad] * (T - k)], dtype=np.int64)
        ids.append(int(step(x)[k - 1].argmax()))
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=OUT, help="prefix of train_gpt.py's files (default tests/data/gpt_small)")
    ap.add_argument("--zkinfer", default=os.path.join(ROOT, "build", "zkinfer"))
    ap.add_argument("--calib", help="calibration ids .npy (default the model's PREFIX_calib.npy)")
    ap.add_argument("--settings", default="w8a8,w8a8r,w16a8,w8a16,w16a16",
                    help="compile settings, comma separated: wWaA[r] (weight bits, activation bits; r adds "
                    "--requant-each-layer)")
    ap.add_argument("--prompt", default="This License applies to ")
    ap.add_argument("--gen", type=int, default=80, help="bytes generated")
    ap.add_argument("--gen-settings", default="w8a8,w8a16", help="settings whose quantised model generates")
    ap.add_argument("--diagnose", default="w8a8", help="settings to cut after each stage and compare (see "
                    "diagnose()), when they miss the targets; '' for none")
    ap.add_argument("--md", default=os.path.join(ROOT, "bench", "results", "gpt_small.md"))
    ap.add_argument("--work", help="directory for the .zkm and .npy files, kept (default a temporary one, "
                    "removed at the end)")
    a = ap.parse_args()
    torch.set_num_threads(1)

    m, meta = load_model(a.model)
    vocab, T = meta["vocab"], meta["config"]["tokens"]
    _, held, _, _ = load_corpus(meta["corpus"]["dir"], meta["corpus"]["held_out"])
    ho = encode(held, vocab)
    n = (len(ho) - 1) // T
    w = np.stack([ho[i * T:i * T + T + 1] for i in range(n)])
    X, Y = w[:, :-1].astype(np.int64), w[:, 1:]
    with torch.no_grad():
        FL = m(torch.from_numpy(X)).double().numpy()
    work = a.work or tempfile.mkdtemp(prefix="gpt_acc_")
    os.makedirs(work, exist_ok=True)
    np.save(os.path.join(work, "heldout.npy"), X)
    onnx = a.model + ".onnx"
    calib = a.calib or a.model + "_calib.npy"
    pad = vocab.index(ord(" "))
    prompt = encode(a.prompt.encode(), vocab).tolist()

    results, gens, compile_logs = [], {}, {}
    float_gen = decode(generate(lambda x: m(torch.from_numpy(x))[0].detach().numpy(), prompt, a.gen, T, pad), vocab)
    gen_settings = a.gen_settings.split(",") if a.gen_settings else []
    diag_settings = a.diagnose.split(",") if a.diagnose else []
    diags = {}
    for s in a.settings.split(","):
        mt = re.fullmatch(r"w(8|16)a(8|16)(r?)", s)
        if not mt:
            sys.exit(f"gpt_accuracy: setting '{s}' is not wWaA[r]")
        zkm = os.path.join(work, f"gpt_small_{s}.zkm")
        opts = ["--weight-bits", mt.group(1), "--act-bits", mt.group(2)] + (["--requant-each-layer"] if mt.group(3)
                                                                            else [])
        cmd = [a.zkinfer, "compile", onnx, "--calib", calib, "--eval", os.path.join(work, "heldout.npy"),
               "-o", zkm] + opts
        t0 = time.time()
        log = sh(cmd)
        tc = time.time() - t0
        rep = log[log.find("accuracy report"):].splitlines()
        compile_logs[s] = [ln for ln in rep if ln.strip() and not ln.startswith("wrote")][:4]
        out = re.findall(r"output logits int(\d+) scale (\S+)", log)
        out_bits, out_scale = int(out[-1][0]), float(out[-1][1])
        t0 = time.time()
        Q = zk_run(a.zkinfer, zkm, X, work, "heldout")
        tr = time.time() - t0
        V = FL.shape[-1]
        all_ = metrics(FL.reshape(-1, V), Q.reshape(-1, V), Y.reshape(-1))
        last = metrics(FL[:, -1], Q[:, -1], Y[:, -1])
        # causality: changing the second half of a window leaves the first half's logits unchanged
        x2 = X[:2].copy()
        x2[1, T // 2:] = (x2[1, T // 2:] + 7) % len(vocab)
        x2[1, :T // 2] = x2[0, :T // 2]
        q2 = zk_run(a.zkinfer, zkm, x2, work, "causal")
        causal = bool(np.array_equal(q2[0, :T // 2], q2[1, :T // 2]))
        floor = rounding_floor(FL.reshape(-1, V), out_scale, out_bits)
        results.append({"setting": s, "cmd": cmd, "all": all_, "last": last, "causal": causal,
                        "out_bits": out_bits, "out_scale": out_scale, "floor": floor,
                        "zkm_bytes": os.path.getsize(zkm), "compile_s": tc, "run_s": tr})
        print(f"{s}: agreement {all_['agree']:.2%}, cosine mean {all_['cos_mean']:.5f} min {all_['cos_min']:.5f}, "
              f"ppl float {all_['ppl_f']:.3f} quant {all_['ppl_q']:.3f}, causal {causal}", file=sys.stderr)
        if s in diag_settings and not (all_["agree"] >= 0.97 and all_["cos_mean"] >= 0.99):
            diags[s] = diagnose(a.zkinfer, onnx, calib, opts, m, X[:64], work)
        if s in gen_settings:
            gens[s] = decode(generate(lambda x: zk_run(a.zkinfer, zkm, x, work, "gen")[0], prompt, a.gen, T, pad),
                             vocab)

    # The tables.
    hdr = ("| setting | rows | top-1 agreement | float argmax among quant maxima | cosine mean | cosine min "
           "| ppl float | ppl quant | top-1 acc float | top-1 acc quant | quant ties | max abs diff |")
    lines = [hdr, "|" + "---|" * 12]
    for r in results:
        for part, name in (("all", "all positions"), ("last", f"position {T - 1} only")):
            v = r[part]
            lines.append(f"| {r['setting']}, {name} | {v['rows']} | {v['agree']:.2%} | {v['in_ties']:.2%} | "
                         f"{v['cos_mean']:.5f} | {v['cos_min']:.5f} | {v['ppl_f']:.3f} | {v['ppl_q']:.3f} | "
                         f"{v['acc_f']:.2%} | {v['acc_q']:.2%} | {v['ties']} | {v['maxdiff']:.3f} |")
    table = "\n".join(lines)
    print(table)
    floor = ["| setting | output | output step | agreement, float logits rounded to the output grid only | "
             "rows tied there |", "|---|---|---|---|---|"]
    floor += [f"| {r['setting']} | int{r['out_bits']} | {r['out_scale']:.6g} | {r['floor'][0]:.2%} | "
              f"{r['floor'][1]} |" for r in results]

    tr = meta["training"]
    c = meta["config"]
    curve = ["| step | train loss (running mean) | held-out loss | seconds |", "|---|---|---|---|"]
    curve += [f"| {p['step']} | {p['train_loss_ema']:.4f} | {p['held_out_loss']:.4f} | {p['seconds']} |"
              for p in tr["curve"]]
    passed = lambda r: r["all"]["agree"] >= 0.97 and r["all"]["cos_mean"] >= 0.99  # noqa: E731
    cmdline = "/usr/bin/python3 tools/gpt_accuracy.py " + " ".join(map(shlex.quote, sys.argv[1:]))
    rel = lambda p: os.path.relpath(p, ROOT) if os.path.isabs(p) else p  # noqa: E731
    md = ["# Small GPT (character level): float vs quantised accuracy", "",
          f"Date: {datetime.date.today().isoformat()}. Produced by `{cmdline.strip()}` "
          f"(the model by `/usr/bin/python3 tools/train_gpt.py`).", "",
          "## Model", "",
          f"GPT-2 architecture (tools/export_gpt2.py's Gpt2): {c['layers']} layers, d {c['d']}, {c['heads']} heads, "
          f"context {T}, vocabulary {c['vocab']} (the bytes that occur in the corpus), tied embeddings, "
          f"{meta['parameters']} parameters (float16-rounded weights, computed in float32). "
          f"`{rel(onnx)}`: {os.path.getsize(onnx)} bytes; state dict {os.path.getsize(a.model + '_state.pt')} bytes.",
          "",
          f"Corpus: {meta['corpus']['dir']} (Debian base-files), regular files in sorted order; training text "
          f"{meta['corpus']['train_bytes']} bytes, held out: {', '.join(meta['corpus']['held_out'])} "
          f"({meta['corpus']['held_out_bytes']} bytes). Calibration: `{rel(calib)}`, "
          f"{np.load(calib).shape[0]} training windows"
          + (" (random ones, then one for each byte they miss)." if calib == a.model + "_calib.npy" else "."), "",
          f"Training: {tr['steps']} steps of {tr['batch']} windows, {tr['optimizer']}, lr {tr['lr']}, "
          f"weight decay {tr['weight_decay']}, seed {tr['seed']}, {tr['threads']} thread, torch {tr['torch']}: "
          f"**{tr['seconds']} s** (on a shared 2-core machine). Final loss (nats/byte, after float16 rounding, "
          f"over consecutive {T}-byte windows): train {tr['final_train_loss']}, held-out {tr['final_held_out_loss']} "
          f"(perplexity {math.exp(tr['final_held_out_loss']):.3f}).", "",
          *curve, "",
          "## Float vs quantised on held-out text", "",
          f"{n} held-out windows of {T} bytes ({n * T} next-byte predictions). Quantised logits: `zkinfer run`'s "
          "dequantised output. Agreement: float argmax = quantised argmax (argmax takes the first of tied "
          "maxima); float argmax among quant maxima: the float argmax is one of the quantised model's tied "
          "maxima; quant ties: rows whose quantised maximum is shared by several bytes. Cosine: per position "
          "(one row of V logits); zkinfer's own report below gives its min per window.", "",
          table, "", "WORK below is a temporary directory (--work).", ""]
    for r in results:
        md += [f"- {r['setting']}: `{' '.join(rel(p) for p in r['cmd']).replace(rel(work), 'WORK')}` "
               f"({r['compile_s']:.1f} s; .zkm {r['zkm_bytes']} bytes); run over the held-out set "
               f"{r['run_s']:.1f} s; causal: {'yes' if r['causal'] else 'NO'}; targets (agreement >= 97 %, "
               f"mean cosine >= 0.99): **{'met' if passed(r) else 'NOT met'}**. zkinfer's own report:",
               "", "```", *compile_logs[r["setting"]], "```", ""]
    md += ["### The output grid", "",
           "The agreement the quantised model would reach if every op before the output were exact and only the "
           "logits were rounded to its output grid (symmetric, step = the output scale):", "", *floor, ""]
    for s, rows in diags.items():
        md += [f"### Where {s} loses accuracy", "",
               "The model cut at each tensor (onnx.utils.extract_model), compiled with the same options and "
               "calibration, its dequantised output against the float model's tensor, on the first 64 held-out "
               "windows: relative L2 error over the whole tensor, cosine per row of its last axis. The error is "
               "cumulative (every op before the cut is quantised too); an op's own loss is the step from the row "
               "before.", "",
               "| tensor | relative error | cosine mean | cosine min | quantised as (type, step) |",
               "|---|---|---|---|---|"]
        md += [f"| {lb} | {re_:.4f} | {cm:.5f} | {cn:.5f} | {sc} |" for lb, re_, cm, cn, sc in rows]
        steps = sorted(((rows[k][1] - (rows[k - 1][1] if k else 0.0), rows[k][0]) for k in range(len(rows))),
                       reverse=True)[:3]
        md += ["", "Largest single-step increases of the relative error: "
               + "; ".join(f"{lb} (+{d:.4f})" for d, lb in steps) + "."]
        md.append("")
    md += ["## Greedy generation", "",
           f"Prompt {a.prompt!r}, {a.gen} bytes, window the last {T} bytes (a shorter one padded on the right "
           "with spaces, read at its last byte); the quantised model by one `zkinfer run` per byte.", "",
           "float:", "", "```", float_gen, "```", ""]
    for s, g in gens.items():
        first = next((i for i, (x, y) in enumerate(zip(g, float_gen)) if x != y), None)
        md += [f"quantised {s} ("
               + ("identical to float" if first is None else f"first differs at generated byte {first - len(a.prompt)}")
               + "):", "", "```", g, "```", ""]
    os.makedirs(os.path.dirname(os.path.abspath(a.md)), exist_ok=True)
    with open(a.md, "w") as f:
        f.write("\n".join(md))
    print(f"float:     {float_gen!r}")
    for s, g in gens.items():
        print(f"{s:10s} {g!r}")
    print(f"wrote {a.md}", file=sys.stderr)
    if not a.work:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
