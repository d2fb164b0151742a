#!/usr/bin/python3
"""Trains a small GPT-2-architecture character model on the licence texts of
/usr/share/common-licenses (Debian's base-files, on every Debian system) in a
few minutes on one CPU thread, and writes the committed fixtures:

  tests/data/gpt_small.onnx       opset 17, ids [1, T] int64 -> logits [1, T, V]
  tests/data/gpt_small_state.pt   the torch state dict (float16: the weights are
                                  rounded to float16 after training, so this
                                  file holds them exactly and the ONNX model,
                                  float32, computes with the same values)
  tests/data/gpt_small.json       the vocabulary (the bytes that occur in the
                                  corpus, in byte order; id i is bytes[i]), the
                                  model sizes, the split and the training record
  tests/data/gpt_small_calib.npy  calibration windows of the training text, int64 [N, T]
  tests/data/gpt_small_x.npy      a held-out window (a line of text), int64 [1, T]

Model: tools/export_gpt2.py's Gpt2 (pre-LN blocks, tanh GELU, causal softmax
attention under an additive -1e4 mask, tied embeddings, learned positions).
Corpus: the regular files of the directory in sorted name order, concatenated
(the symlinks GPL, LGPL and GFDL name files already read and are skipped).
Held out whole: Apache-2.0 and CC0-1.0 (18.4 kB, 7.8 %; texts of their own,
not versions of another file, and every byte in them occurs in the others);
the other twelve files are the training text. MPL-2.0 is not held out: '*' and
'=' occur only there, and a byte never seen in training keeps an untrained
embedding (tied to the output head, pushed to large negative logits).
Calibration: random training windows, plus for each vocabulary byte none of them
holds a training window holding it (an embedding row never seen in calibration
would be outside the calibrated range of the embedding's output).
Training: AdamW, seeded, deterministic (one thread, deterministic algorithms).

Run: /usr/bin/python3 tools/train_gpt.py [--steps N] [-o tests/data/gpt_small]"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_gpt2 import Gpt2, init_gpt2  # noqa: E402

CORPUS = "/usr/share/common-licenses"
HELD_OUT = ["Apache-2.0", "CC0-1.0"]
OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "gpt_small"))


def corpus_files(corpus=CORPUS):
    """The regular files of the corpus directory in sorted order (symlinks skipped)."""
    names = sorted(os.listdir(corpus))
    return [n for n in names if os.path.isfile(os.path.join(corpus, n)) and not os.path.islink(os.path.join(corpus, n))]


def load_corpus(corpus=CORPUS, held_out=HELD_OUT):
    """(train bytes, held-out bytes, vocabulary: the sorted bytes that occur)."""
    files = corpus_files(corpus)
    missing = [h for h in held_out if h not in files]
    if missing:
        sys.exit(f"train_gpt: held-out file(s) {missing} not in {corpus}")
    read = {n: open(os.path.join(corpus, n), "rb").read() for n in files}
    train = b"".join(read[n] for n in files if n not in held_out)
    held = b"".join(read[n] for n in files if n in held_out)
    vocab = sorted(set(train) | set(held))
    return train, held, vocab, files


def calib_windows(ids, t, n, v, rng):
    """n random windows of t ids, then one more for each id in range(v) none of them holds (at a random
    occurrence, at a random place in the window)."""
    w = list(windows(ids, t, n, rng)[:, :-1])
    for k in range(v):
        if any(k in x for x in w):
            continue
        at = np.flatnonzero(ids == k)
        if len(at) == 0:
            continue
        s = int(np.clip(at[rng.integers(len(at))] - rng.integers(t), 0, len(ids) - t))
        w.append(ids[s:s + t])
    return np.stack(w).astype(np.int64)


def example_window(ids, vocab, t):
    """The first window of t ids that starts a line and holds at most t/4 spaces, as int64 [1, t]."""
    nl, sp = vocab.index(ord("\n")), vocab.index(ord(" "))
    for s in np.flatnonzero(ids[:-t] == nl) + 1:
        if (ids[s:s + t] == sp).sum() <= t // 4:
            return ids[s:s + t][None].astype(np.int64)
    return ids[:t][None].astype(np.int64)


def encode(data, vocab):
    table = np.full(256, -1, dtype=np.int64)
    table[np.array(vocab)] = np.arange(len(vocab))
    ids = table[np.frombuffer(data, dtype=np.uint8)]
    if (ids < 0).any():
        raise ValueError("byte outside the vocabulary")
    return ids


def decode(ids, vocab):
    return bytes(vocab[int(i)] for i in ids).decode("latin-1")


def load_model(prefix=OUT):
    """The trained model (float32, eval mode) and its JSON record, from PREFIX.json and PREFIX_state.pt."""
    with open(prefix + ".json") as f:
        meta = json.load(f)
    c = meta["config"]
    m = Gpt2(c["layers"], c["d"], c["heads"], len(meta["vocab"]), c["tokens"])
    state = torch.load(prefix + "_state.pt")
    missing, unexpected = m.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
    if unexpected or any(not k.endswith(".mask") for k in missing):
        raise ValueError(f"state dict mismatch: missing {missing}, unexpected {unexpected}")
    return m.eval(), meta


def windows(ids, t, n, rng):
    """n random windows of t + 1 tokens (input t, targets shifted by one)."""
    starts = rng.integers(0, len(ids) - t - 1, n)
    return np.stack([ids[s:s + t + 1] for s in starts])


def eval_loss(m, data, t):
    """Mean next-token cross entropy over consecutive non-overlapping windows of t + 1 tokens."""
    n = (len(data) - 1) // t
    w = np.stack([data[i * t:i * t + t + 1] for i in range(n)])
    x, y = torch.from_numpy(w[:, :-1]), torch.from_numpy(w[:, 1:])
    tot = 0.0
    with torch.no_grad():
        for i in range(0, n, 256):
            logits = m(x[i:i + 256])
            tot += torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y[i:i + 256].reshape(-1),
                                                     reduction="sum").item()
    return tot / (n * t)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--tokens", type=int, default=32, help="context length T")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--calib", type=int, default=32, help="random calibration windows (then one for each byte "
                    "they miss)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("-o", "--out", default=OUT, help="output prefix (default tests/data/gpt_small)")
    a = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    torch.use_deterministic_algorithms(True)
    train, held, vocab, files = load_corpus()
    tr, ho = encode(train, vocab), encode(held, vocab)
    T, V = a.tokens, len(vocab)
    unseen = sorted(set(vocab) - set(train))
    if unseen:
        print(f"train_gpt: warning: bytes {[chr(c) for c in unseen]} occur only in the held-out text",
              file=sys.stderr)
    print(f"corpus: {len(files)} files, train {len(tr)} bytes, held out {len(ho)} bytes ({', '.join(HELD_OUT)}), "
          f"vocabulary {V}", file=sys.stderr)

    m = Gpt2(a.layers, a.d, a.heads, V, T)
    init_gpt2(m, a.seed)
    # Weight decay on the matrices only (not biases, LayerNorms, embeddings).
    decay = [p for n, p in m.named_parameters() if p.dim() == 2 and not n.startswith(("wte", "wpe"))]
    rest = [p for n, p in m.named_parameters() if not (p.dim() == 2 and not n.startswith(("wte", "wpe")))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                             {"params": rest, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.95))
    warm = max(1, a.steps // 20)

    def lr_at(s):  # linear warm-up, cosine decay to a tenth
        if s < warm:
            return a.lr * (s + 1) / warm
        f = (s - warm) / max(1, a.steps - warm)
        return a.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * f)))

    rng = np.random.default_rng(a.seed)
    curve = []
    t0 = time.time()
    run_loss = None
    for s in range(a.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(s)
        w = torch.from_numpy(windows(tr, T, a.batch, rng))
        m.train()
        logits = m(w[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), w[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        run_loss = loss.item() if run_loss is None else 0.98 * run_loss + 0.02 * loss.item()
        if (s + 1) % a.eval_every == 0 or s + 1 == a.steps:
            m.eval()
            hl = eval_loss(m, ho, T)
            curve.append({"step": s + 1, "train_loss_ema": round(run_loss, 4), "held_out_loss": round(hl, 4),
                          "seconds": round(time.time() - t0, 1)})
            print(f"step {s + 1:5d}  train (running) {run_loss:.4f}  held-out {hl:.4f}  {time.time() - t0:6.1f} s",
                  file=sys.stderr)
    seconds = time.time() - t0

    # Round the weights to float16 (stored exactly; the ONNX model computes with the same values).
    m.eval()
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(p.half().float())
    train_loss, held_loss = eval_loss(m, tr, T), eval_loss(m, ho, T)
    print(f"after float16 rounding: train loss {train_loss:.4f}, held-out loss {held_loss:.4f} "
          f"(perplexity {math.exp(held_loss):.3f}); trained in {seconds:.1f} s", file=sys.stderr)

    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    state = {k: v.half() for k, v in m.state_dict().items() if not k.endswith(".mask")}
    torch.save(state, a.out + "_state.pt")
    crng = np.random.default_rng(a.seed + 1)
    calib = calib_windows(tr, T, a.calib, V, crng)
    x = example_window(ho, vocab, T)
    np.save(a.out + "_calib.npy", calib)
    np.save(a.out + "_x.npy", x)
    with torch.no_grad():
        torch.onnx.export(m, torch.from_numpy(x), a.out + ".onnx", opset_version=17,
                          input_names=["ids"], output_names=["logits"])
    meta = {
        "vocab": vocab,
        "config": {"layers": a.layers, "d": a.d, "heads": a.heads, "tokens": T, "vocab": V},
        "parameters": sum(p.numel() for p in m.parameters()),
        "corpus": {"dir": CORPUS, "files": files, "held_out": HELD_OUT, "train_bytes": len(tr),
                   "held_out_bytes": len(ho), "calib_windows": int(calib.shape[0])},
        "training": {"steps": a.steps, "batch": a.batch, "lr": a.lr, "weight_decay": a.weight_decay, "seed": a.seed,
                     "optimizer": "AdamW (0.9, 0.95), warm-up then cosine to lr/10, grad clip 1.0",
                     "threads": 1, "seconds": round(seconds, 1), "curve": curve,
                     "final_train_loss": round(train_loss, 4), "final_held_out_loss": round(held_loss, 4),
                     "torch": torch.__version__},
    }
    with open(a.out + ".json", "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")

    # The saved files reproduce the model exactly.
    m2, _ = load_model(a.out)
    with torch.no_grad():
        assert torch.equal(m2(torch.from_numpy(x)), m(torch.from_numpy(x)))
    print(f"wrote {a.out}.onnx ({os.path.getsize(a.out + '.onnx') / 1e3:.0f} kB), _state.pt "
          f"({os.path.getsize(a.out + '_state.pt') / 1e3:.0f} kB), .json, _calib.npy {calib.shape}, _x.npy "
          f"{x.shape}: {meta['parameters']} parameters", file=sys.stderr)


if __name__ == "__main__":
    main()
