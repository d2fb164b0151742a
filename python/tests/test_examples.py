"""The examples run as a user runs them and say what they promise."""

import os
import subprocess
import sys

from conftest import REPO


def test_train_prove_verify(torch):
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "python"))
    p = subprocess.run([sys.executable, os.path.join(REPO, "python", "examples", "train_prove_verify.py")],
                       env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    proved = [l for l in p.stdout.splitlines() if l.startswith("proved classes")][0].split("[")[1].split("]")[0]
    verified = [l for l in p.stdout.splitlines() if l.startswith("verified classes")][0].split("[")[1].split("]")[0]
    assert proved == verified
    assert "another input is rejected: verify: this proof is for another input" in p.stdout
