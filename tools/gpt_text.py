#!/usr/bin/env python3
"""Text <-> token ids for the small GPT trained here (tools/train_gpt.py):
its vocabulary (OUT.json "vocab") lists the bytes it knows, id i = vocab[i].

    gpt_text.py encode VOCAB.json "some text" -o PROMPT.npy   ids [1, P] int64
    gpt_text.py decode VOCAB.json < verify.txt   prints the text of the lines
        "prompt: ids" and "verified generated: ids" (zkinfer verify --prompt)

Run: /usr/bin/python3 tools/gpt_text.py encode tests/data/gpt_small.json "The " -o p.npy"""
import argparse
import json
import sys

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["encode", "decode"])
    ap.add_argument("vocab", help="the model's .json (tools/train_gpt.py)")
    ap.add_argument("text", nargs="?", help="encode: the prompt")
    ap.add_argument("-o", "--out", help="encode: the .npy to write")
    a = ap.parse_args()
    vocab = json.load(open(a.vocab))["vocab"]
    if a.cmd == "encode":
        if a.text is None or not a.out:
            sys.exit("gpt_text.py encode: give the text and -o PROMPT.npy")
        index = {b: i for i, b in enumerate(vocab)}
        raw = a.text.encode("utf-8")
        missing = sorted({chr(b) for b in raw if b not in index})
        if missing:
            sys.exit("gpt_text.py: the model has no token for %s" % ", ".join(repr(c) for c in missing))
        np.save(a.out, np.array([[index[b] for b in raw]], dtype=np.int64))
        return
    for line in sys.stdin:
        label, _, rest = line.partition(":")
        if label in ("prompt", "verified generated", "generated"):
            ids = [int(t) for t in rest.split()]
            if any(i < 0 or i >= len(vocab) for i in ids):
                sys.exit("gpt_text.py: an id outside the vocabulary of %d" % len(vocab))
            text = bytes(vocab[i] for i in ids).decode("utf-8", "replace")
            print("%s text: %r" % (label, text))


if __name__ == "__main__":
    main()
