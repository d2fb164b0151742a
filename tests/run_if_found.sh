#!/bin/sh
# run_if_found.sh PROGRAM NAME ARGS...: runs PROGRAM ARGS..., or exits 77
# (ctest's "skipped") saying NAME was not found when PROGRAM is empty.
prog=$1
name=$2
shift 2
if [ -z "$prog" ] || [ ! -x "$prog" ]; then
    echo "skipped: $name not found"
    exit 77
fi
exec "$prog" "$@"
