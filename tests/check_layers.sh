#!/bin/sh
# The layering rules (docs/architecture.md, "Modules"), checked two ways:
#  1. includes: the floors include no upper module; src/protocol and
#     src/verifier include nothing of the prover, the ONNX importer, the
#     quantiser, the graph IR, the CLI or the API; the CLI includes only
#     zkinfer.h and its own headers.
#  2. linking: tests/layers/verify_only.c, linked against the verifier-only
#     library and libcrypto alone (no OpenMP, no protobuf-c), verifies a
#     proof the CLI made and rejects it altered.
# Usage: check_layers.sh SOURCE_DIR BUILD_DIR CC [CFLAGS]
# (CFLAGS: the sanitizer flags a sanitised library needs in its programs)
set -u
src=$1 build=$2 cc=$3 extra=${4:-}
fail=0 checks=0
bad() { echo "check_layers: $*"; fail=$((fail + 1)); }
ok() { checks=$((checks + 1)); }

# 1. includes
rule() { # folders, forbidden include prefixes (regex)
    dirs=$1 forbid=$2
    for d in $dirs; do
        hits=$(grep -nE "^#include \"($forbid)/" "$src"/src/"$d"/*.[ch] 2>/dev/null)
        if [ -n "$hits" ]; then bad "src/$d includes a module above it:"; echo "$hits"; else ok; fi
    done
}
rule "common field ntt hash transcript poly zk sumcheck pcs ligero lookup ops" \
     "protocol|prover|verifier|onnx|quant|graph|cli|api"
rule "protocol verifier" "prover|onnx|quant|graph|cli|api"
cli_hits=$(grep -nE '^#include "' "$src"/src/cli/*.[ch] "$src"/src/cli/bin/*.c | grep -vE '"(zkinfer\.h|cli/[a-z_]+\.h)"' | grep -v 'not yet public')
if [ -n "$cli_hits" ]; then bad "src/cli includes internal headers:"; echo "$cli_hits"; else ok; fi

# 2. the verifier-only library links with libcrypto alone
tmp=$(mktemp -d /tmp/zki_layers_XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086
if "$cc" $extra -std=c11 -O1 -I"$src"/include -I"$src"/src "$src"/tests/layers/verify_only.c \
        "$build"/libzkinfer_verify.a -lcrypto -lm $extra -o "$tmp"/verify_only 2>"$tmp"/link.log; then
    ok
else
    bad "verify_only does not link against libzkinfer_verify.a + libcrypto:"; cat "$tmp"/link.log
fi
if [ -x "$tmp"/verify_only ]; then
    if ldd "$tmp"/verify_only | grep -qE 'gomp|protobuf'; then bad "verify_only needs OpenMP or protobuf-c"; else ok; fi
    d=$src/tests/data z=$build/zkinfer
    if "$z" compile "$d"/fmnist_mlp.onnx --calib "$d"/fmnist_calib.npy -o "$tmp"/m.zkm >/dev/null 2>&1 &&
       "$z" prove "$tmp"/m.zkm --input "$d"/fmnist_sample.npy --private-input -o "$tmp"/p.zkp >/dev/null 2>&1; then
        "$tmp"/verify_only "$tmp"/m.vk "$tmp"/p.zkp >/dev/null
        [ $? -eq 0 ] && ok || bad "verify_only rejected an honest proof"
        size=$(wc -c <"$tmp"/p.zkp)
        for at in 200 $((size / 2)) $((size - 1)); do
            # flip the byte's bits (writing a constant left it unchanged when
            # the proof, randomised by --private-input, already held that value)
            cp "$tmp"/p.zkp "$tmp"/q.zkp
            b=$(od -An -tu1 -j"$at" -N1 "$tmp"/p.zkp | tr -d ' ')
            printf "\\$(printf %o $((b ^ 255)))" | dd of="$tmp"/q.zkp bs=1 seek="$at" conv=notrunc 2>/dev/null
            if cmp -s "$tmp"/p.zkp "$tmp"/q.zkp; then bad "byte $at was not altered"; continue; fi
            "$tmp"/verify_only "$tmp"/m.vk "$tmp"/q.zkp >/dev/null
            [ $? -eq 1 ] && ok || bad "verify_only accepted a proof altered at byte $at"
        done
        "$tmp"/verify_only "$tmp"/m.vk >/dev/null 2>&1
        [ $? -eq 2 ] && ok || bad "verify_only: bad usage is not exit 2"
    else
        bad "could not make a proof with $z"
    fi
fi
echo "checks: $checks passed, $fail failed"
[ "$fail" -eq 0 ]
