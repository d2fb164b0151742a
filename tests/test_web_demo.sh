#!/bin/sh
# The whole path a user sees: `zkinfer serve` with the bundled Fashion-MNIST
# MLP and CNN and the pages of build/web; headless Chromium opens
# /demo?model=NAME, which asks the server to prove an all-zero input, fetches
# the key, verifies the proof with the WebAssembly verifier and writes
# "verified" into #result; with &mutate=1 (a byte of the proof flipped) it
# must write "rejected"; with &vk= pinning the key's digest, "verified" for
# the model's own digest and "rejected" for another's (the server is trusted
# to serve the right key only when nothing is pinned). Then SIGTERM: the
# server exits 0.
# Usage: test_web_demo.sh CHROMIUM BUILD_DIR SOURCE_DIR (exit 77: skipped)
set -u
chromium=$1
build=$2
src=$3
zk=$build/zkinfer
if [ -z "$chromium" ] || [ ! -x "$chromium" ]; then
    echo "skipped: chromium not found"
    exit 77
fi
if ! "$zk" serve --help >/dev/null 2>&1; then
    echo "skipped: this zkinfer has no serve (built without libmicrohttpd)"
    exit 77
fi
if [ ! -f "$build/web/zkinfer_verify.wasm" ]; then
    echo "skipped: no build/web (the WebAssembly build was left out)"
    exit 77
fi
work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
data=$src/tests/data
for m in mlp cnn; do
    "$zk" compile "$data/fmnist_$m.onnx" --calib "$data/fmnist_calib.npy" -o "$work/$m.zkm" >/dev/null || exit 1
done
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$zk" serve --model mlp="$work/mlp.zkm" --model cnn="$work/cnn.zkm" --host 127.0.0.1 --port "$port" \
    --workers 2 --web "$build/web" 2>"$work/server.log" &
server=$!
up=0
for _ in $(seq 1 300); do
    if grep -q "listening on" "$work/server.log"; then
        up=1
        break
    fi
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
done
if [ $up = 0 ]; then
    echo "FAIL: zkinfer serve did not start"
    cat "$work/server.log"
    exit 1
fi

fail=0
runs=0
expect() {
    runs=$((runs + 1)) # a fresh profile each time: a closing browser may still hold the last one
    dom=$("$chromium" --headless=new --no-sandbox --disable-gpu --user-data-dir="$work/profile$runs" \
        --virtual-time-budget=120000 --dump-dom "http://127.0.0.1:$port/demo?$1" 2>/dev/null)
    got=$(printf '%s' "$dom" | sed -n 's/.*<span id="result">\([a-z]*\)<\/span>.*/\1/p')
    why=$(printf '%s' "$dom" | sed -n 's/.*<span id="error">\(.*\)<\/span>.*/\1/p')
    if [ "$got" = "$2" ]; then
        echo "ok: /demo?$1 -> $got"
    else
        echo "FAIL: /demo?$1 -> '$got', expected $2 (error: $why)"
        fail=1
    fi
}
expect "model=mlp" verified
expect "model=mlp&mutate=1" rejected
expect "model=cnn" verified
expect "model=cnn&mutate=1" rejected
expect "model=nosuch" error
# a .vk file's sha256 is its zki_vk_digest (GET /v1/models' vk_digest)
digest() { python3 -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"; }
expect "model=mlp&vk=$(digest "$work/mlp.vk")" verified
expect "model=mlp&vk=$(digest "$work/cnn.vk")" rejected

kill -TERM "$server"
wait "$server"
rc=$?
server=
if [ $rc != 0 ]; then
    echo "FAIL: zkinfer serve exited $rc after SIGTERM"
    fail=1
fi
if [ $fail != 0 ]; then
    echo "--- server log"
    cat "$work/server.log"
fi
exit $fail
