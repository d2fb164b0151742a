#!/bin/sh
# Sums the "N passed, N failed" lines every test program printed in the
# last ctest run of build folder $1, and prints the total as one line.
log="$1/Testing/Temporary/LastTest.log"
[ -f "$log" ] || { echo "sum-checks: no $log" >&2; exit 1; }
grep -hE '^[0-9]+ passed, [0-9]+ failed' "$log" |
    awk '{p += $1; f += $3} END {printf "checks: %d passed, %d failed\n", p, f}'
