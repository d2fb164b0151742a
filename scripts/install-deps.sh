#!/bin/sh
# Installs the Debian packages the build and tests need, only those missing.
# Idempotent: a second run installs nothing and does not touch the network.
set -eu

# python3-onnx: tools/export_zoo.py reads the exported graphs (test_zoo; libonnx-testdata
# alone leaves a bare onnx/ namespace without onnx.load).
# libopenblas0-pthread: the torch baselines of bench/ (Debian's torch falls back to the
# reference BLAS without it: GPT-2 runs 17 times slower)
# python3-cffi .. python3-wheel: the Python package (python/) and its tests, its
# pip install into a venv included; libmicrohttpd-dev: zkinfer serve; wrk: its
# load test; wasi-libc, lld, libclang-rt-14-dev-wasm32: the verifier in
# WebAssembly (build/web); nodejs, chromium: its tests (node and headless).
PKGS="build-essential cmake make pkg-config libssl-dev clang libclang-rt-14-dev libomp-dev python3 protobuf-c-compiler libprotobuf-c-dev libonnx-dev libonnx-testdata time python3-numpy python3-torch python3-torchvision libopenblas0-pthread python3-onnx python3-cffi python3-pytest python3-venv python3-pip python3-setuptools python3-wheel libmicrohttpd-dev wrk wasi-libc lld libclang-rt-14-dev-wasm32 nodejs chromium"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
        echo "install-deps: need root (or sudo) to install:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
