// libFuzzer target: the kernel's ELF program-header parser (kernel/elf/) and
// the initial stack built from what it accepts.
//
// Input: 8 bytes of claimed file size (little endian), then the file's
// first bytes as the loader reads them (at most one page). A program the
// parser accepts must keep the promises the loader relies on; anything else
// must be refused with a reason.
#include "elf/elf.h"
#include "elf/initial_stack.h"

#include <cstdlib>
#include <cstring>
#include <vector>

using namespace gts::elf;

namespace {

constexpr uint64_t UserTop = 0x0000800000000000ull, Page = 4096;

void check(bool Ok) {
  if (!Ok)
    abort();
}

void checkImage(const Image &Img, uint64_t FileSize) {
  check(Img.segmentCount > 0 && Img.segmentCount <= MaxSegments);
  bool EntryOk = false;
  for (int I = 0; I < Img.segmentCount; ++I) {
    const Segment &S = Img.segments[I];
    check(S.vaddr >= Page && S.vaddr < UserTop && S.memsz <= UserTop - S.vaddr);
    check(S.filesz <= S.memsz && S.offset <= FileSize &&
          S.filesz <= FileSize - S.offset);
    check(!((S.flags & PfW) && (S.flags & PfX)));
    check(Img.end >= S.vaddr + S.memsz && Img.end % Page == 0);
    for (int J = 0; J < I; ++J) {
      const Segment &O = Img.segments[J];
      check(S.vaddr >= O.vaddr + O.memsz || O.vaddr >= S.vaddr + S.memsz);
    }
    if ((S.flags & PfX) && Img.entry >= S.vaddr &&
        Img.entry < S.vaddr + S.memsz)
      EntryOk = true;
  }
  check(EntryOk);
}

// The initial stack for an accepted program, as the loader builds it.
void buildStack(const Image &Img) {
  static std::vector<uint8_t> Mem(64 * 1024);
  const char *Argv[] = {"/APP", "-x", "some argument"};
  const char *Envp[] = {"HOME=/", "TERM=dumb"};
  StackParams P{};
  P.argc = 3;
  P.argv = Argv;
  P.envc = 2;
  P.envp = Envp;
  P.execfn = "/APP";
  P.phdr = Img.phdr;
  P.phnum = Img.phnum;
  P.phent = Img.phent;
  P.entry = Img.entry;
  uint64_t Top = 0x7FFFFFFFE000ull;
  uint64_t Rsp = buildInitialStack(Mem.data(), Mem.size(), Top, P);
  check(Rsp != 0 && Rsp % 16 == 0 && Rsp >= Top - Mem.size() && Rsp < Top);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  if (Size < 8)
    return 0;
  uint64_t FileSize;
  memcpy(&FileSize, Data, 8);
  size_t Len = std::min<size_t>(Size - 8, Page);
  if (FileSize < Len)
    FileSize = Len; // the head is part of the file
  // A copy of exactly Len bytes: ASan sees any read past the head.
  std::vector<uint8_t> Head(Data + 8, Data + 8 + Len);
  Image Img;
  const char *Err = parse(Head.data(), Len, FileSize, &Img);
  if (Err) {
    check(*Err != '\0' && !strchr(Err, '\n'));
    return 0;
  }
  checkImage(Img, FileSize);
  buildStack(Img);
  return 0;
}
