# Links LLVM 19's static component libraries without Debian's shared-only
# extras (z3), so that binaries can be linked fully static.
find_program(GTS_LLVM_CONFIG NAMES llvm-config-19 REQUIRED)
execute_process(COMMAND ${GTS_LLVM_CONFIG} --includedir
  OUTPUT_VARIABLE GTS_LLVM_INCLUDE_DIR OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${GTS_LLVM_CONFIG} --libdir
  OUTPUT_VARIABLE GTS_LLVM_LIB_DIR OUTPUT_STRIP_TRAILING_WHITESPACE)

# gts_link_llvm(<target> <PUBLIC|PRIVATE|INTERFACE> <components>...)
function(gts_link_llvm target scope)
  execute_process(COMMAND ${GTS_LLVM_CONFIG} --link-static --libnames ${ARGN}
    OUTPUT_VARIABLE names OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "llvm-config: bad components: ${ARGN}")
  endif()
  separate_arguments(names UNIX_COMMAND "${names}")
  set(libs "")
  foreach(n IN LISTS names)
    list(APPEND libs "${GTS_LLVM_LIB_DIR}/${n}")
  endforeach()
  target_include_directories(${target} SYSTEM ${scope} ${GTS_LLVM_INCLUDE_DIR})
  target_compile_options(${target} ${scope} -fno-rtti)
  target_link_libraries(${target} ${scope}
    -Wl,--start-group ${libs} -Wl,--end-group z zstd tinfo pthread dl m rt)
endfunction()
