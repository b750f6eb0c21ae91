// ELF64 program headers of a static x86-64 executable (ET_EXEC or
// static-pie ET_DYN). Pure: no I/O, builds on the host for unit tests.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gts::elf {

inline constexpr uint32_t PfX = 1, PfW = 2, PfR = 4;
inline constexpr int MaxSegments = 16;
// Where static-pie programs go (Linux's ELF_ET_DYN_BASE for 47-bit VA).
inline constexpr uint64_t PieBase = 0x555555554000ull;

struct Segment {
  uint64_t vaddr, memsz; // relocated
  uint64_t offset, filesz;
  uint32_t flags; // PfR | PfW | PfX
};

struct Image {
  uint64_t entry; // relocated
  uint64_t phdr;  // user address of the program headers (AT_PHDR)
  uint16_t phnum, phent;
  uint64_t bias;  // 0 for ET_EXEC, PieBase for ET_DYN
  uint64_t end;   // highest byte of any segment, page-rounded (brk start)
  bool stackExec; // PT_GNU_STACK asked for an executable stack
  int segmentCount;
  Segment segments[MaxSegments];
};

// `head` holds the first `len` bytes of the file (the headers must be in
// there) and `fileSize` is the whole file's size. Returns null on success
// or a one-line reason ("not an ELF file", ...).
const char *parse(const uint8_t *head, size_t len, uint64_t fileSize,
                  Image *out);

} // namespace gts::elf
