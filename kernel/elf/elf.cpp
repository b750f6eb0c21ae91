#include "elf/elf.h"

namespace gts::elf {
namespace {

constexpr uint64_t Page = 4096;
// mm/user_memory.h: the last page below 2^47 is never user memory.
constexpr uint64_t UserTop = 0x00007FFFFFFFF000ull;
constexpr uint32_t PtLoad = 1, PtInterp = 3, PtPhdr = 6,
                   PtGnuStack = 0x6474E551;
constexpr uint16_t EtExec = 2, EtDyn = 3, EmX86_64 = 62;

struct Ehdr {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Phdr {
  uint32_t type, flags;
  uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

template <typename T> T load(const uint8_t *p) {
  T v;
  __builtin_memcpy(&v, p, sizeof v); // headers may be unaligned in `head`
  return v;
}

} // namespace

const char *parse(const uint8_t *head, size_t len, uint64_t fileSize,
                  Image *out) {
  if (len < sizeof(Ehdr))
    return "file too small for an ELF header";
  Ehdr eh = load<Ehdr>(head);
  if (eh.ident[0] != 0x7F || eh.ident[1] != 'E' || eh.ident[2] != 'L' ||
      eh.ident[3] != 'F')
    return "not an ELF file";
  if (eh.ident[4] != 2 || eh.ident[5] != 1)
    return "not a little-endian ELF64 file";
  if (eh.machine != EmX86_64)
    return "not an x86-64 program";
  if (eh.type != EtExec && eh.type != EtDyn)
    return "not an executable (ET_EXEC or ET_DYN)";
  if (eh.phentsize != sizeof(Phdr) || eh.phnum == 0 || eh.phnum > 64)
    return "bad program header table";
  if (eh.phoff > len || eh.phnum * sizeof(Phdr) > len - eh.phoff)
    return "program headers not within the first page";

  *out = Image{};
  out->bias = eh.type == EtDyn ? PieBase : 0;
  out->entry = eh.entry + out->bias;
  out->phnum = eh.phnum;
  out->phent = eh.phentsize;
  uint64_t phdrVaddr = 0;
  bool entryOk = false;
  for (unsigned i = 0; i < eh.phnum; ++i) {
    Phdr ph = load<Phdr>(head + eh.phoff + i * sizeof(Phdr));
    if (ph.type == PtInterp)
      return "dynamically linked (PT_INTERP): only static programs run";
    if (ph.type == PtPhdr)
      phdrVaddr = ph.vaddr + out->bias;
    if (ph.type == PtGnuStack)
      out->stackExec = ph.flags & PfX;
    if (ph.type != PtLoad || ph.memsz == 0)
      continue;
    if (out->segmentCount == MaxSegments)
      return "too many PT_LOAD segments";
    if (ph.filesz > ph.memsz)
      return "segment file size exceeds its memory size";
    if (ph.offset > fileSize || ph.filesz > fileSize - ph.offset)
      return "segment extends past the end of the file";
    if ((ph.offset % Page) != (ph.vaddr % Page))
      return "segment offset and address disagree modulo the page size";
    uint64_t va = ph.vaddr + out->bias;
    if (va < Page || va >= UserTop || ph.memsz > UserTop - va)
      return "segment outside the user address space";
    if ((ph.flags & PfW) && (ph.flags & PfX))
      return "segment both writable and executable (W^X)";
    for (int j = 0; j < out->segmentCount; ++j) {
      const Segment &o = out->segments[j];
      if (va < o.vaddr + o.memsz && o.vaddr < va + ph.memsz)
        return "segments overlap";
    }
    out->segments[out->segmentCount++] = {va, ph.memsz, ph.offset, ph.filesz,
                                          ph.flags};
    uint64_t end = (va + ph.memsz + Page - 1) & ~(Page - 1);
    if (end > out->end)
      out->end = end;
    if (out->entry >= va && out->entry < va + ph.memsz && (ph.flags & PfX))
      entryOk = true;
    // Without PT_PHDR, the headers are wherever the segment holding file
    // offset phoff puts them.
    if (!phdrVaddr && eh.phoff >= ph.offset &&
        eh.phoff + eh.phnum * sizeof(Phdr) <= ph.offset + ph.filesz)
      phdrVaddr = va + (eh.phoff - ph.offset);
  }
  if (out->segmentCount == 0)
    return "no loadable segment";
  if (!entryOk)
    return "entry point not in an executable segment";
  out->phdr = phdrVaddr;
  return nullptr;
}

} // namespace gts::elf
