"""Builds the zkinfer package with a copy of the C library inside it.

The library is taken from ZKINFER_LIBRARY when set, else from the source
tree's build (../build/libzkinfer.so, written by `make build`)."""

import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))


def built_library():
    env = os.environ.get("ZKINFER_LIBRARY")
    path = env or os.path.join(HERE, "..", "build", "libzkinfer.so")
    if not os.path.isfile(path):
        raise SystemExit("zkinfer: the C library is not built: %s does not exist (%s). Run `make build` in the "
                         "zkinfer repository first, or set ZKINFER_LIBRARY to a built libzkinfer.so."
                         % (os.path.normpath(path), "ZKINFER_LIBRARY" if env else "the source tree's build"))
    return os.path.realpath(path)  # the file itself, not the soname's symlink


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        dest = os.path.join(self.build_lib, "zkinfer", "libzkinfer.so")
        shutil.copyfile(built_library(), dest)
        os.chmod(dest, 0o755)


class BinaryDistribution(Distribution):
    """The wheel holds a native library: tag it for this platform."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithLibrary}, distclass=BinaryDistribution)
