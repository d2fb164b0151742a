# The verifier in the browser (docs/wasm.md): the verifier-only sources,
# the public API's parse/verify/output half and the glue (wasm/verify_glue.c)
# compiled by clang for wasm32-wasi (wasi-libc, wasm-ld) into
# build/web/zkinfer_verify.wasm, beside the pages and the JS module copied
# from web/. Single-threaded (no OpenMP), portable field and NTT kernels
# (the x86 ones compile to nothing off x86-64), the portable SHA-256
# (ZKI_SHA256_PORTABLE; tests/test_sha256_portable.c holds it to OpenSSL).
#
# clang is called directly, not as a second CMake toolchain: one build tree
# makes both the native programs and the wasm. Without a clang that can
# link for wasm32-wasi the target is left out with a message, and the web
# tests with it.

set(ZKI_WASM_CC "" CACHE STRING "clang that targets wasm32-wasi (empty: clang-14 or clang from PATH)")
set(ZKI_WASM_SYSROOT "" CACHE PATH "wasi-libc sysroot (empty: the compiler's default, e.g. Debian's wasi-libc)")
if(NOT ZKI_WASM_CC)
  find_program(ZKI_WASM_CC_FOUND NAMES clang-14 clang)
  set(ZKI_WASM_CC_PATH "${ZKI_WASM_CC_FOUND}")
else()
  set(ZKI_WASM_CC_PATH "${ZKI_WASM_CC}")
endif()

set(ZKI_WASM_TARGET_FLAGS --target=wasm32-wasi)
if(ZKI_WASM_SYSROOT)
  list(APPEND ZKI_WASM_TARGET_FLAGS --sysroot=${ZKI_WASM_SYSROOT})
endif()

# Can this clang compile and link a reactor module against wasi-libc?
set(ZKI_WASM_OK OFF)
if(ZKI_WASM_CC_PATH)
  set(probe_dir ${CMAKE_BINARY_DIR}/web-probe)
  file(MAKE_DIRECTORY ${probe_dir})
  file(WRITE ${probe_dir}/probe.c "#include <stdlib.h>\n__attribute__((export_name(\"f\"))) void *f(unsigned long n) { return malloc(n); }\n")
  execute_process(COMMAND ${ZKI_WASM_CC_PATH} ${ZKI_WASM_TARGET_FLAGS} -O2 -mexec-model=reactor
                          ${probe_dir}/probe.c -o ${probe_dir}/probe.wasm
                  RESULT_VARIABLE probe_rc OUTPUT_QUIET ERROR_VARIABLE probe_err)
  if(probe_rc EQUAL 0)
    set(ZKI_WASM_OK ON)
  endif()
endif()

if(NOT ZKI_WASM_OK)
  message(STATUS "web: no clang that links for wasm32-wasi (needs clang, lld, wasi-libc, "
                 "libclang-rt-14-dev-wasm32); build/web/ and its tests are skipped")
  return()
endif()

# The verifier-only library's sources, less the x86 kernels (empty off
# x86-64 anyway) and the file writers (the wasm reads and writes no files;
# WASI lacks realpath and getpid), plus what the glue calls: the key and
# proof parsers, zki_verify_int / zki_proof_output_float, the input rule
# and quantiser, the .npy parser. wasm-ld drops what is not reached (the
# prover entry points in the same files reference code not compiled here).
set(ZKI_WASM_SOURCES "")
foreach(f ${ZKI_VERIFY_SOURCES})
  if(NOT f MATCHES "_avx(2|512)\\.c$" AND NOT f MATCHES "src/common/(atomic_file|file_read)\\.c$")
    list(APPEND ZKI_WASM_SOURCES ${f})
  endif()
endforeach()
list(APPEND ZKI_WASM_SOURCES
  src/api/api_generate.c
  src/api/api_info.c
  src/api/api_input.c
  src/api/api_proof.c
  src/api/api_vk.c
  src/graph/graph.c
  src/quant/input_shape.c
  src/quant/npy.c
  src/quant/npy_header.c
  src/quant/quant.c
  wasm/verify_glue.c)
if(NOT "src/hash/sha256_portable.c" IN_LIST ZKI_WASM_SOURCES)
  list(APPEND ZKI_WASM_SOURCES src/hash/sha256_portable.c)
endif()

set(ZKI_WASM_CFLAGS ${ZKI_WASM_TARGET_FLAGS} -O2 -std=c11 -DNDEBUG
  -D_POSIX_C_SOURCE=200809L -DZKI_VERIFIER_ONLY=1 -DZKI_SHA256_PORTABLE=1 -D_WASI_EMULATED_MMAN
  -Wall -Wextra -Wno-unused-parameter -Wno-unknown-pragmas
  -I${CMAKE_SOURCE_DIR}/wasm/include -I${CMAKE_SOURCE_DIR}/include -I${CMAKE_SOURCE_DIR}/src)

set(web_obj_dir ${CMAKE_BINARY_DIR}/web-obj)
set(web_dir ${CMAKE_BINARY_DIR}/web)
set(ZKI_WASM_OBJECTS "")
foreach(f ${ZKI_WASM_SOURCES})
  string(REPLACE "/" "_" obj_name "${f}")
  set(obj ${web_obj_dir}/${obj_name}.o)
  add_custom_command(OUTPUT ${obj}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${web_obj_dir}
    COMMAND ${ZKI_WASM_CC_PATH} ${ZKI_WASM_CFLAGS} -MD -MF ${obj}.d -c ${CMAKE_SOURCE_DIR}/${f} -o ${obj}
    DEPENDS ${CMAKE_SOURCE_DIR}/${f}
    DEPFILE ${obj}.d
    COMMENT "wasm: ${f}"
    VERBATIM)
  list(APPEND ZKI_WASM_OBJECTS ${obj})
endforeach()

# A reactor: no main; _initialize runs the C constructors once, then the
# zkw_* exports are called. The exports are named in the glue. A 1 MiB stack
# (the .npy parser alone holds 64 KiB), placed first so that running past
# it traps instead of overwriting the data after it.
add_custom_command(OUTPUT ${web_dir}/zkinfer_verify.wasm
  COMMAND ${CMAKE_COMMAND} -E make_directory ${web_dir}
  COMMAND ${ZKI_WASM_CC_PATH} ${ZKI_WASM_TARGET_FLAGS} -O2 -mexec-model=reactor -Wl,--gc-sections
          -Wl,-z,stack-size=1048576 -Wl,--stack-first ${ZKI_WASM_OBJECTS} -lwasi-emulated-mman
          -o ${web_dir}/zkinfer_verify.wasm
  DEPENDS ${ZKI_WASM_OBJECTS}
  COMMENT "wasm: linking web/zkinfer_verify.wasm"
  VERBATIM)

# The JS module and the pages, copied as they are.
file(GLOB ZKI_WEB_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/web/*)
set(ZKI_WEB_COPIES "")
foreach(src ${ZKI_WEB_FILES})
  get_filename_component(name ${src} NAME)
  add_custom_command(OUTPUT ${web_dir}/${name}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${src} ${web_dir}/${name}
    DEPENDS ${src}
    VERBATIM)
  list(APPEND ZKI_WEB_COPIES ${web_dir}/${name})
endforeach()

add_custom_target(web ALL DEPENDS ${web_dir}/zkinfer_verify.wasm ${ZKI_WEB_COPIES})

# The tests: the wasm verifier against `zkinfer verify` under node, and the
# page in headless Chromium. Each is skipped (ctest's SKIP_RETURN_CODE 77)
# where node or chromium is absent; not under the sanitisers, whose prover
# makes the proofs too slowly.
if(NOT ZKI_SANITIZE)
  find_program(ZKI_NODE NAMES node nodejs)
  find_program(ZKI_CHROMIUM NAMES chromium chromium-browser google-chrome)
  add_test(NAME test_wasm_verify
    COMMAND sh ${CMAKE_SOURCE_DIR}/tests/run_if_found.sh "${ZKI_NODE}" node
            ${CMAKE_SOURCE_DIR}/tests/test_wasm_verify.mjs ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR})
  set_tests_properties(test_wasm_verify PROPERTIES TIMEOUT 1800 SKIP_RETURN_CODE 77)
  add_test(NAME test_wasm_browser
    COMMAND sh ${CMAKE_SOURCE_DIR}/tests/test_wasm_browser.sh "${ZKI_CHROMIUM}" ${CMAKE_BINARY_DIR}
            ${CMAKE_SOURCE_DIR})
  set_tests_properties(test_wasm_browser PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77)
  # the pages served by `zkinfer serve`: /demo proves through the server and
  # verifies in the browser
  add_test(NAME test_web_demo
    COMMAND sh ${CMAKE_SOURCE_DIR}/tests/test_web_demo.sh "${ZKI_CHROMIUM}" ${CMAKE_BINARY_DIR}
            ${CMAKE_SOURCE_DIR})
  set_tests_properties(test_web_demo PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77)
endif()
