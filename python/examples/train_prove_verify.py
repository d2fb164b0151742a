"""Train a small classifier, prove one batch of its answers, verify them.

Run from the repository after `make build`:
    PYTHONPATH=python python3 python/examples/train_prove_verify.py
The data is synthetic, Fashion-MNIST-shaped: 10 classes of 28x28 images,
each a fixed random pattern plus noise (no dataset needs downloading)."""

import numpy as np
import torch

import zkinfer

rng = np.random.default_rng(0)
patterns = rng.standard_normal((10, 1, 28, 28)).astype(np.float32)
labels = rng.integers(0, 10, 2048)
images = patterns[labels] + 2.0 * rng.standard_normal((2048, 1, 28, 28)).astype(np.float32)

torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 5, stride=2), torch.nn.ReLU(), torch.nn.Flatten(),
                          torch.nn.Linear(4 * 12 * 12, 10))
opt = torch.optim.Adam(net.parameters(), lr=1e-2)
for step in range(40):  # a few steps are enough to separate the patterns
    batch = rng.integers(0, 2048, 64)
    loss = torch.nn.functional.cross_entropy(net(torch.from_numpy(images[batch])), torch.from_numpy(labels[batch]))
    opt.zero_grad()
    loss.backward()
    opt.step()
print("trained: loss %.3f" % loss.item())

# The provider: quantise, commit the weights, prove answers for 4 images.
model = zkinfer.compile(net, images[:256], zk_proofs=16)
x = images[:4]
scores, proof = model.prove(x)
print("proved classes", scores.argmax(1), "(labels %s), proof of %d bytes" % (labels[:4], len(proof)))

# The verifier: holds only the verification key's bytes, the input and the proof's.
vk = zkinfer.VerifyingKey.from_bytes(model.vk.to_bytes())
verified = zkinfer.verify(vk, zkinfer.Proof.from_bytes(proof.to_bytes(), vk), x)
print("verified classes", verified.argmax(1), "with key", vk.digest[:16])
try:
    zkinfer.verify(vk, proof, images[4:8])  # the same proof for other images
except zkinfer.VerificationError as e:
    print("another input is rejected:", e)
