"""`pip install ./python` into a fresh virtual environment bundles the C
library: the installed package, away from the source tree and without
ZKINFER_LIBRARY, loads its own copy and verifies a proof made here."""

import os
import shutil
import subprocess
import sys

import numpy as np

import zkinfer
from conftest import REPO

CHECK = r"""
import os, sys, numpy as np, zkinfer
here = os.path.dirname(zkinfer.__file__)
assert zkinfer.__file__.startswith(sys.prefix), zkinfer.__file__
assert zkinfer.library_path == os.path.join(here, "libzkinfer.so"), zkinfer.library_path
vk = zkinfer.VerifyingKey.load("m.vk")
out = zkinfer.verify(vk, zkinfer.Proof.load("p.zkp"), np.load("x.npy"))
np.testing.assert_array_equal(out, np.load("y.npy"))
print("verified", out.shape)
"""


def test_pip_install_bundles_the_library(mlp, tmp_path):
    # a copy of python/, so the build leaves nothing in the source tree; the
    # library to bundle is named, as the copy has no ../build beside it
    src = tmp_path / "src"
    shutil.copytree(os.path.join(REPO, "python"), src,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "tests", ".pytest_cache"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    env = dict(os.environ, ZKINFER_LIBRARY=zkinfer.library_path, PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-build-isolation",
                          "--no-index", str(src)], env=env, capture_output=True, text=True)
    assert pip.returncode == 0, pip.stdout + pip.stderr

    work = tmp_path / "work"
    work.mkdir()
    x = mlp.x[:2]
    out, proof = mlp.model.prove(x)
    mlp.model.vk.save(work / "m.vk")
    proof.save(work / "p.zkp")
    np.save(work / "x.npy", x)
    np.save(work / "y.npy", out)
    env.pop("ZKINFER_LIBRARY")
    run = subprocess.run([str(venv / "bin" / "python"), "-c", CHECK], cwd=work, env=env, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "verified (2, 5)" in run.stdout
