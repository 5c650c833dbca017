# Shared build helpers: warnings for our own targets and a one-line test registration.

set(NETPOWER_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
                      -Woverloaded-virtual -Wimplicit-fallthrough)

# netpower_library(<folder-name> <sources...>): netpower_<name> with ALIAS netpower::<name>.
function(netpower_library name)
  add_library(netpower_${name} ${ARGN})
  add_library(netpower::${name} ALIAS netpower_${name})
  target_include_directories(netpower_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(netpower_${name} PRIVATE ${NETPOWER_WARNINGS})
endfunction()

# netpower_test(<name> LABEL <label> SOURCES <files...> LIBS <targets...> [TIMEOUT s])
function(netpower_test name)
  cmake_parse_arguments(T "" "LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  # GCC 12 warns on designated initializers that leave members to their defaults.
  target_compile_options(${name} PRIVATE ${NETPOWER_WARNINGS} -Wno-missing-field-initializers)
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  gtest_discover_tests(${name} TEST_PREFIX "${name}." PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT}
                       DISCOVERY_TIMEOUT 30)
endfunction()
