# Helpers that keep one module = one library, and one line per test.

# sealpost_library(NAME SOURCES ... DEPS ...): a static library under src/<name>.
function(sealpost_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(sealpost_${name} STATIC ${ARG_SOURCES})
  target_include_directories(sealpost_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(sealpost_${name} PUBLIC ${ARG_DEPS})
endfunction()

# sealpost_test(NAME SOURCES ... DEPS ...): a GoogleTest binary registered with CTest.
function(sealpost_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS unit)
endfunction()
