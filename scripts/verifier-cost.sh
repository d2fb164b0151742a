#!/bin/sh
# Measured verifier peak RSS and time against the key's cost bound
# (`zkinfer inspect KEY.vk`, docs/security.md "Verifier cost") for the demo
# models: compile, prove one sample, verify under /usr/bin/time. Fails if a
# measured peak exceeds its bound. Usage: scripts/verifier-cost.sh [BUILD_DIR]
set -eu
BUILD=${1:-build}
Z=$BUILD/zkinfer
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
status=0
for m in fmnist_mlp fmnist_cnn; do
    "$Z" compile tests/data/$m.onnx --calib tests/data/fmnist_calib.npy -o "$D/$m.zkm" >/dev/null
    "$Z" prove "$D/$m.zkm" --input tests/data/fmnist_sample.npy -o "$D/$m.zkp" >/dev/null
    /usr/bin/time -f "%M %e" -o "$D/time" "$Z" verify "$D/$m.vk" --input tests/data/fmnist_sample.npy \
        --proof "$D/$m.zkp" >/dev/null
    read -r kb s <"$D/time"
    line=$("$Z" inspect "$D/$m.vk" | grep 'verifier cost bound')
    mib=$(echo "$line" | sed -n 's/.*sample: \([0-9.]*\) MiB.*/\1/p')
    echo "$m: verify peak $kb KB, $s s; $line"
    if ! awk -v kb="$kb" -v mib="$mib" 'BEGIN { exit !(kb <= mib * 1024) }'; then
        echo "$m: measured peak above the bound" >&2
        status=1
    fi
done
exit $status
