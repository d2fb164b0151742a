# zkinfer serve: the HTTP service (src/serve/, src/cli/cli_serve.c), built
# into the zkinfer executable alone with libmicrohttpd; the library needs no
# HTTP. Without libmicrohttpd the executable builds without it and
# `zkinfer serve` says so. Included at the end of CMakeLists.txt.
set(ZKI_SERVE_CORE_SOURCES      # no libmicrohttpd: unit-tested on their own
  src/serve/base64.c
  src/serve/json.c
  src/serve/npy.c
  src/serve/routes.c)
set(ZKI_SERVE_SOURCES
  ${ZKI_SERVE_CORE_SOURCES}
  src/serve/handlers.c
  src/serve/http.c
  src/serve/infer.c
  src/serve/metrics.c
  src/serve/models.c
  src/serve/pool.c
  src/serve/server.c
  src/serve/web.c
  src/cli/cli_serve.c)
# as for the library's modules: a file left out would go unbuilt unnoticed
file(GLOB ZKI_SERVE_FOUND RELATIVE ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/src/serve/*.c)
foreach(f ${ZKI_SERVE_FOUND})
  if(NOT f IN_LIST ZKI_SERVE_SOURCES)
    message(FATAL_ERROR "${f} is not in ZKI_SERVE_SOURCES in cmake/serve.cmake")
  endif()
endforeach()

find_package(Threads REQUIRED)
pkg_check_modules(ZKI_MHD IMPORTED_TARGET libmicrohttpd>=0.9.71)
if(ZKI_MHD_FOUND)
  target_sources(zkinfer PRIVATE ${ZKI_SERVE_SOURCES})
  target_compile_definitions(zkinfer PRIVATE ZKI_WITH_SERVE=1)
  target_link_libraries(zkinfer PRIVATE PkgConfig::ZKI_MHD Threads::Threads)
else()
  message(WARNING "libmicrohttpd (>= 0.9.71) not found: zkinfer is built without `serve` "
                  "(Debian/Ubuntu: apt install libmicrohttpd-dev)")
endif()

# The unit tests (tests/test_serve_*.c, made targets by the tests' glob)
# and the parsers' fuzz harnesses (tests/fuzz/fuzz_serve_*.c, under
# ZKI_FUZZ) take the sources they test.
foreach(t base64 json npy routes)
  if(TARGET test_serve_${t})
    target_sources(test_serve_${t} PRIVATE src/serve/${t}.c)
  endif()
  if(TARGET fuzz_serve_${t})
    target_sources(fuzz_serve_${t} PRIVATE src/serve/${t}.c)
  endif()
endforeach()

# End to end: a server on a free loopback port with the Fashion-MNIST
# models, every endpoint, bad input, concurrency, the queue, SIGTERM and a
# 20 s wrk load test (skipped, saying so, when wrk is not installed).
if(ZKI_MHD_FOUND)
  find_program(ZKI_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
  if(NOT ZKI_PYTHON3)
    find_program(ZKI_PYTHON3 python3)
  endif()
  if(ZKI_PYTHON3)
    add_test(NAME test_serve COMMAND ${ZKI_PYTHON3} ${CMAKE_SOURCE_DIR}/tests/test_serve.py $<TARGET_FILE:zkinfer>
      ${CMAKE_SOURCE_DIR}/tests/data)
    set_tests_properties(test_serve PROPERTIES TIMEOUT 600)
  endif()
endif()
