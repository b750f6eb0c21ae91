# gts_disk_image(<target> OUT <img> SIZE <MiB> [KERNEL <file>]
#                [PROGRAM <src[:dest]>] [ARGS <string>] [ENV <N=V>...]
#                [FILES <src[:dest]>...] [DEPENDS <targets or files>...])
# Builds <img> with the kernel build's stage 1/2 (and kernel unless KERNEL
# is given). Usable from directories added after image/ (tests/).
function(gts_disk_image target)
  cmake_parse_arguments(PARSE_ARGV 1 D "" "OUT;SIZE;KERNEL;PROGRAM;ARGS"
    "ENV;FILES;DEPENDS")
  if(NOT D_KERNEL)
    set(D_KERNEL ${GTS_KERNEL_BIN})
  endif()
  set(cmd ${GTS_MKIMAGE} --stage1 ${GTS_STAGE1_BIN} --stage2 ${GTS_STAGE2_BIN}
    --kernel ${D_KERNEL} --size ${D_SIZE} --out ${D_OUT})
  if(D_PROGRAM)
    list(APPEND cmd --program ${D_PROGRAM} --args "${D_ARGS}")
  endif()
  foreach(e IN LISTS D_ENV)
    list(APPEND cmd --env ${e})
  endforeach()
  foreach(f IN LISTS D_FILES)
    list(APPEND cmd --file ${f})
  endforeach()
  add_custom_command(OUTPUT ${D_OUT} COMMAND python3 ${cmd}
    DEPENDS ${GTS_MKIMAGE} ${GTS_STAGE1_BIN} ${GTS_STAGE2_BIN} ${D_KERNEL}
      ${D_DEPENDS}
    COMMENT "Building disk image ${D_OUT}" VERBATIM)
  add_custom_target(${target} DEPENDS ${D_OUT})
endfunction()
