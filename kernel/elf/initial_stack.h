// The initial user stack the Linux x86-64 ABI promises at _start:
// argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL, then the strings
// and the 16 AT_RANDOM bytes above. Pure: builds on the host for tests.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gts::elf {

namespace at {
inline constexpr uint64_t Null = 0, Phdr = 3, Phent = 4, Phnum = 5, Pagesz = 6,
                          Base = 7, Flags = 8, Entry = 9, Uid = 11, Euid = 12,
                          Gid = 13, Egid = 14, Platform = 15, Hwcap = 16,
                          Clktck = 17, Secure = 23, Random = 25, Hwcap2 = 26,
                          Execfn = 31;
}

struct StackParams {
  int argc;
  const char *const *argv;
  int envc;
  const char *const *envp;
  const char *execfn;
  uint8_t random[16];
  uint64_t phdr, phnum, phent, entry, hwcap;
};

// `mem` stands for user memory [top - size, top). Returns the initial RSP
// (16-byte aligned, pointing at argc), or 0 if it does not fit.
uint64_t buildInitialStack(uint8_t *mem, size_t size, uint64_t top,
                           const StackParams &p);

} // namespace gts::elf
