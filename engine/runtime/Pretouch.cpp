#include "Pretouch.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include <malloc.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 // Linux 5.14
#endif

extern "C" char __data_start[], _end[]; // the linker's

namespace gts {
namespace {

constexpr uintptr_t PageSize = 4096;

void populate(uintptr_t Begin, uintptr_t End) {
  Begin &= ~(PageSize - 1);
  End = (End + PageSize - 1) & ~(PageSize - 1);
  if (Begin < End) // errors (old kernels): the pages fault as before
    madvise(reinterpret_cast<void *>(Begin), End - Begin, MADV_POPULATE_WRITE);
}

} // namespace

HeapRange reserveHeap(size_t MiB) {
#ifndef GTS_SANITIZED // their allocators quarantine freed blocks
  // Below glibc's mmap threshold (128 KiB): blocks come from the arena.
  constexpr size_t Block = 64 << 10;
  constexpr size_t MaxBlocks = 256;
  // glibc trims an arena's free top beyond M_TOP_PAD (giving the pages
  // back, to fault in again): keep what is reserved here. Its mmap
  // threshold stays dynamic, and large callocs get fresh zero pages as
  // before.
  mallopt(M_TOP_PAD, static_cast<int>(MiB << 20));
  void *Blocks[MaxBlocks];
  size_t N = std::min(MiB * (1 << 20) / Block, MaxBlocks);
  HeapRange R{UINTPTR_MAX, 0};
  for (size_t I = 0; I < N; ++I) {
    Blocks[I] = malloc(Block);
    auto At = reinterpret_cast<uintptr_t>(Blocks[I]);
    if (Blocks[I]) {
      R.Begin = std::min(R.Begin, At);
      R.End = std::max(R.End, At + Block);
    }
  }
  for (size_t I = 0; I < N; ++I)
    free(Blocks[I]);
  return R.Begin < R.End ? R : HeapRange{};
#else
  (void)MiB;
  return {};
#endif
}

void populateHeap(HeapRange R) { populate(R.Begin, R.End); }

void pretouchHeap(size_t MiB) { populateHeap(reserveHeap(MiB)); }

void pretouchStatics() {
  populate(reinterpret_cast<uintptr_t>(__data_start),
           reinterpret_cast<uintptr_t>(_end));
}

} // namespace gts
