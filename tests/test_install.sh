#!/bin/sh
# The installed library as a user sees it (CTest: test_install; run after
# the build): `cmake --install` to a temporary prefix, the examples built
# out of tree with pkg-config and with a find_package(zkinfer) consumer,
# then run on the bundled MLP: compile, prove, verify (exit 0), a flipped
# proof byte and another input (exit 1), bad usage (exit 2), a private input.
# usage: test_install.sh BUILD_DIR SOURCE_DIR [CC [FLAGS]]
# FLAGS: for every program built (a sanitised library needs -fsanitize=...)
build="$1" src="$2" cc="${3:-cc}" flags="$4"
[ -d "$build" ] && [ -d "$src" ] || { echo "usage: test_install.sh BUILD_DIR SOURCE_DIR [CC]" >&2; exit 2; }
build=$(cd "$build" && pwd) src=$(cd "$src" && pwd)
tmp=$(mktemp -d /tmp/zki_install_XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
P="$tmp/prefix" W="$tmp/work" data="$src/tests/data"
mkdir -p "$W"
passed=0 failed=0
check() { if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1" >&2; fi; }
# runs a command quietly (output in $W/log), then compares its exit code
runs() { want=$1; shift; "$@" >"$W/log" 2>&1; got=$?; [ "$got" -eq "$want" ] || { cat "$W/log" >&2; echo "exit $got, want $want: $*" >&2; return 1; }; }

check "cmake --install to a temporary prefix" 'cmake --install "$build" --prefix "$P" >"$W/log" 2>&1 || { cat "$W/log" >&2; false; }'
lib=$(ls -d "$P"/lib*/libzkinfer.so 2>/dev/null | head -n 1)
libdir=$(dirname "${lib:-$P/lib/x}")
check "libzkinfer.so, its soname link and libzkinfer.a are installed" \
    '[ -f "$lib" ] && [ -f "$libdir/libzkinfer.a" ] && [ -e "$libdir/$(readelf -d "$lib" | sed -n "s/.*SONAME.*\[\(.*\)\]/\1/p")" ]'
check "include/zkinfer.h, zkinfer.pc and the CMake package files are installed" \
    '[ -f "$P/include/zkinfer.h" ] && [ -f "$libdir/pkgconfig/zkinfer.pc" ] && [ -f "$libdir/cmake/zkinfer/zkinferConfig.cmake" ] && [ -f "$libdir/cmake/zkinfer/zkinferConfigVersion.cmake" ]'
napi=$(grep -c '^ZKI_API' "$P/include/zkinfer.h")
nexp=$(nm -D --defined-only "$lib" | awk '$2 == "T"' | wc -l)
nother=$(nm -D --defined-only "$lib" | awk '$2 != "T" || $3 !~ /^zki_/' | wc -l)
check "the shared library exports exactly the $napi ZKI_API functions (exports $nexp, $nother others)" \
    '[ "$nexp" -eq "$napi" ] && [ "$nother" -eq 0 ]'

export PKG_CONFIG_PATH="$libdir/pkgconfig"
export LD_LIBRARY_PATH="$libdir"
hv=$(sed -n 's/^#define ZKINFER_VERSION "\(.*\)"/\1/p' "$P/include/zkinfer.h")
check "pkg-config --modversion zkinfer is the header's version ($hv)" '[ "$(pkg-config --modversion zkinfer)" = "$hv" ]'
for ex in compile prove verify; do
    check "examples/$ex.c builds with pkg-config, warnings as errors" \
        '$cc $flags -std=c11 -Wall -Wextra -Wpedantic -Werror "$src/examples/$ex.c" -o "$W/$ex" $(pkg-config --cflags --libs zkinfer) 2>&1 >&2'
done

printf '#include <zkinfer.h>\nint main(void) { zki_vk_save(0, "k.vk"); return 0; }\n' >"$W/unused.c"
printf '#include <zkinfer.h>\nint main(void) { return zki_vk_save(0, "k.vk") == ZKI_OK; }\n' >"$W/used.c"
check "an ignored status is a warning (ZKI_WARN_UNUSED), a used one is not" \
    '$cc -std=c11 -Werror -c "$W/used.c" -o "$W/used.o" $(pkg-config --cflags zkinfer) &&
     ! $cc -std=c11 -Werror -c "$W/unused.c" -o "$W/unused.o" $(pkg-config --cflags zkinfer) 2>/dev/null'
if command -v c++ >/dev/null 2>&1; then
    printf '#include <zkinfer.h>\nint main() { return zki_version() ? 0 : 1; }\n' >"$W/cxx.cpp"
    check "zkinfer.h compiles as C++" \
        'c++ -Wall -Wextra -Werror -c "$W/cxx.cpp" -o "$W/cxx.o" $(pkg-config --cflags zkinfer)'
fi

check "compile: the MLP from ONNX + calibration (exit 0)" \
    'runs 0 "$W/compile" "$data/fmnist_mlp.onnx" "$data/fmnist_calib.npy" "$W/mlp.zkm"'
check "prove: a proof of the sample (exit 0)" \
    'runs 0 "$W/prove" "$W/mlp.zkm" "$W/mlp.zpk" "$data/fmnist_sample.npy" -o "$W/x.zkp"'
check "verify: the proof verifies (exit 0) and the output is printed" \
    'runs 0 "$W/verify" "$W/mlp.vk" "$W/x.zkp" "$data/fmnist_sample.npy" && grep -q "verified sample 0:" "$W/log"'
# one byte flipped, at a few places
for at in 20 100 1000 4000; do
    cp "$W/x.zkp" "$W/bad.zkp"
    b=$(od -An -tu1 -j$at -N1 "$W/x.zkp" | tr -d ' ')
    printf "\\$(printf %o $((b ^ 1)))" | dd of="$W/bad.zkp" bs=1 seek=$at conv=notrunc 2>/dev/null
    check "verify: byte $at flipped is rejected (exit 1)" \
        '! cmp -s "$W/x.zkp" "$W/bad.zkp" && runs 1 "$W/verify" "$W/mlp.vk" "$W/bad.zkp" "$data/fmnist_sample.npy"'
done
check "verify: another input is rejected (exit 1)" \
    'runs 1 "$W/verify" "$W/mlp.vk" "$W/x.zkp" "$data/fmnist_calib.npy"'
check "verify: bad usage (exit 2)" 'runs 2 "$W/verify" "$W/mlp.vk"'
check "prove: bad usage (exit 2)" 'runs 2 "$W/prove" "$W/mlp.zkm" "$W/mlp.zpk" -o "$W/y.zkp"'
check "verify: a missing key (exit 2)" 'runs 2 "$W/verify" "$W/none.vk" "$W/x.zkp"'
check "prove --private-input, verify without the input (exit 0)" \
    'runs 0 "$W/prove" "$W/mlp.zkm" "$W/mlp.zpk" "$data/fmnist_sample.npy" -o "$W/p.zkp" --private-input && runs 0 "$W/verify" "$W/mlp.vk" "$W/p.zkp"'

# a CMake project consuming the package
mkdir -p "$W/consumer"
cat >"$W/consumer/CMakeLists.txt" <<CMK
cmake_minimum_required(VERSION 3.18)
project(zkinfer_consumer LANGUAGES C)
find_package(zkinfer $hv REQUIRED)
add_executable(verify "$src/examples/verify.c")
target_link_libraries(verify PRIVATE zkinfer::zkinfer)
CMK
check "find_package(zkinfer) consumer configures and builds" \
    'cmake -S "$W/consumer" -B "$W/consumer/build" -DCMAKE_PREFIX_PATH="$P" -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$flags" >"$W/log" 2>&1 && cmake --build "$W/consumer/build" >>"$W/log" 2>&1 || { cat "$W/log" >&2; false; }'
check "the consumer verifies the proof (exit 0)" \
    'runs 0 "$W/consumer/build/verify" "$W/mlp.vk" "$W/x.zkp" "$data/fmnist_sample.npy"'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
