#!/bin/sh
# The WebAssembly verifier in headless Chromium: a static page
# (tests/web/verify_files.html) served by python's http.server loads
# /web/zkinfer-verify.js and /web/zkinfer_verify.wasm, verifies a proof made
# natively and writes "verified" into #result, and "rejected" for the same
# proof with a byte flipped (&mutate=1) or under a pinned key digest that is
# not the key's (&pin=).
# Usage: test_wasm_browser.sh CHROMIUM BUILD_DIR SOURCE_DIR (exit 77: skipped)
set -u
chromium=$1
build=$2
src=$3
if [ -z "$chromium" ] || [ ! -x "$chromium" ]; then
    echo "skipped: chromium not found"
    exit 77
fi
if ! command -v python3 >/dev/null; then
    echo "skipped: python3 not found (serves the page)"
    exit 77
fi
work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
fail=0
mkdir -p "$work/site/web"
cp "$build/web/zkinfer-verify.js" "$build/web/zkinfer_verify.wasm" "$work/site/web/" || exit 1
cp "$src/tests/web/verify_files.html" "$work/site/" || exit 1
data=$src/tests/data
"$build/zkinfer" compile "$data/fmnist_mlp.onnx" --calib "$data/fmnist_calib.npy" -o "$work/m.zkm" >/dev/null || exit 1
"$build/zkinfer" prove "$work/m.zkm" --input "$data/fmnist_sample.npy" -o "$work/site/m.zkp" --quiet >/dev/null || exit 1
cp "$work/m.vk" "$work/site/m.vk" && cp "$data/fmnist_sample.npy" "$work/site/x.npy" || exit 1

python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$work/site" >"$work/server.log" 2>&1 &
server=$!
port=
for _ in $(seq 1 50); do
    port=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$work/server.log" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "FAIL: http.server did not start"; cat "$work/server.log"; exit 1
fi

# page QUERY: the DOM of the test page after it ran
runs=0
page() {
    runs=$((runs + 1)) # a fresh profile each time: a closing browser may still hold the last one
    "$chromium" --headless=new --no-sandbox --disable-gpu --user-data-dir="$work/profile$runs" \
        --virtual-time-budget=60000 --dump-dom "http://127.0.0.1:$port/verify_files.html?$1" 2>/dev/null
}
expect() {
    dom=$(page "$1")
    got=$(printf '%s' "$dom" | sed -n 's/.*<span id="result">\([a-z]*\)<\/span>.*/\1/p')
    why=$(printf '%s' "$dom" | sed -n 's/.*<span id="error">\(.*\)<\/span>.*/\1/p')
    if [ "$got" = "$2" ]; then
        echo "ok: ?$1 -> $got"
    else
        echo "FAIL: ?$1 -> '$got', expected $2 (error: $why)"
        fail=1
    fi
}
expect "vk=m.vk&proof=m.zkp&input=x.npy" verified
expect "vk=m.vk&proof=m.zkp&input=x.npy&mutate=1" rejected
# a .vk file's sha256 is its zki_vk_digest; any other pinned digest is refused
pin=$(python3 -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$work/m.vk")
expect "vk=m.vk&proof=m.zkp&input=x.npy&pin=$pin" verified
expect "vk=m.vk&proof=m.zkp&input=x.npy&pin=$(printf '%s' "$pin" | tr 0-9a-f 1-9a-f0)" rejected
exit $fail
