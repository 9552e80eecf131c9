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

# sealpost_soname(OUT LIBRARY_PATHS PATTERN): the SONAME of the first of LIBRARY_PATHS whose
# file name matches PATTERN, for code that dlopens the library instead of linking it.
function(sealpost_soname out paths pattern)
  foreach(path IN LISTS paths)
    get_filename_component(file "${path}" NAME)
    if(file MATCHES "${pattern}")
      execute_process(COMMAND ${CMAKE_OBJDUMP} -p "${path}" OUTPUT_VARIABLE dump RESULT_VARIABLE rc)
      string(REGEX MATCH "SONAME +([^ \n]+)" match "${dump}")
      if(rc EQUAL 0 AND CMAKE_MATCH_1)
        set(${out} "${CMAKE_MATCH_1}" PARENT_SCOPE)
        return()
      endif()
    endif()
  endforeach()
  message(FATAL_ERROR "cannot read the SONAME of ${pattern} from: ${paths}")
endfunction()
