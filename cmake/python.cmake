# The Python package's tests (python/tests) against this build's shared
# library. Not in the sanitised build: a Python process that dlopens an
# ASan-instrumented library aborts unless libasan is preloaded, and with it
# preloaded LeakSanitizer reports the interpreter's own allocations.
if(NOT ZKI_SANITIZE)
  add_test(NAME test_python
           COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider ${CMAKE_SOURCE_DIR}/python/tests)
  set_tests_properties(test_python PROPERTIES
    ENVIRONMENT "ZKINFER_LIBRARY=$<TARGET_FILE:zkinfer_shared>;ZKINFER_CLI=$<TARGET_FILE:zkinfer>;PYTHONPATH=${CMAKE_SOURCE_DIR}/python;PYTHONDONTWRITEBYTECODE=1"
    TIMEOUT 600)
endif()
