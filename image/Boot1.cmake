# Boot 1 (docs/BOOT1.md): the kernel, the static gts engine and an IR app on
# one disk image. Included from tests/boot1/ (after image/ and apps/).
#
# gts_boot1_image(<target> OUT <img> ARGS <gts arguments>
#                 [FILES <src:dest>...] [DEPENDS <targets or files>...])
# Builds <img> (target <target>, in ALL) with /gts as the program, ARGS as
# its command line (/CMDLINE.TXT) and FILES, then prints the image's size.
#
# Also usable as a script (-P) that prints that size:
#   cmake -DIMG=<img> -DFILES=<file|file...> -P Boot1.cmake
if(CMAKE_SCRIPT_MODE_FILE)
  file(SIZE ${IMG} disk)
  set(total 0)
  set(parts "")
  string(REPLACE "|" ";" FILES "${FILES}")
  foreach(f IN LISTS FILES)
    file(SIZE ${f} s)
    math(EXPR total "${total} + ${s}")
    math(EXPR kib "(${s} + 1023) / 1024")
    get_filename_component(n ${f} NAME)
    string(APPEND parts " ${n} ${kib} KiB,")
  endforeach()
  math(EXPR disk_mib "${disk} / 1048576")
  math(EXPR total_kib "(${total} + 1023) / 1024")
  string(REGEX REPLACE ",$" "" parts "${parts}")
  message("${IMG}: ${disk_mib} MiB disk (sparse), ${total_kib} KiB of files:"
          "${parts}")
  return()
endif()

set(GTS_BOOT1_SCRIPT ${CMAKE_CURRENT_LIST_FILE})
set(GTS_BOOT1_SIZE_MIB 128)
get_property(GTS_BOOT1_BC GLOBAL PROPERTY TINYLLAMA_BC)
set(GTS_BOOT1_MODELS ${CMAKE_SOURCE_DIR}/apps/tinyllama/models)
# The TinyLlama app and its model: /tinyllama.bc, /stories260K.bin, /tok512.bin.
set(GTS_BOOT1_APP_FILES ${GTS_BOOT1_BC}:/tinyllama.bc
    ${GTS_BOOT1_MODELS}/stories260K.bin:/stories260K.bin
    ${GTS_BOOT1_MODELS}/tok512.bin:/tok512.bin)

function(gts_boot1_image target)
  cmake_parse_arguments(PARSE_ARGV 1 B "" "OUT;ARGS" "FILES;DEPENDS")
  set(cmd ${GTS_MKIMAGE} --stage1 ${GTS_STAGE1_BIN} --stage2 ${GTS_STAGE2_BIN}
      --kernel ${GTS_KERNEL_BIN} --program $<TARGET_FILE:gts>:/gts
      --args "${B_ARGS}" --size ${GTS_BOOT1_SIZE_MIB} --out ${B_OUT})
  set(srcs $<TARGET_FILE:gts> ${GTS_KERNEL_BIN})
  foreach(f IN LISTS B_FILES)
    list(APPEND cmd --file ${f})
    string(REGEX REPLACE ":[^:]*$" "" src ${f})
    list(APPEND srcs ${src})
  endforeach()
  string(REPLACE ";" "|" srcs "${srcs}")
  add_custom_command(OUTPUT ${B_OUT}
    COMMAND python3 ${cmd}
    COMMAND ${CMAKE_COMMAND} -DIMG=${B_OUT} -DFILES=${srcs}
            -P ${GTS_BOOT1_SCRIPT}
    DEPENDS ${GTS_MKIMAGE} ${GTS_BOOT1_SCRIPT} gts gts_stage1 gts_stage2
            gts_kernel ${GTS_STAGE1_BIN} ${GTS_STAGE2_BIN} ${GTS_KERNEL_BIN}
            ${B_DEPENDS}
    COMMENT "Boot 1 disk image ${B_OUT}"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${B_OUT})
endfunction()

# The C library gts export links with (build/export-runtime), as /runtime:
# the converged boot exports the app in the guest (docs/EXPORT.md).
set(GTS_BOOT1_RUNTIME_FILES "")
foreach(f crt1.o crti.o crtn.o libc.a libclang_rt.builtins-x86_64.a memcpy.o
          qsort.o)
  list(APPEND GTS_BOOT1_RUNTIME_FILES
       ${CMAKE_BINARY_DIR}/export-runtime/${f}:/runtime/${f})
endforeach()

# build/boot1.img: TinyLlama through the engine's tiers, single-threaded
# (--sync-compile: the kernel runs one thread), profile written to the disk;
# once converged, the native program /NATIVE and /CMDLINE.NEW for the next
# boot.
set(GTS_BOOT1_IMG ${CMAKE_BINARY_DIR}/boot1.img)
set(GTS_BOOT1_ARGS "run /tinyllama.bc --state /state --sync-compile --trace-tiers --stats \
--profile-out /stats.json --export-at-convergence=/NATIVE --runtime=/runtime \
-- /stories260K.bin -z /tok512.bin -t 0 -n 128 -i \"Once upon a time\"")
# (Once: this file is included from tests/export/ and tests/boot1/.)
if(NOT TARGET boot1_image)
  gts_boot1_image(boot1_image OUT ${GTS_BOOT1_IMG} ARGS "${GTS_BOOT1_ARGS}"
    FILES ${GTS_BOOT1_APP_FILES} ${GTS_BOOT1_RUNTIME_FILES}
    DEPENDS tinyllama_bc ${GTS_BOOT1_BC} gts_export_runtime)
endif()
