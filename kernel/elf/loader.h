// Loads a static ELF program from FAT16 into the user half and builds its
// initial stack (elf/initial_stack.h).
#pragma once
#include "fs/fat16.h"
#include <stdint.h>

namespace gts::elf {

struct Loaded {
  uint64_t entry, rsp;
  uint64_t brk;       // first byte after the image (page-aligned)
  uint64_t fileBytes; // bytes read from the file
};

// Returns null or a one-line error naming the problem.
const char *loadProgram(fs::Fat16 &vol, const char *path, int argc,
                        const char *const *argv, int envc,
                        const char *const *envp, Loaded *out);

} // namespace gts::elf
