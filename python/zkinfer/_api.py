"""Models, keys, proofs and the compile / prove / verify flow over the C API."""

import operator
import os
import tempfile
import threading
import warnings
import weakref

import numpy as np

from . import _lib as L
from ._lib import Error, VerificationError, ffi, lib

_PROOF_MAGIC = b"ZKINFPF\0"  # the first bytes of every .zkp (as zki_inspect_file tells them)


class _Handle:
    """Owns one C handle: freed exactly once, by close(), `with`, or when the
    object is collected. Calls on it are serialised (the C API allows one
    call at a time per handle; cffi releases the GIL during calls), and so
    is close: it waits for the call in progress, which may be on another
    thread, instead of freeing the handle under it. `name` is the class a
    user knows the object by (a Proof's or a Model's key is a bare _Handle)."""

    def __init__(self, ptr, destroy, name=None):
        self._ptr = ptr
        self._finalizer = weakref.finalize(self, destroy, ptr)
        self._lock = threading.RLock()
        self._name = name or type(self).__name__

    def close(self):
        """Frees the C handle now (later calls on this object raise)."""
        with self._lock:
            self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _p(self):
        """The C handle; call it with self._lock held, so close cannot free it during the call."""
        if not self._finalizer.alive:
            raise Error("this %s was closed" % self._name)
        return self._ptr


def _new(ctype, fn, *args, what=None):
    """Calls a C constructor whose last argument is the out-pointer."""
    out = ffi.new(ctype + " *")
    L.check(fn(*args, out), what)
    return out[0]


def _path(p):
    return os.fsencode(os.fspath(p))


def _with_ext(path, ext):
    """path with its extension replaced, as the CLI names keys beside a model."""
    return os.path.splitext(os.fspath(path))[0] + ext


def _shape(t):
    return tuple(int(t.dims[a]) for a in range(t.rank))


def _to_numpy(x, what="x"):
    """x as a numpy array of numbers; anything else raises Error naming what was given."""
    if hasattr(x, "detach"):  # a torch tensor
        try:
            x = x.detach().cpu().numpy()
        except TypeError:  # a dtype numpy has no type for (bfloat16, float8)
            raise Error("%s is a torch tensor of dtype %s, which numpy cannot hold: convert it to float32 first "
                        "(%s.float())" % (what, str(x.dtype), what)) from None
    given = type(x).__name__
    try:
        a = np.asarray(x)
    except Exception as e:
        raise Error("%s is a %s that numpy cannot make an array of (%s); a numpy array or torch tensor of numbers "
                    "is expected, the samples along its leading axis" % (what, given, e)) from None
    if a.dtype.kind not in "biufc":  # strings, None, objects, ragged lists
        shown = repr(x) if len(repr(x)) <= 40 else repr(x)[:37] + "..."
        raise Error("%s is %s (%s); a numpy array or torch tensor of numbers is expected, the samples along its "
                    "leading axis" % (what, "None" if x is None else "a " + given, shown)) from None
    return a


def _integer(v):
    """v as an int when it is an integer, Python's or numpy's (not a bool); else None."""
    if isinstance(v, (bool, np.bool_)):
        return None
    try:
        return operator.index(v)
    except TypeError:
        return None


def _batched(shape, batch):
    """The output shape of a batch: the model's output shape with its
    leading 1 (the exported batch axis) replaced by the batch."""
    if shape and shape[0] == 1:
        shape = shape[1:]
    return (batch,) + tuple(shape)


def _qmax(bits):
    return (1 << 63) - 1 if bits >= 64 else (1 << (bits - 1)) - 1


def _quantise(x32, t):
    """The prover's rule (zki_quantize_value): round half to even of x / scale,
    clamped to the input's range. Returns the integers and the clamped count."""
    qmax = _qmax(t.bits)
    if t.bits > 53:  # beyond float64's exact integers: the library's own rule
        c = ffi.new("int *")
        q, n = np.empty(x32.size, np.int64), 0
        for k, v in enumerate(x32.ravel()):
            q[k] = lib.zki_quantize_value(float(v), t.scale, t.bits, c)
            n += c[0]
        return q, n
    v = np.rint(x32.astype(np.float64).ravel() / t.scale)
    clamped = int(np.count_nonzero((v > qmax) | (v < -qmax)))
    return np.clip(v, -qmax, qmax).astype(np.int64), clamped


class _Input:
    """An input array checked against a model's input (zki_tensor_info): the
    batch by the CLI's shape rule, finite values, the integers' range."""

    def __init__(self, x, t, what="x"):
        a = _to_numpy(x, what)
        if a.ndim > L.ZKI_MAX_DIMS:
            raise Error("%s: rank %d, at most %d" % (what, a.ndim, L.ZKI_MAX_DIMS))
        dims = ffi.new("int64_t[]", [int(d) for d in a.shape] or [1])
        b = ffi.new("int64_t *")
        L.check(lib.zki_input_batch(ffi.addressof(t), a.ndim, dims, what.encode(), b))
        if not 1 <= b[0] <= L.ZKI_BATCH_MAX:
            raise Error("%s holds %d samples; 1 to %d are accepted" % (what, b[0], L.ZKI_BATCH_MAX))
        self.batch, self.t, self.what = int(b[0]), t, what
        self.is_int = not t.scale > 0  # the model takes raw integers (e.g. token ids)
        if self.is_int:
            if a.dtype.kind not in "iub":
                raise Error("%s holds %s values; the model takes integers (e.g. token ids)" % (what, a.dtype))
            self.q = np.ascontiguousarray(a, np.int64).ravel()
            bad = np.flatnonzero(np.abs(self.q) > _qmax(t.bits))
            if bad.size:
                raise Error("%s: value %d at index %d is outside the model's integer input range [-%d, %d]" %
                            (what, self.q[bad[0]], bad[0], _qmax(t.bits), _qmax(t.bits)))
            return
        if a.dtype.kind != "f":  # as the CLI: integers (pixels 0..255?) need an explicit scale
            raise Error("%s holds %s values; the model takes float input: convert it to float, scaled as in "
                        "training (e.g. x / 255 for 0..255 pixels)" % (what, a.dtype))
        self.f = np.ascontiguousarray(a, np.float32).ravel()
        bad = np.flatnonzero(~np.isfinite(self.f))
        if bad.size:
            per = self.f.size // self.batch
            raise Error("%s: value at index %d (sample %d, element %d) is %s; inputs must be finite" %
                        (what, bad[0], bad[0] // per, bad[0] % per, "NaN" if np.isnan(self.f[bad[0]]) else "infinite"))

    def quantised(self, strict):
        """The integers; values beyond the calibrated range are clamped with a
        warning, or refused when strict."""
        if self.is_int:
            return self.q
        q, clamped = _quantise(self.f, self.t)
        if clamped:
            lim = _qmax(self.t.bits) * self.t.scale
            msg = "%s: %d of %d values outside the calibrated range [-%.6g, %.6g] (largest |x| = %.6g)" % (
                self.what, clamped, self.f.size, lim, lim, float(np.max(np.abs(self.f))))
            if strict:
                raise Error(msg + "; refused (strict=True)")
            warnings.warn(msg + "; they are clamped to it", RuntimeWarning, stacklevel=4)
        return q


def _info(fn, handle):
    info = ffi.new("zki_info *")
    L.check(fn(handle, info))
    return info


class VerifyingKey(_Handle):
    """A verification key (public): what verify() needs. From Model.vk,
    VerifyingKey.load(path) (a .vk file) or VerifyingKey.from_bytes(b)."""

    def __init__(self, ptr):
        super().__init__(ptr, lib.zki_vk_destroy)
        self._info = _info(lib.zki_vk_info, ptr)

    @classmethod
    def load(cls, path):
        return cls(_new("zki_vk *", lib.zki_vk_load, _path(path), what=os.fspath(path)))

    @classmethod
    def from_bytes(cls, b):
        b = bytes(b)
        return cls(_new("zki_vk *", lib.zki_vk_parse, b, len(b), what="VerifyingKey.from_bytes"))

    def to_bytes(self):
        pp, plen = ffi.new("unsigned char **"), ffi.new("size_t *")
        with self._lock:
            L.check(lib.zki_vk_serialize(self._p(), pp, plen))
        return L.take_bytes(pp, plen)

    def save(self, path):
        """Writes the .vk file (atomically)."""
        with self._lock:
            L.check(lib.zki_vk_save(self._p(), _path(path)), os.fspath(path))

    @property
    def digest(self):
        """The key's SHA-256 digest, hex (the one proofs and .zpk files name)."""
        d = ffi.new("unsigned char[32]")
        with self._lock:
            L.check(lib.zki_vk_digest(self._p(), d))
        return bytes(d).hex()

    input_shape = property(lambda self: _shape(self._info.input), doc="The model's input shape.")
    output_shape = property(lambda self: _shape(self._info.output), doc="The model's output shape.")
    zk_proofs = property(lambda self: int(self._info.zk_proofs),
                         doc="The zero-knowledge proofs the key was made for (its budget).")
    classifier = property(lambda self: bool(self._info.classifier),
                          doc="Whether the output is a vector of class scores.")
    weight_bytes = property(lambda self: int(self._info.weight_bytes), doc="The committed weights' size.")

    def __eq__(self, other):
        return isinstance(other, VerifyingKey) and self.digest == other.digest

    __hash__ = None

    def __repr__(self):
        return "<zkinfer.VerifyingKey %s, input %s, output %s, %d zk proofs>" % (
            self.digest[:16], self.input_shape, self.output_shape, self.zk_proofs)


class Proof:
    """A proof of one inference (a batch of samples); it carries the output.

    Proof.from_bytes(b, vk) and Proof.load(path, vk) parse against the key
    at once (a malformed proof, or another key's, raises VerificationError).
    Without a key they keep the bytes, checking only that they start like a
    proof, and the proof is parsed by verify() against the key given there.
    """

    def __init__(self, ptr=None, data=None):
        self._handle = None if ptr is None else _Handle(ptr, lib.zki_proof_destroy, "Proof")
        self._data = data  # the bytes of a proof not parsed yet (no key given)

    @classmethod
    def from_bytes(cls, b, vk=None):
        """A proof from its bytes (a .zkp file's), parsed for vk when given."""
        b = bytes(b)
        if vk is None:
            if not b.startswith(_PROOF_MAGIC):
                raise VerificationError("Proof.from_bytes: not a zkinfer proof (%d bytes, which do not start with "
                                        "the proof format's ZKINFPF)" % len(b))
            return cls(data=b)
        with vk._lock:
            ptr = _new("zki_proof *", lib.zki_proof_parse, vk._p(), b, len(b), what="Proof.from_bytes")
        return cls(ptr)

    @classmethod
    def load(cls, path, vk=None):
        """Reads a .zkp file; with a key, a file larger than any proof for it
        is refused unread."""
        if vk is None:
            try:
                with open(path, "rb") as f:
                    return cls.from_bytes(f.read())
            except OSError as e:
                raise Error("%s: %s" % (os.fspath(path), e.strerror or e), "io") from None
        with vk._lock:
            return cls(_new("zki_proof *", lib.zki_proof_load, vk._p(), _path(path), what=os.fspath(path)))

    def to_bytes(self):
        if self._handle is None:
            return self._data
        pp, plen = ffi.new("unsigned char **"), ffi.new("size_t *")
        with self._handle._lock:
            L.check(lib.zki_proof_serialize(self._handle._p(), pp, plen))
        return L.take_bytes(pp, plen)

    def save(self, path):
        """Writes the .zkp file (atomically: a temporary beside it, renamed)."""
        if self._handle is not None:
            with self._handle._lock:
                L.check(lib.zki_proof_save(self._handle._p(), _path(path)), os.fspath(path))
            return
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".zkp-")
            with os.fdopen(fd, "wb") as f:
                f.write(self._data)
            os.replace(tmp, path)
        except OSError as e:
            if tmp and os.path.exists(tmp):
                os.unlink(tmp)
            raise Error("%s: %s" % (os.fspath(path), e.strerror or e), "io") from None

    def close(self):
        if self._handle is not None:
            self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __len__(self):
        """The proof's size in bytes (its file's)."""
        if self._handle is None:
            return len(self._data)
        with self._handle._lock:
            return int(lib.zki_proof_size(self._handle._p()))

    def _parsed(self, vk):
        """The C proof, parsed for vk if it was kept as bytes."""
        if self._handle is None:
            with vk._lock:
                ptr = _new("zki_proof *", lib.zki_proof_parse, vk._p(), self._data, len(self._data), what="proof")
            self._handle, self._data = _Handle(ptr, lib.zki_proof_destroy, "Proof"), None
        return self._handle

    def _output(self):
        """(batch, per_sample, private_input) as the proof states them."""
        if self._handle is None:
            raise Error("the proof is not parsed yet: give the key to Proof.from_bytes/load, or verify it")
        b, n, priv = ffi.new("uint32_t *"), ffi.new("uint32_t *"), ffi.new("int *")
        with self._handle._lock:
            L.check(lib.zki_proof_output(self._handle._p(), b, n, ffi.NULL, priv))
        return int(b[0]), int(n[0]), bool(priv[0])

    batch = property(lambda self: self._output()[0], doc="Samples proven together.")
    private_input = property(lambda self: self._output()[2], doc="Whether the input is committed, not public.")
    private_output = property(lambda self: self._output()[1] == 0, doc="Whether the output is committed.")

    def __repr__(self):
        if self._handle is None:
            return "<zkinfer.Proof, %d bytes, not parsed>" % len(self._data)
        b, n, priv = self._output()
        return "<zkinfer.Proof, %d bytes, batch %d, %s input, %s output>" % (
            len(self), b, "private" if priv else "public", "committed" if n == 0 else "public")


def _proof_values(proof, vk, batch, per):
    """The proven output, dequantised, shaped (batch, *output)."""
    if per == 0:
        return None
    out = np.empty(batch * per, np.float32)
    with vk._lock, proof._lock:  # the order verify() takes them in
        L.check(lib.zki_proof_output_float(proof._p(), vk._p(), ffi.from_buffer("float[]", out), out.size))
    return out.reshape(_batched(vk.output_shape, batch))


def verify(vk, proof, x=None):
    """Checks the proof against the key and the public input x (None for a
    proof made with private_input=True). Returns the verified output, shaped
    (batch, *output) and dequantised as the CLI prints it, or None for a
    proof made with private_output=True. Raises VerificationError when the
    proof does not verify (malformed, another key's, another input)."""
    if not isinstance(vk, VerifyingKey):
        raise TypeError("verify: vk must be a zkinfer.VerifyingKey, not %s" % type(vk).__name__)
    if not isinstance(proof, Proof):
        raise TypeError("verify: proof must be a zkinfer.Proof, not %s" % type(proof).__name__)
    h = proof._parsed(vk)
    batch, per, priv = proof._output()
    inp = None if x is None else _Input(x, vk._info.input)
    if inp is not None and priv:  # the API calls this misuse; for the verifier it is the proof's fault
        raise VerificationError("the proof commits its input (made with private_input=True): verify it with x=None")
    with vk._lock, h._lock:
        if inp is None:
            st = lib.zki_verify_float(vk._p(), ffi.NULL, batch, h._p())
        elif inp.is_int:
            st = lib.zki_verify_int(vk._p(), ffi.from_buffer("int64_t[]", inp.q), inp.batch, h._p())
        else:
            st = lib.zki_verify_float(vk._p(), ffi.from_buffer("float[]", inp.f), inp.batch, h._p())
    L.check(st, "verify")
    return _proof_values(h, vk, batch, per)


class Model(_Handle):
    """A compiled (quantised) model with its keys: zkinfer.compile(...) or
    Model.load(path). Holds the weights and the prover key: keep it private."""

    def __init__(self, ptr, pk=None, accuracy=None, unprovable=None):
        super().__init__(ptr, lib.zki_model_destroy)
        self._pk = None if pk is None else _Handle(pk, lib.zki_pk_destroy, "Model")  # owned before anything can raise
        self._info = _info(lib.zki_model_info, ptr)
        self._vk = None
        self._unprovable = unprovable
        self.proofs_made = 0  # by this object; the key's budget spans every process
        self.accuracy = accuracy

    @classmethod
    def load(cls, path, key=None):
        """Reads a .zkm and its prover key (default: the .zpk beside it). A
        model saved without keys (outside the provable class) loads
        without them: run() works, prove() says why it cannot."""
        m = _new("zki_model *", lib.zki_model_load, _path(path), what=os.fspath(path))
        model = cls(m)
        kp = _with_ext(path, ".zpk") if key is None else os.fspath(key)
        if key is None and not os.path.exists(kp):
            model._unprovable = _unprovable(m) or "no prover key %s (save the model with its keys)" % kp
            return model
        with model._lock:
            pk = _new("zki_pk *", lib.zki_pk_load, m, _path(kp), what=kp)
        model._pk = _Handle(pk, lib.zki_pk_destroy, "Model")
        return model

    def close(self):
        if self._pk is not None:
            self._pk.close()
        super().close()

    def save(self, path):
        """Writes PATH.zkm (the weights, mode 0600) and beside it its keys,
        PATH.vk and PATH.zpk (secret, mode 0600), as `zkinfer compile` does:
        all or none. A model without keys removes stale keys there."""
        p = os.fspath(path)
        base = os.path.basename(p)
        if not p.endswith(".zkm") or base == ".zkm":
            raise Error("%s: the model must go to a .zkm file (its keys are written beside it as .vk and .zpk); "
                        "use e.g. %s" % (p, _with_ext(p, ".zkm") if base and base[0] != "." else "model.zkm"))
        vkp, zpkp = _with_ext(p, ".vk"), _with_ext(p, ".zpk")
        pk_lock = self._pk._lock if self._pk is not None else threading.RLock()
        with self._lock, pk_lock:  # both, so a close on another thread waits for the save
            pk = ffi.NULL if self._pk is None else self._pk._p()
            L.check(lib.zki_model_save_with_keys(self._p(), pk, _path(p), _path(vkp), _path(zpkp)), p)
        if self._pk is None:
            for stale in (vkp, zpkp):
                if os.path.lexists(stale):
                    os.unlink(stale)

    @property
    def vk(self):
        """The verification key (an independent copy: it outlives the model)."""
        if self._vk is None or not self._vk._finalizer.alive:  # a closed copy is made anew, for prove() too
            pk = self._need_pk()
            pp, plen = ffi.new("unsigned char **"), ffi.new("size_t *")
            with pk._lock:
                L.check(lib.zki_vk_serialize(lib.zki_pk_vk(pk._p()), pp, plen))
            self._vk = VerifyingKey.from_bytes(L.take_bytes(pp, plen))
        return self._vk

    input_shape = property(lambda self: _shape(self._info.input), doc="The model's input shape.")
    output_shape = property(lambda self: _shape(self._info.output), doc="The model's output shape.")
    provable = property(lambda self: self._pk is not None, doc="Whether the model has keys (prove works).")

    @property
    def zk_proofs(self):
        """The key's budget of zero-knowledge proofs."""
        return self.vk.zk_proofs

    def _need_pk(self):
        if self._pk is None:
            raise Error("this model has no prover key, so it cannot prove: %s" % self._unprovable, "unsupported")
        return self._pk

    def run(self, x, strict=False):
        """Runs the quantised model on x (a batch along the leading axis, as
        the CLI takes it) without proving; bit for bit what prove() proves.
        Returns the dequantised output, shaped (batch, *output)."""
        inp = _Input(x, self._info.input)
        q = inp.quantised(strict)
        y, yf, per = ffi.new("int64_t **"), ffi.new("float **"), ffi.new("size_t *")
        with self._lock:
            L.check(lib.zki_model_run(self._p(), ffi.from_buffer("int64_t[]", q), inp.batch, y, yf, per), "run")
        try:
            out = np.frombuffer(ffi.buffer(yf[0], inp.batch * per[0] * 4), np.float32).copy()
        finally:
            lib.zki_free(y[0])
            lib.zki_free(yf[0])
        return out.reshape(_batched(self.output_shape, inp.batch))

    def prove(self, x, private_input=False, private_output=False, strict=False):
        """Runs the model on x and proves it. Returns (output, Proof): the
        output as run() gives it (None with private_output=True). Each call
        spends one of the key's zero-knowledge proofs (zk_proofs)."""
        pk = self._need_pk()
        inp = _Input(x, self._info.input)
        if not inp.is_int:
            inp.quantised(strict)  # the clamping warning; the library quantises by the same rule
        flags = ((L.ZKI_PROVE_PRIVATE_INPUT if private_input else 0) |
                 (L.ZKI_PROVE_PRIVATE_OUTPUT if private_output else 0) | (L.ZKI_PROVE_STRICT if strict else 0))
        out = ffi.new("zki_proof **")
        with pk._lock:
            if inp.is_int:
                st = lib.zki_prove_int(pk._p(), ffi.from_buffer("int64_t[]", inp.q), inp.batch, flags, out)
            else:
                st = lib.zki_prove_float(pk._p(), ffi.from_buffer("float[]", inp.f), inp.batch, flags, out)
            try:
                L.check(st, "prove")
            except Error as e:  # the library's hint names the CLI's option
                e.message = e.args[0].replace("--zk-proofs", "zk_proofs (zkinfer.compile(..., zk_proofs=N))")
                e.args = (e.message,)
                raise
            self.proofs_made += 1
        proof = Proof(out[0])
        b, per, _ = proof._output()
        return _proof_values(proof._handle, self.vk, b, per), proof

    def __repr__(self):
        return "<zkinfer.Model input %s, output %s, %s>" % (
            self.input_shape, self.output_shape, "provable" if self.provable else "no keys")


def _unprovable(m):
    """Why keys cannot be made for the model, or None."""
    st = lib.zki_model_check_provable(m)
    if st == L.ZKI_ERR_UNSUPPORTED:  # the answer: the message names the nodes
        return L.last_error()
    L.check(st)
    return None


def _export_onnx(module, example, path, opset):
    import torch  # only for a torch model

    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            torch.onnx.export(module, torch.from_numpy(example), path, opset_version=opset,
                              input_names=["x"], output_names=["y"], do_constant_folding=True)
    except Exception as e:
        raise Error("torch.onnx.export of %s failed: %s" % (type(module).__name__, e), "unsupported") from e
    finally:
        module.train(was_training)


def compile(model, example_input=None, calib=None, opset=17, zk_proofs=L.ZK_PROOFS_DEFAULT,
            weight_bits=8, act_bits=8):
    """Compiles a model for proving, as `zkinfer compile` does: imports it,
    calibrates and quantises it, and commits its weights (the keys).

    model:         a torch.nn.Module (exported to ONNX here, in eval mode, at
                   opset `opset`, for one sample: example_input[:1]) or the
                   path of an ONNX file.
    example_input: samples with the batch axis (numpy array or torch tensor).
    calib:         calibration samples along the leading axis (default:
                   example_input), scaled as in training.
    zk_proofs:     the key's budget of zero-knowledge proofs (default 16):
                   past it the weights' privacy degrades. The budget spans
                   every process using the key: count the proofs and
                   compile a new key before it is spent.
    weight_bits, act_bits: 8 or 16.

    Returns a Model. A model outside the provable class compiles with a
    warning saying why; it runs but has no keys."""
    if example_input is None and calib is None:
        raise Error("compile: give example_input (or calib) samples")
    n_proofs = _integer(zk_proofs)  # numpy integers too (np.int64(4))
    if n_proofs is None or not 1 <= n_proofs <= L.ZK_PROOFS_MAX:
        raise Error("compile: zk_proofs=%r is not an integer in [1, %d]" % (zk_proofs, L.ZK_PROOFS_MAX))
    zk_proofs = n_proofs
    for name, bits in (("weight_bits", weight_bits), ("act_bits", act_bits)):
        if bits not in (8, 16):
            raise Error("compile: %s=%r is not 8 or 16" % (name, bits))
    samples = _to_numpy(example_input if calib is None else calib, "calib")
    if samples.dtype.kind not in "fiu" or samples.ndim < 1 or samples.shape[0] < 1:
        raise Error("compile: calibration samples must be a non-empty real array, got %s %s" %
                    (samples.dtype, samples.shape))
    with tempfile.TemporaryDirectory(prefix="zkinfer-") as d:
        if isinstance(model, (str, bytes, os.PathLike)):
            onnx_path = os.fspath(model)
        elif hasattr(model, "forward") and hasattr(model, "eval"):
            if example_input is None:
                raise Error("compile: a torch model needs example_input to be exported")
            example = np.ascontiguousarray(_to_numpy(example_input, "example_input")[:1], np.float32)
            onnx_path = os.path.join(d, "model.onnx")
            _export_onnx(model, example, onnx_path, opset)
        else:
            raise TypeError("compile: model must be a torch.nn.Module or an ONNX file's path, not %s" %
                            type(model).__name__)
        calib_path = os.path.join(d, "calib.npy")
        np.save(calib_path, np.ascontiguousarray(samples, np.float32))
        opts = ffi.new("zki_compile_options *")
        opts.flags = ((L.ZKI_COMPILE_WEIGHTS16 if weight_bits == 16 else 0) |
                      (L.ZKI_COMPILE_ACTIVATIONS16 if act_bits == 16 else 0))
        m, acc, step = ffi.new("zki_model **"), ffi.new("zki_accuracy_report *"), ffi.new("const char **")
        st = lib.zki_model_compile_opts(os.fsencode(onnx_path), calib_path.encode(), opts, m, acc, step)
        if st != L.ZKI_OK:
            L.check(st, "compile (%s)" % (ffi.string(step[0]).decode() if step[0] else "compile"))
    accuracy = {"samples": acc.samples, "top1": acc.top1, "cos_mean": acc.cos_mean, "cos_min": acc.cos_min,
                "max_abs_err": acc.max_abs_err}
    why = None
    try:
        why = _unprovable(m[0])
        pk = None
        if why is None:
            ko = ffi.new("zki_keygen_options *", {"zk_proofs": zk_proofs})
            out = ffi.new("zki_pk **")
            L.check(lib.zki_keygen_opts(m[0], ffi.NULL, ko, out, ffi.NULL), "setup")
            pk = out[0]
    except BaseException:
        lib.zki_model_destroy(m[0])
        raise
    if why is not None:
        warnings.warn("zkinfer.compile: this model cannot be proved, so it gets no keys: %s "
                      "(run works, prove does not)" % why, RuntimeWarning, stacklevel=2)
    return Model(m[0], pk, accuracy, why)
