#!/bin/sh
# The CLI is a client of the public API: every file of src/cli/ includes
# only "zkinfer.h", the CLI's own headers ("cli/...") and system headers, and
# compiles with nothing else on the include path (include/ and src/cli/),
# with the build's feature macro (_POSIX_C_SOURCE), warnings as errors.
# Run by CTest as cli_includes: sh check_cli_includes.sh SOURCE_DIR [CC].
root="${1:-.}"
cc="${2:-cc}"
passed=0 failed=0
check() { if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1" >&2; fi; }
hits=$(grep -rn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$root/src/cli" |
    grep -v -e '"zkinfer\.h"' -e '"cli/[a-z_]*\.h"')
[ -n "$hits" ] && echo "$hits" >&2
check "src/cli/ includes only zkinfer.h and its own headers" '[ -z "$hits" ]'
W=$(mktemp -d "${TMPDIR:-/tmp}/zki_cli_inc_XXXXXX") || exit 1
ln -s "$root/src/cli" "$W/cli"
for f in "$root"/src/cli/*.c "$root"/src/cli/bin/*.c; do
    check "$(basename "$f") compiles with only include/ and src/cli/ on the path" \
        '"$cc" -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -fsyntax-only -I"$root/include" -I"$W" "$f" 2>&1 >&2'
done
rm -rf "$W"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
