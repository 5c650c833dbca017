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

# netpower_fuzz(<name> SOURCES <files...> LIBS <targets...> CORPUS <dir>)
# A fuzz target: <files> define LLVMFuzzerTestOneInput. With NETPOWER_FUZZ (clang only) it is a
# libFuzzer binary and its ctest test fuzzes for NETPOWER_FUZZ_SECONDS, starting from the committed
# corpus (new inputs go to the build tree, never into the source tree). Without it, the same
# sources are linked with fuzz/replay_main.cpp and the test replays every corpus file, so the
# corpus is a regression suite in every build. Label "fuzz" in both cases.
function(netpower_fuzz name)
  cmake_parse_arguments(F "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${F_SOURCES})
  target_compile_options(${name} PRIVATE ${NETPOWER_WARNINGS})
  target_link_libraries(${name} PRIVATE ${F_LIBS})
  if(NETPOWER_FUZZ)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    set(new_inputs ${CMAKE_CURRENT_BINARY_DIR}/${name}.new)
    file(MAKE_DIRECTORY ${new_inputs})
    add_test(NAME fuzz.${name}
             COMMAND ${name} -max_total_time=${NETPOWER_FUZZ_SECONDS} -timeout=10 -rss_limit_mb=2048
                     -print_final_stats=1 ${new_inputs} ${F_CORPUS})
    math(EXPR fuzz_timeout "${NETPOWER_FUZZ_SECONDS} * 3 + 60")
    set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT ${fuzz_timeout})
  else()
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cpp)
    add_test(NAME fuzz.${name} COMMAND ${name} ${F_CORPUS})
    set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT 120)
  endif()
endfunction()
