"""Shared fixtures: two tiny torch models (random weights), compiled once."""

import os

import numpy as np
import pytest

import zkinfer

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
# Enough proofs for every test sharing a model (each prove spends one).
BUDGET = 64


class Compiled:
    def __init__(self, module, x, model):
        self.module, self.x, self.model = module, x, model

    def torch_output(self, x):
        import torch

        with torch.no_grad():
            return self.module(torch.from_numpy(x)).numpy()


@pytest.fixture(scope="session")
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(scope="session")
def mlp(torch):
    torch.manual_seed(1)
    module = torch.nn.Sequential(torch.nn.Linear(12, 16), torch.nn.ReLU(), torch.nn.Linear(16, 5))
    x = np.random.default_rng(1).standard_normal((24, 12)).astype(np.float32)
    return Compiled(module, x, zkinfer.compile(module, x, zk_proofs=BUDGET))


@pytest.fixture(scope="session")
def cnn(torch):
    torch.manual_seed(2)
    module = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                 torch.nn.Flatten(), torch.nn.Linear(3 * 4 * 4, 4))
    x = np.random.default_rng(2).standard_normal((16, 1, 8, 8)).astype(np.float32)
    return Compiled(module, x, zkinfer.compile(module, torch.from_numpy(x), zk_proofs=BUDGET))


@pytest.fixture(scope="session")
def cli():
    """The zkinfer command of the build beside the library, or skip."""
    path = os.environ.get("ZKINFER_CLI") or os.path.join(os.path.dirname(zkinfer.library_path), "zkinfer")
    if not os.access(path, os.X_OK):
        pytest.skip("no zkinfer command at %s (set ZKINFER_CLI)" % path)
    return path
