# gts_missing_prerequisite(TEST WHAT [LABELS l...]): a test whose tool or
# data file is missing fails and says what is missing; it does not vanish
# from the suite.
function(gts_missing_prerequisite test what)
  cmake_parse_arguments(PARSE_ARGV 2 ARG "" "" "LABELS")
  add_test(NAME ${test}
           COMMAND sh -c "echo \"FAIL: missing prerequisite: $1\"; exit 1"
                   sh "${what}")
  if(ARG_LABELS)
    set_tests_properties(${test} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
  message(WARNING "${test}: missing prerequisite: ${what} (the test fails)")
endfunction()
