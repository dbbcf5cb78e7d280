# Helpers that give every nicsim target the same compile settings.

# Warnings are errors on our own code only (generated Verilator code is compiled separately).
function(nicsim_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
endfunction()

# nicsim_library(<name> SOURCES ... [DEPS ...])
# Creates library nicsim_<name> with alias nicsim::<name>; headers are included as
# "<component>/<file>.h" from the repository root.
function(nicsim_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(nicsim_${name} STATIC ${ARG_SOURCES})
  add_library(nicsim::${name} ALIAS nicsim_${name})
  target_include_directories(nicsim_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(nicsim_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  nicsim_warnings(nicsim_${name})
endfunction()

# nicsim_test(<name> SOURCES ... DEPS ... [DISCOVER_TIMEOUT s])
# A GoogleTest executable whose cases are registered one by one with CTest.
function(nicsim_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    NICSIM_TESTDATA_DIR="${NICSIM_TESTDATA_DIR}"
    NICSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    NICSIM_BINARY_DIR="${PROJECT_BINARY_DIR}")
  nicsim_warnings(${name})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120 PROPERTIES TIMEOUT 600)
endfunction()
