"""zkinfer: zero-knowledge proofs of neural-network inference, from Python.

    import zkinfer
    model = zkinfer.compile(torch_module, x)        # quantise, commit the weights
    y, proof = model.prove(x)                       # y as model.run(x) gives it
    y2 = zkinfer.verify(model.vk, proof, x)         # VerificationError if not valid

Bindings (cffi) over the C library libzkinfer.so; see python/README.md.
"""

from ._lib import ZK_PROOFS_DEFAULT, Error, VerificationError, library_path, lib as _clib, ffi as _ffi
from ._api import Model, Proof, VerifyingKey, compile, verify

for _cls in (Model, Proof, VerifyingKey):
    _cls.__module__ = __name__  # reprs and help() name the public module

__version__ = "0.1.0"


def library_version():
    """The loaded C library's version, "MAJOR.MINOR.PATCH"."""
    return _ffi.string(_clib.zki_version()).decode()


__all__ = ["Error", "VerificationError", "Model", "Proof", "VerifyingKey", "compile", "verify",
           "library_path", "library_version", "ZK_PROOFS_DEFAULT"]
