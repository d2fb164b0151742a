#!/bin/sh
# The repository stands alone: no source, script, build file or doc reads
# the developers' shared folder beside the checkout, and the benchmark data it used to hold
# lives in bench/paper0/. Run by CTest as repo_standalone.
root="${1:-.}"
passed=0 failed=0
check() { if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1" >&2; fi; }
hits=$(cd "$root" && grep -rnI --exclude-dir=.git --exclude-dir='build*' --exclude=check_standalone.sh \
    -e '\.\./shared' -e 'shared/bench' -e 'shared/DESIGN' . 2>/dev/null)
[ -n "$hits" ] && echo "$hits" >&2
check "nothing refers to the shared folder beside the checkout" '[ -z "$hits" ]'
check "bench/paper0/suite.json holds the 26 paper0 configurations" \
    '[ "$(grep -o "\"name\":" "$root/bench/paper0/suite.json" | wc -l)" -eq 26 ]'
check "bench/paper0/anchors.csv holds the published figures" \
    'grep -q "^params,FC_48564_params" "$root/bench/paper0/anchors.csv"'
check "docs/architecture.md exists and the README points at it" \
    '[ -s "$root/docs/architecture.md" ] && grep -q "docs/architecture.md" "$root/README.md"'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
