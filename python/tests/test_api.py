"""The bindings end to end: compile, run, prove, verify, keys and proofs as
bytes and files, and the errors a user meets."""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import zkinfer
from conftest import BUDGET, REPO


def cosine(a, b):
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.mark.parametrize("name,batch", [("mlp", 3), ("cnn", 2)])
def test_prove_verify_matches_run_and_torch(request, name, batch):
    c = request.getfixturevalue(name)
    x = c.x[:batch]
    out, proof = c.model.prove(x)
    assert out.shape == (batch,) + c.model.output_shape[1:]
    np.testing.assert_array_equal(out, c.model.run(x))  # bit for bit what run computes
    np.testing.assert_array_equal(zkinfer.verify(c.model.vk, proof, x), out)
    assert proof.batch == batch and not proof.private_input and not proof.private_output
    assert cosine(out, c.torch_output(x)) > 0.99  # the quantised model stays close to torch's


def test_model_info(mlp, cnn):
    assert mlp.model.input_shape == (1, 12) and mlp.model.output_shape == (1, 5)
    assert cnn.model.input_shape == (1, 1, 8, 8) and cnn.model.output_shape == (1, 4)
    assert mlp.model.provable and mlp.model.zk_proofs == BUDGET
    vk = mlp.model.vk
    assert vk.input_shape == (1, 12) and vk.output_shape == (1, 5) and vk.classifier
    assert vk.zk_proofs == BUDGET and vk.weight_bytes > 0
    assert mlp.model.accuracy["samples"] == len(mlp.x) and mlp.model.accuracy["cos_mean"] > 0.99


def test_vk_bytes_and_files(mlp, tmp_path):
    vk = mlp.model.vk
    b = vk.to_bytes()
    again = zkinfer.VerifyingKey.from_bytes(b)
    assert again.to_bytes() == b and again.digest == vk.digest and again == vk
    assert len(vk.digest) == 64 and int(vk.digest, 16) >= 0
    vk.save(tmp_path / "m.vk")
    assert (tmp_path / "m.vk").read_bytes() == b
    loaded = zkinfer.VerifyingKey.load(str(tmp_path / "m.vk"))
    out, proof = mlp.model.prove(mlp.x[:1])
    np.testing.assert_array_equal(zkinfer.verify(loaded, proof, mlp.x[:1]), out)


def test_proof_bytes_and_files(cnn, tmp_path):
    x = cnn.x[3:5]
    out, proof = cnn.model.prove(x)
    b = proof.to_bytes()
    assert len(b) == len(proof) > 1000
    vk = zkinfer.VerifyingKey.from_bytes(cnn.model.vk.to_bytes())
    parsed = zkinfer.Proof.from_bytes(b, vk)
    assert parsed.batch == 2 and parsed.to_bytes() == b
    lazy = zkinfer.Proof.from_bytes(b)  # no key: parsed when verified
    with pytest.raises(zkinfer.Error, match="not parsed"):
        lazy.batch
    for p in (parsed, lazy):
        np.testing.assert_array_equal(zkinfer.verify(vk, p, x), out)
    proof.save(tmp_path / "p.zkp")
    assert (tmp_path / "p.zkp").read_bytes() == b
    lazy.save(tmp_path / "q.zkp")  # a proof kept as bytes writes them as they are
    assert (tmp_path / "q.zkp").read_bytes() == b
    for p in (zkinfer.Proof.load(tmp_path / "p.zkp", vk), zkinfer.Proof.load(tmp_path / "q.zkp")):
        np.testing.assert_array_equal(zkinfer.verify(vk, p, x), out)


def test_private_input(mlp):
    x = mlp.x[4:6]
    out, proof = mlp.model.prove(x, private_input=True)
    np.testing.assert_array_equal(out, mlp.model.run(x))
    again = zkinfer.Proof.from_bytes(proof.to_bytes(), mlp.model.vk)
    assert again.private_input
    np.testing.assert_array_equal(zkinfer.verify(mlp.model.vk, again), out)
    with pytest.raises(zkinfer.VerificationError, match="commits its input"):
        zkinfer.verify(mlp.model.vk, again, x)


def test_private_output(mlp):
    out, proof = mlp.model.prove(mlp.x[:1], private_output=True)
    assert out is None and proof.private_output
    assert zkinfer.verify(mlp.model.vk, proof, mlp.x[:1]) is None


def test_public_input_proof_needs_the_input(mlp):
    _, proof = mlp.model.prove(mlp.x[:1])
    with pytest.raises(zkinfer.VerificationError, match="public input"):
        zkinfer.verify(mlp.model.vk, proof)


def test_mutated_proof_raises(cnn):
    x = cnn.x[:1]
    _, proof = cnn.model.prove(x)
    b = proof.to_bytes()
    vk = cnn.model.vk
    for pos in list(range(9, len(b), len(b) // 7)) + [len(b) - 1]:
        bad = bytearray(b)
        bad[pos] ^= 0x01
        with pytest.raises(zkinfer.VerificationError):
            zkinfer.verify(vk, zkinfer.Proof.from_bytes(bytes(bad)), x)
    with pytest.raises(zkinfer.VerificationError):
        zkinfer.Proof.from_bytes(b[: len(b) // 2], vk)  # truncated


def test_wrong_input_raises(mlp):
    x = mlp.x[:2]
    _, proof = mlp.model.prove(x)
    with pytest.raises(zkinfer.VerificationError, match="another input"):
        zkinfer.verify(mlp.model.vk, proof, mlp.x[2:4])
    with pytest.raises(zkinfer.VerificationError):
        zkinfer.verify(mlp.model.vk, proof, x[:1])  # another batch
    with pytest.raises(zkinfer.Error, match=r"shape \[2,7\]") as e:
        zkinfer.verify(mlp.model.vk, proof, np.zeros((2, 7), np.float32))
    assert type(e.value) is zkinfer.Error and e.value.status == "input"


def test_another_models_key_rejects(mlp, cnn):
    _, proof = mlp.model.prove(mlp.x[:1])
    with pytest.raises(zkinfer.VerificationError):
        zkinfer.Proof.from_bytes(proof.to_bytes(), cnn.model.vk)
    with pytest.raises(zkinfer.VerificationError):
        zkinfer.verify(cnn.model.vk, zkinfer.Proof.from_bytes(proof.to_bytes()), cnn.x[:1])


def test_input_errors(cnn):
    x = cnn.x[:1].copy()
    x[0, 0, 2, 3] = np.nan
    with pytest.raises(zkinfer.Error, match=r"index 19 \(sample 0, element 19\) is NaN"):
        cnn.model.run(x)
    with pytest.raises(zkinfer.Error, match=r"x has shape \[1,8,8\]; the model takes \[1,1,8,8\]"):
        cnn.model.prove(cnn.x[0])
    big = cnn.x[:1] * 1000
    with pytest.raises(zkinfer.Error, match="outside the calibrated range.*refused"):
        cnn.model.run(big, strict=True)
    with pytest.raises(zkinfer.Error, match="outside"):
        cnn.model.prove(big, strict=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        clamped = cnn.model.run(big)
    assert any("clamped" in str(m.message) for m in w)
    assert np.all(np.isfinite(clamped))


def test_bad_files_raise_the_librarys_message(mlp, tmp_path):
    missing = str(tmp_path / "none.zkm")
    with pytest.raises(zkinfer.Error, match="none.zkm.*No such file") as e:
        zkinfer.Model.load(missing)
    assert e.value.status == "io"
    junk = tmp_path / "junk.vk"
    junk.write_bytes(b"not a key at all")
    with pytest.raises(zkinfer.Error, match="junk.vk.*not a zkinfer verification key") as e:
        zkinfer.VerifyingKey.load(junk)
    assert e.value.status == "input"
    with pytest.raises(zkinfer.Error, match="junk.vk.*not a zkinfer proof"):
        zkinfer.Proof.load(junk, mlp.model.vk)
    with pytest.raises(zkinfer.Error, match="none.zkp"):
        zkinfer.Proof.load(tmp_path / "none.zkp")
    with pytest.raises(zkinfer.Error, match="nothing.onnx") as e:
        zkinfer.compile(str(tmp_path / "nothing.onnx"), mlp.x)
    assert e.value.status == "io"
    with pytest.raises(zkinfer.Error, match="must go to a .zkm file.*m.zkm"):
        mlp.model.save(tmp_path / "m.onnx")
    with pytest.raises(zkinfer.Error, match="No such file|cannot"):
        mlp.model.save(tmp_path / "no" / "dir" / "m.zkm")


def test_garbage_bytes(mlp):
    with pytest.raises(zkinfer.VerificationError, match="not a zkinfer proof"):
        zkinfer.Proof.from_bytes(b"garbage")
    with pytest.raises(zkinfer.VerificationError, match="not a zkinfer proof"):
        zkinfer.Proof.from_bytes(b"\0" * 4096, mlp.model.vk)
    with pytest.raises(zkinfer.Error, match="not a zkinfer verification key"):
        zkinfer.VerifyingKey.from_bytes(b"garbage")


def test_saved_model_and_keys_in_fresh_objects(cnn, tmp_path):
    path = tmp_path / "m.zkm"
    cnn.model.save(path)
    assert sorted(os.listdir(tmp_path)) == ["m.vk", "m.zkm", "m.zpk"]
    assert os.stat(path).st_mode & 0o077 == 0 and os.stat(tmp_path / "m.zpk").st_mode & 0o077 == 0
    loaded = zkinfer.Model.load(path)
    vk = zkinfer.VerifyingKey.load(tmp_path / "m.vk")
    assert vk.digest == cnn.model.vk.digest == loaded.vk.digest
    x = cnn.x[5:8]
    out, proof = loaded.prove(x)
    np.testing.assert_array_equal(out, cnn.model.run(x))
    np.testing.assert_array_equal(zkinfer.verify(cnn.model.vk, proof, x), out)
    _, proof = cnn.model.prove(x)
    np.testing.assert_array_equal(zkinfer.verify(vk, proof, x), out)


def test_model_without_key_file(mlp, tmp_path):
    mlp.model.save(tmp_path / "m.zkm")
    os.unlink(tmp_path / "m.zpk")
    m = zkinfer.Model.load(tmp_path / "m.zkm")
    assert not m.provable
    np.testing.assert_array_equal(m.run(mlp.x[:2]), mlp.model.run(mlp.x[:2]))
    with pytest.raises(zkinfer.Error, match="no prover key.*m.zpk"):
        m.prove(mlp.x[:1])
    with pytest.raises(zkinfer.Error, match="no prover key"):
        m.vk


def test_proof_budget(torch):
    module = torch.nn.Sequential(torch.nn.Linear(4, 3))
    x = np.random.default_rng(3).standard_normal((8, 4)).astype(np.float32)
    model = zkinfer.compile(module, x, zk_proofs=1)
    assert model.zk_proofs == 1 and model.vk.zk_proofs == 1
    model.prove(x[:1])
    assert model.proofs_made == 1
    with pytest.raises(zkinfer.Error, match=r"budget of 1 proof is spent.*zk_proofs=N"):
        model.prove(x[:1])
    with pytest.raises(zkinfer.Error, match="zk_proofs=0"):
        zkinfer.compile(module, x, zk_proofs=0)


def test_onnx_file_and_calibration(mlp, torch, tmp_path):
    onnx_path = str(tmp_path / "m.onnx")
    torch.onnx.export(mlp.module, torch.from_numpy(mlp.x[:1]), onnx_path, opset_version=17)
    model = zkinfer.compile(onnx_path, calib=mlp.x)
    np.testing.assert_array_equal(model.run(mlp.x[:4]), mlp.model.run(mlp.x[:4]))
    with pytest.raises(zkinfer.Error, match="calib"):
        zkinfer.compile(onnx_path, calib=np.full((4, 12), 1.0, np.float32))  # a constant: nothing to calibrate


def test_quantiser_matches_the_librarys(mlp):
    from zkinfer import _api
    from zkinfer._lib import lib

    t = mlp.model._info.input
    vals = np.concatenate([np.arange(-400, 401) * (t.scale / 2),  # every tie
                           np.random.default_rng(4).standard_normal(1000) * 200 * t.scale]).astype(np.float32)
    q, clamped = _api._quantise(vals, t)
    want = [lib.zki_quantize_value(float(v), t.scale, t.bits, _api.ffi.NULL) for v in vals]
    np.testing.assert_array_equal(q, want)
    assert clamped == int(np.sum(np.abs(np.rint(vals.astype(np.float64) / t.scale)) > 127))


def test_closed_handles(torch):
    model = zkinfer.compile(torch.nn.Sequential(torch.nn.Linear(4, 2)), np.eye(4, dtype=np.float32))
    vk = model.vk
    with model:
        pass
    model.close()  # a second close is harmless
    with pytest.raises(zkinfer.Error, match="closed"):
        model.run(np.zeros((1, 4), np.float32))
    assert vk.input_shape == (1, 4) and len(vk.to_bytes()) > 0  # the vk is a copy, still alive


def test_library_not_found_message(tmp_path):
    env = dict(os.environ, ZKINFER_LIBRARY=str(tmp_path / "libnothing.so"),
               PYTHONPATH=os.path.join(REPO, "python"))
    p = subprocess.run([sys.executable, "-c", "import zkinfer"], env=env, capture_output=True, text=True)
    assert p.returncode != 0
    assert "libnothing.so (ZKINFER_LIBRARY): no such file" in p.stderr and "make build" in p.stderr


def test_cli_interoperates(cnn, cli, tmp_path):
    """The CLI verifies a proof made here, and prints the output run gives."""
    cnn.model.save(tmp_path / "m.zkm")
    x = cnn.x[:2]
    np.save(tmp_path / "x.npy", x)
    out, proof = cnn.model.prove(x)
    proof.save(tmp_path / "p.zkp")
    v = subprocess.run([cli, "verify", str(tmp_path / "m.vk"), "--proof", str(tmp_path / "p.zkp"), "--input",
                        str(tmp_path / "x.npy")], capture_output=True, text=True)
    assert v.returncode == 0, v.stderr
    shown = [[float(s) for s in line.split("output")[1].split()] for line in v.stdout.splitlines()
             if line.startswith("verified sample")]
    np.testing.assert_allclose(shown, out, rtol=1e-4, atol=1e-6)  # %.5g
    r = subprocess.run([cli, "prove", str(tmp_path / "m.zkm"), "--input", str(tmp_path / "x.npy"), "-o",
                        str(tmp_path / "c.zkp"), "--quiet"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    np.testing.assert_array_equal(
        zkinfer.verify(cnn.model.vk, zkinfer.Proof.load(tmp_path / "c.zkp", cnn.model.vk), x), out)


def test_cli_compiled_model_loads(cli, tmp_path):
    """A model and keys `zkinfer compile` wrote load here; run gives what
    `zkinfer run` prints, and the CLI's key verifies our proof."""
    data = os.path.join(REPO, "tests", "data")
    c = subprocess.run([cli, "compile", os.path.join(data, "fmnist_mlp.onnx"), "--calib",
                        os.path.join(data, "fmnist_calib.npy"), "-o", str(tmp_path / "f.zkm")],
                       capture_output=True, text=True)
    assert c.returncode == 0, c.stderr
    model = zkinfer.Model.load(tmp_path / "f.zkm")
    pixels = np.load(os.path.join(data, "fmnist_test_x.npy"))[:3]
    with pytest.raises(zkinfer.Error, match="holds uint8 values; the model takes float input"):
        model.run(pixels)
    x = (pixels / 255).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    r = subprocess.run([cli, "run", str(tmp_path / "f.zkm"), "--input", str(tmp_path / "x.npy")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    shown = [[float(s) for s in line.split("output")[1].split()] for line in r.stdout.splitlines()
             if line.startswith("sample")]
    y = model.run(x)
    assert y.shape == (3, 10)
    np.testing.assert_allclose(shown, y, rtol=1e-4, atol=1e-6)  # %.5g
    out, proof = model.prove(x)
    proof.save(tmp_path / "p.zkp")
    v = subprocess.run([cli, "verify", str(tmp_path / "f.vk"), "--proof", str(tmp_path / "p.zkp"), "--input",
                        str(tmp_path / "x.npy")], capture_output=True, text=True)
    assert v.returncode == 0, v.stderr


def test_unprovable_model_compiles_without_keys(torch, tmp_path):
    class TwoOutputs(torch.nn.Module):  # compiles and runs; proofs take one output
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(4, 3)

        def forward(self, x):
            y = self.fc(x)
            return y, torch.relu(y)

    x = np.random.default_rng(5).standard_normal((8, 4)).astype(np.float32)
    with pytest.warns(RuntimeWarning, match="cannot be proved.*2 outputs"):
        model = zkinfer.compile(TwoOutputs(), x)
    assert not model.provable and model.run(x[:2]).shape == (2, 3)
    with pytest.raises(zkinfer.Error, match="no prover key.*2 outputs") as e:
        model.prove(x[:1])
    assert e.value.status == "unsupported"
    (tmp_path / "m.vk").write_bytes(b"stale")  # an earlier compile's keys must not outlive it
    model.save(tmp_path / "m.zkm")
    assert sorted(os.listdir(tmp_path)) == ["m.zkm"]
    with pytest.raises(zkinfer.Error, match="2 outputs"):
        zkinfer.Model.load(tmp_path / "m.zkm").prove(x[:1])


def test_sixteen_bits(mlp):
    model = zkinfer.compile(mlp.module, mlp.x, weight_bits=16, act_bits=16)
    assert model._info.input.bits == 16 and model.vk._info.input.bits == 16
    x = mlp.x[:2]
    out, proof = model.prove(x)
    np.testing.assert_array_equal(zkinfer.verify(model.vk, proof, x), out)
    assert cosine(out, mlp.torch_output(x)) > 0.9999  # finer than int8's
    with pytest.raises(zkinfer.Error, match="weight_bits=12"):
        zkinfer.compile(mlp.module, mlp.x, weight_bits=12)


def test_one_key_and_proof_from_several_threads(cnn):
    from concurrent.futures import ThreadPoolExecutor

    x = cnn.x[:2]
    out, proof = cnn.model.prove(x)
    vk = cnn.model.vk
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: zkinfer.verify(vk, proof, x), range(8)))
        runs = list(pool.map(lambda _: cnn.model.run(x), range(8)))
    for y in results + runs:
        np.testing.assert_array_equal(y, out)


_CLOSE_RACE = r"""
import threading, time
import numpy as np, torch, zkinfer

torch.manual_seed(0)
module = torch.nn.Sequential(torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
x = np.random.default_rng(0).standard_normal((8, 256)).astype(np.float32)
model = zkinfer.compile(module, x, zk_proofs=8)
vk = model.vk
_, proof = model.prove(x[:1])

def race(call, close):
    # close() from this thread while call() runs on another: it must wait
    # for the call (or the call must find the object closed), never free
    # the C handle under it
    res, started = [], threading.Event()
    def run():
        started.set()
        try:
            call()
            res.append("done")
        except zkinfer.Error as e:
            res.append(str(e))
    t = threading.Thread(target=run)
    t.start()
    started.wait()
    time.sleep(0.05)
    close()
    t.join()
    print(res[0], flush=True)

race(lambda: zkinfer.verify(vk, proof, x[:1]), proof.close)
race(lambda: zkinfer.verify(vk, zkinfer.Proof.from_bytes(model.prove(x[:1])[1].to_bytes(), vk), x[:1]), vk.close)
race(lambda: model.prove(x), model.close)
for call in (lambda: model.prove(x), lambda: model.run(x), lambda: model.save("unused.zkm"), lambda: vk.digest,
             lambda: proof.to_bytes()):
    try:
        call()
        print("no error after close", flush=True)
    except zkinfer.Error as e:
        print(e, flush=True)
"""


def test_close_during_a_call_on_another_thread(torch, tmp_path):
    p = subprocess.run([sys.executable, "-c", _CLOSE_RACE], cwd=tmp_path, capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=os.path.join(REPO, "python"),
                                ZKINFER_LIBRARY=os.path.abspath(zkinfer.library_path)), timeout=600)
    assert p.returncode == 0, "exit %d (a negative one is the signal): %s" % (p.returncode, p.stderr[-2000:])
    lines = p.stdout.split("\n")
    for line, cls in zip(lines[:3], ("Proof", "VerifyingKey", "Model")):
        assert line in ("done", "this %s was closed" % cls), p.stdout
    assert lines[3:8] == ["this Model was closed"] * 3 + ["this VerifyingKey was closed", "this Proof was closed"], \
        p.stdout


def test_numpy_integer_options(torch, mlp):
    model = zkinfer.compile(mlp.module, mlp.x, zk_proofs=np.int64(4), weight_bits=np.int32(8))
    assert model.zk_proofs == 4
    for bad in (True, 4.0, np.float64(4), "4", 0, np.int64(0)):
        with pytest.raises(zkinfer.Error, match=r"zk_proofs=.* is not an integer in \[1, "):
            zkinfer.compile(mlp.module, mlp.x, zk_proofs=bad)


def test_inputs_that_are_not_arrays_of_numbers(torch, mlp):
    x16 = torch.from_numpy(mlp.x[:1]).to(torch.bfloat16)
    for call in (mlp.model.run, mlp.model.prove, lambda x: zkinfer.verify(mlp.model.vk, zkinfer.Proof.from_bytes(
            mlp.model.prove(mlp.x[:1])[1].to_bytes()), x)):
        with pytest.raises(zkinfer.Error, match=r"x is a torch tensor of dtype torch.bfloat16, which numpy cannot "
                                                r"hold: convert it to float32 first \(x.float\(\)\)"):
            call(x16)
    np.testing.assert_array_equal(mlp.model.run(x16.float()), mlp.model.run(x16.float().numpy()))
    for given, said in (("hello", r"x is a str \('hello'\)"), (None, r"x is None \(None\)"),
                        (b"\x00\x01", r"x is a bytes \(b'\\x00\\x01'\)"),
                        ([[1.0, 2.0], [3.0]], r"x is a list that numpy cannot make an array of \(.*inhomogeneous.*\)"),
                        ({"x": 1}, r"x is a dict \(\{.x.: 1\}\)")):
        with pytest.raises(zkinfer.Error, match=said + "; a numpy array or torch tensor of numbers is expected"):
            mlp.model.run(given)
    with pytest.raises(zkinfer.Error, match=r"calib is a str \('data.npy'\); a numpy array"):
        zkinfer.compile(mlp.module, mlp.x, calib="data.npy")
