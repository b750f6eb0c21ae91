# libFuzzer targets with a bounded CTest run each (label `fuzz`).
#
#   gts_fuzz_target(NAME name SOURCES src...
#                   [LIBS lib...] [INCLUDES dir...] [DEFINES d...]
#                   [SEEDS dir] [SEED_TARGET target] [RUNS n] [SECONDS n]
#                   [OPTIONS -flag=value...] [ENV VAR=value...]
#                   [SANITIZE list])
#
# Builds fuzz_<name> with clang's -fsanitize=fuzzer plus SANITIZE (default
# address,undefined; "none" for libFuzzer alone) and adds the test
# fuzz.<name>: libFuzzer for RUNS inputs (default 100000) from the fixed
# seed 1 and the seed corpus SEEDS (a folder SEED_TARGET fills at build
# time), stopping early after SECONDS (default 30) on a slow machine. A run
# count, not a time, makes the test repeatable: every run on every machine
# tries the same inputs, so a failure in CI reproduces with the same
# command (open-ended fuzzing: tests/fuzz/long_run.py). It fails on any crash,
# sanitizer report, leak, timeout or an empty seed folder. OPTIONS go to
# libFuzzer (e.g. -max_len=65536), ENV to the test's environment (e.g.
# ASAN_OPTIONS=detect_leaks=0). Libraries in LIBS are linked as they are
# built: only code in SOURCES is instrumented for coverage and sanitizers.
# Inputs that once crashed the target go in regressions/<name>/ beside the
# calling CMakeLists.txt; the test fuzz.<name>.regressions runs each once.
# Sanitizer builds (GTS_SANITIZE) skip fuzz targets: the runtimes conflict.
set(GTS_FUZZ_RUNNER ${CMAKE_CURRENT_LIST_DIR}/../tests/fuzz/run_fuzz.sh)

function(gts_fuzz_target)
  cmake_parse_arguments(PARSE_ARGV 0 F ""
                        "NAME;SEEDS;SEED_TARGET;RUNS;SECONDS;SANITIZE"
                        "SOURCES;LIBS;INCLUDES;DEFINES;OPTIONS;ENV")
  if(GTS_SANITIZE)
    return()
  endif()
  if(NOT F_RUNS)
    set(F_RUNS 100000)
  endif()
  if(NOT F_SECONDS)
    set(F_SECONDS 30)
  endif()
  if(NOT F_SANITIZE)
    set(F_SANITIZE address,undefined)
  endif()
  set(flags -fsanitize=fuzzer -fno-omit-frame-pointer -g)
  if(NOT F_SANITIZE STREQUAL "none")
    list(APPEND flags -fsanitize=${F_SANITIZE} -fno-sanitize-recover=all)
  endif()
  set(exe fuzz_${F_NAME})
  add_executable(${exe} ${F_SOURCES})
  target_compile_options(${exe} PRIVATE ${flags})
  target_link_options(${exe} PRIVATE ${flags} -fuse-ld=lld)
  target_include_directories(${exe} PRIVATE ${F_INCLUDES})
  target_compile_definitions(${exe} PRIVATE ${F_DEFINES})
  target_link_libraries(${exe} PRIVATE ${F_LIBS})
  if(F_SEED_TARGET)
    add_dependencies(${exe} ${F_SEED_TARGET})
  endif()
  set(work ${CMAKE_CURRENT_BINARY_DIR}/fuzz-${F_NAME})
  add_test(NAME fuzz.${F_NAME}
           COMMAND bash ${GTS_FUZZ_RUNNER} $<TARGET_FILE:${exe}> ${work}
                   "${F_SEEDS}" -runs=${F_RUNS} -max_total_time=${F_SECONDS}
                   ${F_OPTIONS})
  set(regressions ${CMAKE_CURRENT_SOURCE_DIR}/regressions/${F_NAME})
  if(IS_DIRECTORY ${regressions})
    file(GLOB inputs CONFIGURE_DEPENDS ${regressions}/*)
    add_test(NAME fuzz.${F_NAME}.regressions COMMAND ${exe} ${inputs})
    set_tests_properties(fuzz.${F_NAME}.regressions PROPERTIES LABELS fuzz
                         TIMEOUT 120 ENVIRONMENT "${F_ENV}")
  endif()
  math(EXPR limit "${F_SECONDS} * 2 + 60")
  set_tests_properties(fuzz.${F_NAME} PROPERTIES LABELS fuzz TIMEOUT ${limit}
                       ENVIRONMENT "${F_ENV}")
endfunction()
